// A replica restored from a snapshot and fed the events after it answers every MarketView read
// exactly as the simulator does, and holds the same state.
import { describe, expect, it } from 'vitest';
import { INTERVALS, type MarketView } from '../../server/market/types.ts';
import { createReplica } from '../../server/market/replica.ts';
import { historyOf, restoreState, snapshotOf, type StateSnapshot } from '../../server/market/snapshot.ts';
import type { SymbolState } from '../../server/market/state.ts';
import { MINUTE_US } from '../../server/market/intervals.ts';
import { NOON_US, testMarket, type Recorded } from './harness.ts';

const SYMBOLS = [{ symbol: 'SOLUSDT', tradesPerSec: 20 }, { symbol: 'BTCUSDT', tradesPerSec: 5 }];

/** Every read REST makes, for one symbol, as plain data. */
function reads(view: MarketView, symbol: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const trades = view.recentTrades(symbol, 1000);
  const aggs = view.aggTrades(symbol, { limit: 1000 });
  const mid = aggs[Math.floor(aggs.length / 2)]!;
  out.specs = view.specs;
  out.spec = view.spec(symbol);
  out.depth = view.depth(symbol, 5000);
  out.depth5 = view.depth(symbol, 5);
  out.bookTicker = view.bookTicker(symbol);
  out.trades = trades;
  out.tradesFrom = view.tradesFrom(symbol, trades[3]!.id, 500);
  out.tradesFromOld = view.tradesFrom(symbol, 1, 20);
  out.aggTrades = aggs;
  out.aggFrom = view.aggTrades(symbol, { fromId: mid.id, limit: 100 });
  out.aggWindow = view.aggTrades(symbol, { startTimeUs: mid.timeUs - 20_000_000, endTimeUs: mid.timeUs, limit: 1000 });
  out.aggEnd = view.aggTrades(symbol, { endTimeUs: mid.timeUs, limit: 50 });
  for (const interval of INTERVALS) {
    for (const tzOffsetMin of [0, 480]) {
      out[`klines ${interval} ${tzOffsetMin}`] = view.klines(symbol, interval, { limit: 1000, tzOffsetMin });
      // The oldest held: three years back for hourly and longer intervals.
      out[`oldest ${interval} ${tzOffsetMin}`] = view.klines(symbol, interval, { startTimeUs: 0, limit: 5, tzOffsetMin });
    }
  }
  out.ticker24h = view.ticker24h(symbol);
  for (const minutes of [1, 60, 240, 1440, 10_080]) out[`rolling ${minutes}`] = view.rollingTicker(symbol, minutes);
  out.avgPrice = view.avgPrice(symbol);
  return out;
}

describe('a market replica', () => {
  for (const split of [false, true]) {
    it(`restored from a snapshot${split ? ' with the closed hourly history stored apart' : ''} and fed the later events answers every read like the simulator`, () => {
      // From 11:59:00 so that minute and hour boundaries pass after the snapshot.
      const m = testMarket({ symbols: SYMBOLS, startUs: NOON_US - MINUTE_US, historyHours: 'default' });
      m.run(30_000_000, 50_000);
      const states = new Map<string, SymbolState>();
      for (const { symbol } of SYMBOLS) {
        const live = m.sim.state(symbol);
        const cut = NOON_US - 10 * 60 * MINUTE_US;
        const history = split ? JSON.parse(JSON.stringify(historyOf(live, cut))) : undefined;
        const snap = JSON.parse(JSON.stringify(snapshotOf(live, split ? cut : undefined))) as StateSnapshot;
        states.set(symbol, restoreState(snap, history));
      }
      const after: Recorded[] = [];
      m.run(95_000_000, 50_000, (r) => after.push(r));
      expect(after.length).toBeGreaterThan(1000);

      const replica = createReplica(SYMBOLS.map((s) => s.symbol), () => m.clock.nowUs());
      for (const [symbol, state] of states) replica.reset(symbol, state);
      for (const { symbol, batch } of after) replica.apply(symbol, batch);

      for (const { symbol } of SYMBOLS) {
        expect(snapshotOf(states.get(symbol)!)).toEqual(snapshotOf(m.sim.state(symbol)));
        const want = reads(m.sim, symbol);
        const got = reads(replica.view, symbol);
        for (const key of Object.keys(want)) expect(got[key], `${symbol} ${key}`).toEqual(want[key]);
      }
    });
  }

  it('refuses a batch whose first trade does not follow its state', () => {
    const m = testMarket({ symbols: SYMBOLS.slice(0, 1) });
    m.run(2_000_000);
    const state = restoreState(JSON.parse(JSON.stringify(snapshotOf(m.sim.state('SOLUSDT')))));
    const after: Recorded[] = [];
    m.run(5_000_000, 10_000, (r) => after.push(r));
    const replica = createReplica(['SOLUSDT'], () => m.clock.nowUs());
    replica.reset('SOLUSDT', state);
    const withTrade = after.findIndex((r) => r.batch.some((e) => e.type === 'trade'));
    const later = after.findIndex((r, i) => i > withTrade && r.batch.some((e) => e.type === 'trade'));
    expect(() => replica.apply('SOLUSDT', after[later]!.batch)).toThrow(/trade \d+ of SOLUSDT arrived, \d+ was next/);
  });
});
