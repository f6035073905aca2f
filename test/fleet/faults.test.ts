// Faults in a real fleet (child processes, a private redis-server): Redis killed and restarted,
// the market killed with SIGKILL and started again, a gateway stopped for 10 s. A witness client
// subscribed through each fault must see every trade id, in order, with no gap and no duplicate.
import { afterEach, describe, expect, it } from 'vitest';
import { FLEET_SKIP_REASON } from './capability.ts';
import { createFleetScope, FLAGS, streamUrl, type Witness } from './harness.ts';

const SYMBOLS = ['SOLUSDT', 'BTCUSDT'];
const WITNESSED = ['trade', 'aggTrade', 'depth@100ms'];

/** How long a fault lasts: part of the scenario (like "stopped for 10 s"), not a wait for an outcome. */
const faultLasts = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Trades the witness got whose trade time (`T`) lies in [fromMs, toMs]. */
const tradesMadeBetween = (w: Witness, fromMs: number, toMs: number) =>
  w.frames.filter((f) => f.data.e === 'trade' && Number(f.data.T) >= fromMs && Number(f.data.T) <= toMs).length;

describe.skipIf(FLEET_SKIP_REASON !== '')('a fleet under faults', () => {
  const fleet = createFleetScope();
  afterEach(() => fleet.cleanup());

  /** Redis, a market and `gateways` gateways, all ready, each with a witness that has seen 20 trades. */
  const witnessedFleet = async (gateways: number) => {
    const redis = await fleet.redis();
    const market = await fleet.market(redis.url, FLAGS);
    const gws = await Promise.all(Array.from({ length: gateways }, () => fleet.gateway(redis.url, FLAGS)));
    await Promise.all([market, ...gws].map((p) => p.waitReady()));
    const witnesses = await Promise.all(gws.map((g) => fleet.witness(streamUrl(g.wsUrl, SYMBOLS, WITNESSED))));
    await Promise.all(witnesses.map((w) => w.waitForTrades(20, 30_000)));
    return { redis, market, gateways: gws, witnesses };
  };
  const oneWitnessed = async () => {
    const f = await witnessedFleet(1);
    return { ...f, gateway: f.gateways[0]!, witness: f.witnesses[0]! };
  };

  it('keeps a client subscribed through a Redis kill and restart supplied with every trade id in order', async () => {
    const { redis, market, gateway, witness } = await oneWitnessed();

    const killedAt = Date.now();
    await redis.kill('SIGKILL');
    await market.waitHealth((h) => h.status === 503, 'not writing: Redis is gone', 30_000);
    await faultLasts(3000);
    const restartedAt = Date.now();
    await redis.restart(); // the same port, empty: this Redis keeps nothing on disk

    await market.waitReady(60_000);
    await gateway.waitReady(60_000);
    await witness.waitForTrades(20, 60_000);
    // The market kept simulating while Redis was down, and what it made then reached the client.
    expect(tradesMadeBetween(witness, killedAt + 500, restartedAt - 500)).toBeGreaterThan(0);
    expect(witness.problems()).toEqual([]);
    expect(witness.closed).toBeUndefined();
  }, 180_000);

  it('continues trade, aggregate trade and book update ids after the market is killed with SIGKILL and started again', async () => {
    const { redis, market, gateways: [g1, g2], witnesses } = await witnessedFleet(2);

    market.signal('SIGKILL');
    await market.proc.exited;
    const lastBefore = Math.max(...witnesses[0]!.tradeIds.get('SOLUSDT')!);
    const again = await fleet.market(redis.url, FLAGS);
    await again.waitReady(60_000);
    await Promise.all(witnesses.map((w) => w.waitForTrades(20, 60_000)));

    for (const w of witnesses) {
      expect(w.problems()).toEqual([]); // ids continue across the restart: no gap, nothing reused
      expect(w.closed).toBeUndefined();
      expect(Math.max(...w.tradeIds.get('SOLUSDT')!)).toBeGreaterThan(lastBefore);
    }
    // The two gateways carried on and saw the same trades after the restart.
    const after = (w: Witness) => w.tradeIds.get('SOLUSDT')!.filter((id) => id > lastBefore);
    const common = Math.min(after(witnesses[0]!).length, after(witnesses[1]!).length);
    expect(common).toBeGreaterThan(0);
    expect(after(witnesses[0]!).slice(0, common)).toEqual(after(witnesses[1]!).slice(0, common));
    await Promise.all([g1!.waitReady(), g2!.waitReady()]);
  }, 180_000);

  it('catches a gateway stopped for 10 s (SIGSTOP, then SIGCONT) up without losing a trade', async () => {
    const { gateway, witness } = await oneWitnessed();

    const stoppedAt = Date.now();
    gateway.signal('SIGSTOP');
    await faultLasts(10_000);
    const continuedAt = Date.now();
    gateway.signal('SIGCONT');

    await gateway.waitReady(60_000);
    await witness.waitForTrades(20, 60_000);
    // What the market made while the gateway was stopped reached the client afterwards.
    expect(tradesMadeBetween(witness, stoppedAt + 500, continuedAt - 500)).toBeGreaterThan(20);
    expect(witness.problems()).toEqual([]);
    expect(witness.closed).toBeUndefined();
  }, 150_000);
});
