// A fleet's market on the machine's Redis (a unique key prefix, deleted afterwards): what it leaves
// in Redis (snapshot, history, log) restores to exactly its own state, a second market resumes it,
// and values this build cannot read are refused with an error naming the key and the cause.
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisBus, type RedisBus } from '../../server/bus/bus-redis.ts';
import { channelFor } from '../../server/bus/bus.ts';
import { startFleetMarket } from '../../server/feed/fleet-market.ts';
import { loadNewest, loadSnapshot } from '../../server/feed/load-state.ts';
import { SnapshotError } from '../../server/feed/snapshot-codec.ts';
import { createSystemClock } from '../../server/market/clock.ts';
import { snapshotOf } from '../../server/market/snapshot.ts';
import { createMetrics } from '../../server/metrics.ts';
import { until } from '../gateway/harness.ts';
import { deleteKeys, MACHINE_REDIS, uniquePrefix } from '../bus/redis-helpers.ts';

const SYMBOLS = [{ symbol: 'SOLUSDT', tradesPerSec: 40 }];

describe("a fleet's market in Redis", () => {
  const prefix = uniquePrefix();
  const buses: RedisBus[] = [];
  const open = () => {
    const bus = createRedisBus({ url: MACHINE_REDIS, prefix, log: () => undefined });
    buses.push(bus);
    return bus;
  };
  afterAll(async () => {
    await Promise.all(buses.map((b) => b.close()));
    await deleteKeys(MACHINE_REDIS, prefix);
  });

  it('leaves a snapshot and log that restore to its own state, and a second market resumes the ids', async () => {
    const bus = open();
    const market = await startFleetMarket({
      bus, clock: createSystemClock(), seed: 5, symbols: SYMBOLS, historyHours: 100, metrics: createMetrics(), snapshotEveryMs: 200, log: () => undefined,
    });
    await until(() => bus.position(channelFor('SOLUSDT')).seq > 60, 20_000, 'some batches published');
    market.stop();
    await bus.drained();
    const reader = open();
    await reader.untilReady();
    const loaded = await loadNewest(reader, 'SOLUSDT');
    expect(loaded?.seq).toBe(bus.position(channelFor('SOLUSDT')).seq);
    expect(snapshotOf(loaded!.state)).toEqual(snapshotOf(market.simulator.state('SOLUSDT')));

    const again = await startFleetMarket({
      bus: open(), clock: createSystemClock(), seed: 6, symbols: SYMBOLS, historyHours: 100, metrics: createMetrics(), log: () => undefined,
    });
    again.stop();
    // It may have traded a little before it stopped: its ids run on from the first market's, with no gap.
    const resumed = again.simulator.state('SOLUSDT');
    const consecutive = (ids: number[]) => ids.every((id, i) => i === 0 || id === ids[i - 1]! + 1);
    const tradeIds = resumed.trades.newest(20_000).map((t) => t.id);
    expect(consecutive(tradeIds)).toBe(true);
    expect(tradeIds).toContain(loaded!.state.nextTradeId - 1);
    expect(resumed.nextTradeId).toBeGreaterThanOrEqual(loaded!.state.nextTradeId);
    const aggIds = resumed.aggTrades.newest(20_000).map((a) => a.id);
    expect(consecutive(aggIds)).toBe(true);
    expect(aggIds).toContain(loaded!.state.nextAggId - 1);
    const position = (again.health().body.symbols as Record<string, { seq: number; epoch: string }>).SOLUSDT!;
    expect(position.epoch).toBe(loaded!.epoch);
    expect(position.seq).toBeGreaterThanOrEqual(loaded!.seq);
  }, 60_000);

  it('refuses a snapshot of another version, one that is not JSON, and one of another symbol, naming the key', async () => {
    const bus = open();
    await bus.untilReady();
    const key = bus.keys(channelFor('BTCUSDT')).snap;
    const refusal = async (value: string) => {
      await bus.command(['SET', key, value]);
      return loadSnapshot(bus, 'BTCUSDT').then(() => undefined, (err: unknown) => err);
    };
    const version = await refusal(JSON.stringify({ v: 2, epoch: 'e', seq: 1, histCutUs: null, state: {} }));
    expect(version).toBeInstanceOf(SnapshotError);
    expect((version as SnapshotError).kind).toBe('version');
    expect((version as Error).message).toBe(`${key} has version 2; this build reads 1`);
    expect(((await refusal('{nope')) as SnapshotError).kind).toBe('malformed');
    const other = await refusal(JSON.stringify({ v: 1, epoch: 'e', seq: 1, histCutUs: null, state: { symbol: 'SOLUSDT' } }));
    expect((other as Error).message).toBe(`${key} holds "SOLUSDT", not BTCUSDT`);
  });
});
