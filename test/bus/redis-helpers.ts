// Helpers for tests on the machine's Redis: a key prefix no other test uses, and deleting it after.
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';

export const MACHINE_REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export const uniquePrefix = (): string => `twtest-${process.pid}-${randomBytes(4).toString('hex')}`;

/** Delete every key under `prefix:` (SCAN, never KEYS). */
export async function deleteKeys(url: string, prefix: string): Promise<number> {
  const client = createClient({ url, RESP: 2 });
  client.on('error', () => undefined);
  await client.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = (await client.sendCommand(['SCAN', cursor, 'MATCH', `${prefix}:*`, 'COUNT', '1000'])) as unknown as [string, string[]];
      cursor = next;
      if (keys.length > 0) deleted += Number(await client.sendCommand(['DEL', ...keys]));
    } while (cursor !== '0');
  } finally {
    client.destroy();
  }
  return deleted;
}
