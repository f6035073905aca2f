// The fleet test harness itself: private redis-servers, the witness's id checks, child start failures.
import { createConnection } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { freePort, pingRedis, redisAddress } from '../../server/fleet/redis-server.ts';
import { spawnRole } from '../../server/fleet/role-process.ts';
import { REDIS_SERVER } from './capability.ts';
import { createFleetScope, openWitness, waitFor } from './harness.ts';

/** Send inline commands and collect the reply lines (enough for SET/GET of short strings). */
function redisSay(url: string, commands: string[], replyLines: number): Promise<string[]> {
  const { host, port } = redisAddress(url);
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port }, () => socket.write(commands.map((c) => `${c}\r\n`).join('')));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      text += d;
      const lines = text.split('\r\n').slice(0, -1);
      if (lines.length >= replyLines) {
        socket.destroy();
        resolve(lines);
      }
    });
    socket.on('error', reject);
  });
}

describe('the fleet harness', () => {
  const fleet = createFleetScope();
  afterEach(() => fleet.cleanup());

  it.skipIf(!REDIS_SERVER)('starts a private redis-server that loses everything when killed and comes back empty on the same port', async () => {
    const redis = await fleet.redis();
    expect(await pingRedis(redis.url)).toEqual({ answered: true, reply: '+PONG' });
    expect(await redisSay(redis.url, ['SET tickwire-harness kept', 'GET tickwire-harness'], 3)).toEqual(['+OK', '$4', 'kept']);
    const firstPid = redis.pid;

    await redis.kill('SIGKILL');
    expect(redis.running).toBe(false);
    expect(await pingRedis(redis.url)).toMatchObject({ answered: false, reason: 'ECONNREFUSED' });

    await redis.restart();
    expect(redis.pid).not.toBe(firstPid);
    expect(await pingRedis(redis.url)).toEqual({ answered: true, reply: '+PONG' });
    expect(await redisSay(redis.url, ['GET tickwire-harness'], 1)).toEqual(['$-1']);
  }, 30_000);

  it.skipIf(!REDIS_SERVER)('authenticates with the password of the URL, and shows a refusal as Redis words it', async () => {
    const redis = await fleet.redis(undefined, ['--requirepass', 'p@ss word']);
    const at = `127.0.0.1:${redis.port}`;
    expect(await pingRedis(`redis://${at}`)).toMatchObject({ answered: true, reply: expect.stringMatching(/^-NOAUTH/) });
    expect(await pingRedis(`redis://:wrong@${at}`)).toMatchObject({ answered: true, reply: expect.stringMatching(/^-WRONGPASS/) });
    expect(await pingRedis(`redis://:${encodeURIComponent('p@ss word')}@${at}`)).toEqual({ answered: true, reply: '+PONG' });
    expect(await pingRedis(`redis://default:${encodeURIComponent('p@ss word')}@${at}`)).toEqual({ answered: true, reply: '+PONG' });
  }, 30_000);

  it('reports that nothing answers where no Redis listens', async () => {
    const port = await freePort();
    expect(await pingRedis(`redis://127.0.0.1:${port}`)).toMatchObject({ answered: false, reason: 'ECONNREFUSED' });
    expect(() => redisAddress('http://127.0.0.1:6379')).toThrow('the scheme must be redis://');
  });

  it('has the witness report a gap, a duplicate, a book-id jump and a server close, and nothing for consecutive ids', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const { port } = server.address() as { port: number };
    const frames = [
      ...[7, 8, 9, 11, 11].map((t) => ({ stream: 'solusdt@trade', data: { e: 'trade', E: t, s: 'SOLUSDT', t, T: t } })),
      ...[3, 4, 5].map((t) => ({ stream: 'btcusdt@trade', data: { e: 'trade', E: t, s: 'BTCUSDT', t, T: t } })),
      { stream: 'solusdt@depth@100ms', data: { e: 'depthUpdate', E: 1, s: 'SOLUSDT', U: 10, u: 12 } },
      { stream: 'solusdt@depth@100ms', data: { e: 'depthUpdate', E: 2, s: 'SOLUSDT', U: 14, u: 15 } },
    ];
    server.on('connection', (socket) => {
      for (const f of frames) socket.send(JSON.stringify(f));
      socket.close(1001, 'bye');
    });
    try {
      const witness = await openWitness(`ws://127.0.0.1:${port}/stream`);
      await waitFor('the server to close the witness', () => witness.closed, 5000);
      expect(witness.tradeIds.get('SOLUSDT')).toEqual([7, 8, 9, 11, 11]);
      expect(witness.tradeCount()).toBe(8);
      expect(witness.problems()).toEqual([
        'SOLUSDT trade ids: 9 then 11 (at #3 of 5)',
        'SOLUSDT trade ids: 11 then 11 (at #4 of 5)',
        'solusdt@depth@100ms: u 12 then U 14 (at #1)',
        'socket closed by the server: 1001 bye',
      ]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('rejects a child that exits before listening with what it printed', async () => {
    const proc = spawnRole({ role: 'market', args: ['--port', '99999'] });
    await expect(proc.listening).rejects.toThrow('--port (PORT) must be an integer from 0 to 65535, got "99999"');
    expect((await proc.exited).code).toBe(2);
  }, 30_000);
});
