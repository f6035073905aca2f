// A market that stopped (kill -9) and starts again from what it had published resumes: trade,
// aggregate-trade and book update ids continue where they stopped, never reused, and a replica of
// the old market follows the new one without a resync.
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../server/market/clock.ts';
import { createSimulator } from '../../server/market/simulator.ts';
import { restoreState, snapshotOf } from '../../server/market/snapshot.ts';
import { applyBatch, type SymbolState } from '../../server/market/state.ts';
import { createReplica } from '../../server/market/replica.ts';
import type { MarketEvent } from '../../server/market/types.ts';
import { eventsOf, testMarket, type Recorded } from './harness.ts';

const SYMBOLS = [{ symbol: 'SOLUSDT', tradesPerSec: 20 }, { symbol: 'BTCUSDT', tradesPerSec: 5 }];

describe('a market resumed from its snapshot and log', () => {
  it('continues every id sequence after a stop, and a replica of the old market follows the new one', () => {
    const old = testMarket({ symbols: SYMBOLS });
    old.run(20_000_000, 50_000);
    // What Redis holds: a snapshot, then the log after it; the market dies after the last batch logged.
    const snaps = new Map(SYMBOLS.map(({ symbol }) => [symbol, JSON.stringify(snapshotOf(old.sim.state(symbol)))]));
    const logged: Recorded[] = [];
    old.run(3_000_000, 50_000, (r) => logged.push(r));
    const fromRedis = (symbol: string): SymbolState => {
      const s = restoreState(JSON.parse(snaps.get(symbol)!));
      for (const r of logged) if (r.symbol === symbol) applyBatch(s, r.batch);
      return s;
    };

    // Started again 5 s later, on a fresh random stream.
    const clock = createManualClock(old.clock.nowUs() + 5_000_000);
    const resumed = createSimulator({ seed: 99, clock, symbols: SYMBOLS, historyHours: 72, resume: new Map(SYMBOLS.map(({ symbol }) => [symbol, fromRedis(symbol)])) });
    const replica = createReplica(SYMBOLS.map((s) => s.symbol), () => clock.nowUs());
    const replicaStates = new Map(SYMBOLS.map(({ symbol }) => [symbol, fromRedis(symbol)]));
    for (const [symbol, state] of replicaStates) replica.reset(symbol, state);
    const after: Recorded[] = [];
    for (let i = 0; i < 200; i++) {
      clock.advance(50_000);
      resumed.advanceTo(clock.nowUs(), (symbol, batch) => {
        after.push({ symbol, batch });
        replica.apply(symbol, batch);
      });
    }

    const before = [...old.batches];
    for (const { symbol } of SYMBOLS) {
      const of = <T extends MarketEvent['type']>(rs: readonly Recorded[], type: T) => eventsOf(rs.filter((r) => r.symbol === symbol), type);
      const oldTrades = of(before, 'trade');
      const newTrades = of(after, 'trade');
      expect(newTrades.length).toBeGreaterThan(5);
      expect(newTrades[0]!.trade.id).toBe(oldTrades.at(-1)!.trade.id + 1);
      for (let i = 1; i < newTrades.length; i++) expect(newTrades[i]!.trade.id).toBe(newTrades[i - 1]!.trade.id + 1);
      expect(of(after, 'aggTrade')[0]!.aggTrade.id).toBe(of(before, 'aggTrade').at(-1)!.aggTrade.id + 1);
      for (const speed of [100, 1000] as const) {
        const oldDiffs = of(before, 'depthUpdate').filter((d) => d.speed === speed);
        const newDiffs = of(after, 'depthUpdate').filter((d) => d.speed === speed);
        expect(newDiffs[0]!.firstUpdateId, `${symbol} @depth@${speed}ms`).toBe(oldDiffs.at(-1)!.lastUpdateId + 1);
      }
      // No update id a client saw before (on any stream) is used again.
      const oldTop = Math.max(...of(before, 'bookTicker').map((b) => b.book.updateId), ...of(before, 'depthUpdate').map((d) => d.lastUpdateId));
      const newIds = [...of(after, 'bookTicker').map((b) => b.book.updateId), ...of(after, 'depthUpdate').map((d) => d.lastUpdateId)];
      expect(Math.min(...newIds)).toBeGreaterThan(oldTop);
      // The replica applied every new batch (it throws on one that does not follow) and holds the same.
      expect(snapshotOf(replicaStates.get(symbol)!)).toEqual(snapshotOf(resumed.state(symbol)));
      expect(replica.view.depth(symbol, 5000)).toEqual(resumed.depth(symbol, 5000));
    }
  });
});
