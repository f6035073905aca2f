// A gateway started before its market, or before Redis answers, listens, says where it looks, keeps
// trying, and answers 503 (/healthz; REST and stream upgrades with -1001) until the market's state has reached it.
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../server/fleet/redis-server.ts';
import { FLEET_SKIP_REASON } from './capability.ts';
import { createFleetScope, TEST_SYMBOLS, waitFor } from './harness.ts';
import { upgradeAnswer } from '../gateway/harness.ts';

describe.skipIf(FLEET_SKIP_REASON !== '')('a gateway without a market', () => {
  const fleet = createFleetScope();
  afterEach(() => fleet.cleanup());

  it('says where it tried when Redis does not answer, keeps trying, and serves once Redis and a market are there', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const gateway = await fleet.gateway(url);
    await waitFor('a line naming the address it tried', () => gateway.proc.lines.some((l) => l.includes(`unreachable) at ${url}`)), 15_000);
    const health = await gateway.get('/healthz');
    expect(health.status).toBe(503);
    expect(JSON.parse(health.text)).toMatchObject({ role: 'gateway', caughtUp: false, redisConnected: false });
    const rest = await gateway.get('/api/v3/depth?symbol=SOLUSDT');
    expect(rest.status).toBe(503);
    expect(JSON.parse(rest.text)).toMatchObject({ code: -1001 });
    // Stream clients are refused the same way (a proxy in front tries another gateway on a 503).
    for (const path of ['/ws/solusdt@trade', '/ws-api/v3']) {
      const upgrade = await upgradeAnswer(`${gateway.wsUrl}${path}`);
      expect(upgrade.status, path).toBe(503);
      expect(JSON.parse(upgrade.body), path).toMatchObject({ code: -1001 });
    }
    for (const path of ['/sse/solusdt@trade', '/poll/solusdt@trade']) {
      const refused = await gateway.get(path);
      expect(refused.status, path).toBe(503);
      expect(JSON.parse(refused.text), path).toMatchObject({ code: -1001 });
    }

    // Redis comes up on that port, then a market: the same gateway process catches up and serves.
    const redis = await fleet.redis(port);
    await waitFor('a line saying no market is in Redis yet', () => gateway.proc.lines.some((l) => l.includes(`no market in Redis at ${redis.url}`)), 15_000);
    await fleet.market(redis.url, ['--symbols', TEST_SYMBOLS]);
    await gateway.waitReady(60_000);
    const depth = await gateway.get('/api/v3/depth?symbol=SOLUSDT&limit=5');
    expect(depth.status).toBe(200);
    expect(JSON.parse(depth.text).bids).toHaveLength(5);
    expect((await upgradeAnswer(`${gateway.wsUrl}/ws/solusdt@trade`)).status).toBe(101);
    expect((await upgradeAnswer(`${gateway.wsUrl}/ws-api/v3`)).status).toBe(101);
    expect((await gateway.get('/poll/solusdt@trade')).status).toBe(200);
    expect(gateway.alive).toBe(true);
  }, 120_000);
});
