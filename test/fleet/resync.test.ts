// A gateway stopped for longer than the market keeps its log (here: snapshots every 300 ms, so the
// log keeps 5 s, its floor) resynchronizes from the newest snapshot when it continues, says so
// in /metrics, becomes healthy again, and then serves the market's ids in order once more.
import { afterEach, describe, expect, it } from 'vitest';
import { FLEET_SKIP_REASON } from './capability.ts';
import { createFleetScope, streamUrl, TEST_SYMBOLS, waitFor } from './harness.ts';

/** How long the gateway is stopped: part of the scenario, not a wait for an outcome. */
const stoppedFor = (ms: number) => new Promise((r) => setTimeout(r, ms));

const resyncs = (metrics: string) =>
  [...metrics.matchAll(/^tickwire_fleet_resyncs_total\{reason="gap"\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);

describe.skipIf(FLEET_SKIP_REASON !== '')('a gateway that fell behind the retained log', () => {
  const fleet = createFleetScope();
  afterEach(() => fleet.cleanup());

  it('resynchronizes from the snapshot, counts it in /metrics, and serves trade ids in order again', async () => {
    const redis = await fleet.redis();
    const market = await fleet.market(redis.url, ['--symbols', TEST_SYMBOLS, '--snapshot-every-ms', '300']);
    const gateway = await fleet.gateway(redis.url);
    await Promise.all([market.waitReady(), gateway.waitReady()]);
    expect(resyncs(await gateway.metrics())).toBe(0);

    gateway.signal('SIGSTOP');
    await stoppedFor(8000);
    gateway.signal('SIGCONT');
    await waitFor('a counted resync', async () => resyncs(await gateway.metrics()) >= 1, 30_000);
    await gateway.waitReady(30_000);

    // From a client connected after the resync: consecutive trade ids again.
    const witness = await fleet.witness(streamUrl(gateway.wsUrl, ['SOLUSDT'], ['trade']));
    await witness.waitForTrades(20, 30_000);
    expect(witness.problems()).toEqual([]);
    const health = JSON.parse((await gateway.get('/healthz')).text) as { caughtUp: boolean; lagEvents: number };
    expect(health.caughtUp).toBe(true);
  }, 120_000);
});
