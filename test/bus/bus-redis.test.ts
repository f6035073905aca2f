// The Redis bus passes the Bus conformance cases against the machine's Redis (127.0.0.1:6379),
// each bus under a key prefix of its own that is deleted afterwards.
import { afterAll, describe } from 'vitest';
import { createRedisBus } from '../../server/bus/bus-redis.ts';
import { runBusCases } from './bus.case.ts';
import { deleteKeys, MACHINE_REDIS, uniquePrefix } from './redis-helpers.ts';

describe('the Redis bus', () => {
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const p of prefixes) await deleteKeys(MACHINE_REDIS, p);
  });
  runBusCases({
    async create() {
      const prefix = uniquePrefix();
      prefixes.push(prefix);
      const bus = createRedisBus({ url: MACHINE_REDIS, prefix });
      return { bus, settle: () => bus.settled() };
    },
  });
});
