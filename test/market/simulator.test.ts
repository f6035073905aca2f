// The simulator's event stream: determinism, book invariants, trades and the depth-diff contract.
import { describe, expect, it } from 'vitest';
import { eventsOf, testMarket, units, type Recorded } from './harness.ts';
import { symbolModel } from '../../server/market/specs.ts';
import { eventTimeUs, type BookTicker, type MarketEvent } from '../../server/market/types.ts';

const TWO_SYMBOLS = [
  { symbol: 'SOLUSDT', tradesPerSec: 30 },
  { symbol: 'BTCUSDT', tradesPerSec: 10 },
];

describe('determinism', () => {
  it('gives byte-identical events for the same seed and clock steps', () => {
    const a = testMarket({ seed: 11, symbols: TWO_SYMBOLS });
    const b = testMarket({ seed: 11, symbols: TWO_SYMBOLS });
    a.run(5_000_000, 37_000);
    b.run(5_000_000, 37_000);
    expect(a.batches.length).toBeGreaterThan(100);
    expect(JSON.stringify(b.batches)).toBe(JSON.stringify(a.batches));
    expect(JSON.stringify(b.sim.depth('BTCUSDT', 1000))).toBe(JSON.stringify(a.sim.depth('BTCUSDT', 1000)));
  });

  it('gives the same events whether the clock moves in small or large steps', () => {
    const a = testMarket({ seed: 11, symbols: TWO_SYMBOLS });
    const b = testMarket({ seed: 11, symbols: TWO_SYMBOLS });
    a.run(3_000_000, 1_000);
    b.run(3_000_000, 1_500_000);
    // Market time and content are the schedule's; only the emission stamps (the wire's E) differ.
    const withoutStamps = (m: typeof a) =>
      JSON.stringify(m.batches, (k, v) => (k === 'emittedUs' ? undefined : v));
    expect(withoutStamps(b)).toBe(withoutStamps(a));
  });

  it('stamps each batch with the clock as it is emitted, never before the event was due', () => {
    const stepUs = 250_000;
    const m = testMarket({ seed: 11, symbols: TWO_SYMBOLS });
    const startUs = m.clock.nowUs();
    m.run(3_000_000, stepUs);
    let late = 0;
    for (const { batch } of m.batches) {
      for (const e of batch) {
        // The wake-up that emitted it: the first clock step at or after the event was due.
        expect(e.emittedUs).toBe(startUs + Math.ceil((e.timeUs - startUs) / stepUs) * stepUs);
        expect(eventTimeUs(e)).toBe(e.emittedUs);
        if (e.type === 'trade') expect(e.trade.emittedUs).toBe(e.emittedUs);
        if (e.emittedUs! > e.timeUs) late++;
      }
    }
    expect(late).toBeGreaterThan(0);
    // The history keeps the stamp: a replay of a trade sends the bytes the stream sent.
    const last = eventsOf(m.batches, 'trade').filter((e) => e.trade.symbol === 'SOLUSDT').at(-1)!;
    expect(m.sim.recentTrades('SOLUSDT', 1)[0]).toEqual(last.trade);
  });

  it('gives different events for a different seed', () => {
    const a = testMarket({ seed: 11 });
    const b = testMarket({ seed: 12 });
    a.run(2_000_000);
    b.run(2_000_000);
    expect(JSON.stringify(b.batches)).not.toBe(JSON.stringify(a.batches));
    expect(a.sim.bookTicker('SOLUSDT')).not.toEqual(b.sim.bookTicker('SOLUSDT'));
  });
});

describe('book and trades', () => {
  for (const { symbol } of TWO_SYMBOLS) {
    it(`keeps ${symbol} prices on the tick grid, sizes on the lot grid, bid below ask and 20+ levels a side`, () => {
      const m = testMarket({ symbols: TWO_SYMBOLS });
      const model = symbolModel(symbol);
      const tick = BigInt(model.tickUnits);
      const lot = BigInt(model.lotUnits);
      const onGrid = ([p, q]: readonly [string, string]) => units(p) % tick === 0n && units(q) % lot === 0n && units(q) > 0n;
      let checked = 0;
      m.run(10_000_000, 50_000, (r) => {
        if (r.symbol !== symbol) return;
        for (const e of r.batch) {
          if (e.type === 'trade') {
            expect(onGrid([e.trade.price, e.trade.qty])).toBe(true);
          } else if (e.type === 'depthSnapshot') {
            const { bids, asks } = e.depth;
            expect(bids.length).toBe(20);
            expect(asks.length).toBe(20);
            expect(bids.every(onGrid) && asks.every(onGrid)).toBe(true);
            for (let i = 1; i < 20; i++) {
              expect(units(bids[i]![0]) < units(bids[i - 1]![0])).toBe(true);
              expect(units(asks[i]![0]) > units(asks[i - 1]![0])).toBe(true);
            }
            expect(units(bids[0]![0]) < units(asks[0]![0])).toBe(true);
            checked++;
          }
        }
        const full = m.sim.depth(symbol, 5000);
        expect(full.bids.length).toBeGreaterThanOrEqual(20);
        expect(full.asks.length).toBeGreaterThanOrEqual(20);
        expect(units(full.bids[0]![0]) < units(full.asks[0]![0])).toBe(true);
      });
      expect(checked).toBeGreaterThan(100);
    });
  }

  it('numbers trades and aggTrades without gaps, each aggTrade covering its trades at one price', () => {
    const m = testMarket({ symbols: TWO_SYMBOLS });
    const lastTrade = new Map<string, number>();
    const lastAgg = new Map<string, number>();
    for (const { symbol } of TWO_SYMBOLS) {
      lastTrade.set(symbol, m.sim.recentTrades(symbol, 1)[0]!.id);
      lastAgg.set(symbol, m.sim.aggTrades(symbol, { limit: 1 })[0]!.id);
    }
    let aggs = 0;
    m.run(10_000_000, 20_000, ({ symbol, batch }) => {
      const trades = batch.filter((e) => e.type === 'trade').map((e) => e.trade);
      for (const t of trades) {
        expect(t.id).toBe(lastTrade.get(symbol)! + 1);
        lastTrade.set(symbol, t.id);
      }
      let covered = 0;
      for (const e of batch) {
        if (e.type !== 'aggTrade') continue;
        const a = e.aggTrade;
        aggs++;
        expect(a.id).toBe(lastAgg.get(symbol)! + 1);
        lastAgg.set(symbol, a.id);
        const mine = trades.filter((t) => t.id >= a.firstTradeId && t.id <= a.lastTradeId);
        expect(mine.length).toBe(a.lastTradeId - a.firstTradeId + 1);
        expect(mine.every((t) => t.price === a.price && t.buyerMaker === a.buyerMaker && t.timeUs === a.timeUs)).toBe(true);
        expect(mine.reduce((s, t) => s + units(t.qty), 0n)).toBe(units(a.qty));
        covered += mine.length;
      }
      expect(covered).toBe(trades.length);
    });
    expect(aggs).toBeGreaterThan(200);
  });

  it('marks the buyer as maker exactly when the taker sold into the bid', () => {
    const m = testMarket({ symbols: TWO_SYMBOLS });
    const top = new Map<string, BookTicker>(TWO_SYMBOLS.map(({ symbol }) => [symbol, m.sim.bookTicker(symbol)]));
    let sells = 0;
    let buys = 0;
    m.run(10_000_000, 20_000, ({ symbol, batch }) => {
      const trades = batch.filter((e) => e.type === 'trade').map((e) => e.trade);
      if (trades.length > 0) {
        const first = trades[0]!;
        const before = top.get(symbol)!;
        // The taker hits the best price on the other side first, then walks away from it.
        expect(first.price).toBe(first.buyerMaker ? before.bidPrice : before.askPrice);
        for (let i = 1; i < trades.length; i++) {
          const d = units(trades[i]!.price) - units(trades[i - 1]!.price);
          expect(first.buyerMaker ? d <= 0n : d >= 0n).toBe(true);
          expect(trades[i]!.buyerMaker).toBe(first.buyerMaker);
        }
        if (first.buyerMaker) sells++;
        else buys++;
      }
      for (const e of batch) if (e.type === 'bookTicker') top.set(symbol, e.book);
    });
    expect(sells).toBeGreaterThan(50);
    expect(buys).toBeGreaterThan(50);
  });

  // REST depth is the book as of the newest diff-depth event (what every gateway of a fleet can
  // serve alike); bookTicker moves between diffs, further along the same sequence.
  it('sends bookTicker, partial depth and diff depth from the one update-id sequence of the REST book', () => {
    const m = testMarket();
    let tickers = 0;
    m.run(5_000_000, 20_000, ({ symbol, batch }) => {
      const book = m.sim.depth(symbol, 1);
      const last = batch[batch.length - 1]!;
      if (last.type === 'bookTicker') {
        tickers++;
        expect(last.book.updateId).toBeGreaterThanOrEqual(book.lastUpdateId);
        expect(m.sim.bookTicker(symbol)).toEqual(last.book);
      }
      for (const e of batch) {
        if (e.type === 'depthSnapshot') expect(e.depth.lastUpdateId).toBe(book.lastUpdateId);
        if (e.type === 'depthUpdate') expect(e.lastUpdateId).toBe(book.lastUpdateId);
      }
    });
    expect(tickers).toBeGreaterThan(50);
  });

  for (const speed of [100, 1000] as const) {
    it(`chains @depth@${speed}ms diffs (U = previous u + 1) and they rebuild the REST book from a snapshot`, () => {
      const m = testMarket({ symbols: TWO_SYMBOLS });
      const symbol = 'BTCUSDT';
      const diffs = (rs: readonly Recorded[]) =>
        eventsOf(rs, 'depthUpdate').filter((e) => e.symbol === symbol && e.speed === speed);
      // The client opens the stream first, then fetches the snapshot, as Binance documents.
      m.run(2_500_000);
      const snapshot = m.sim.depth(symbol, 5000);
      // End on a whole second, where both cadences have just published.
      m.run(5_500_000);
      const all = diffs(m.batches);
      for (let i = 1; i < all.length; i++) expect(all[i]!.firstUpdateId).toBe(all[i - 1]!.lastUpdateId + 1);

      const bids = new Map(snapshot.bids.map(([p, q]) => [p, q]));
      const asks = new Map(snapshot.asks.map(([p, q]) => [p, q]));
      const pending = all.filter((e) => e.lastUpdateId > snapshot.lastUpdateId);
      expect(pending[0]!.firstUpdateId).toBeLessThanOrEqual(snapshot.lastUpdateId + 1);
      for (const e of pending) {
        for (const [side, levels] of [[bids, e.bids], [asks, e.asks]] as const) {
          for (const [p, q] of levels) {
            if (units(q) === 0n) side.delete(p);
            else side.set(p, q);
          }
        }
      }
      const now = m.sim.depth(symbol, 5000);
      expect(pending.at(-1)!.lastUpdateId).toBe(now.lastUpdateId);
      const sorted = (side: Map<string, string>, desc: boolean) =>
        [...side].sort((x, y) => (units(x[0]) < units(y[0]) ? -1 : 1) * (desc ? -1 : 1));
      expect(sorted(bids, true)).toEqual(now.bids);
      expect(sorted(asks, false)).toEqual(now.asks);
    });
  }

  it('emits a diff only when the book changed, and partial depth every period', () => {
    const m = testMarket();
    m.run(3_000_000);
    const snaps = eventsOf(m.batches, 'depthSnapshot');
    expect(snaps.filter((e) => e.speed === 100).length).toBe(30);
    expect(snaps.filter((e) => e.speed === 1000).length).toBe(3);
    for (const e of eventsOf(m.batches, 'depthUpdate')) {
      expect(e.lastUpdateId).toBeGreaterThanOrEqual(e.firstUpdateId);
      expect(e.bids.length + e.asks.length).toBeGreaterThan(0);
    }
  });
});

describe('symbols and views', () => {
  it('gives the known symbols realistic prices and any other USDT symbol a deterministic generic spec', () => {
    const m = testMarket({
      symbols: [
        { symbol: 'SOLUSDT', tradesPerSec: 5 }, { symbol: 'BTCUSDT', tradesPerSec: 5 }, { symbol: 'ETHUSDT', tradesPerSec: 5 },
        { symbol: 'BNBUSDT', tradesPerSec: 5 }, { symbol: 'DOGEUSDT', tradesPerSec: 5 },
      ],
    });
    const mid = (s: string) => Number(m.sim.bookTicker(s).bidPrice);
    expect(mid('SOLUSDT')).toBeGreaterThan(100);
    expect(mid('SOLUSDT')).toBeLessThan(200);
    expect(mid('BTCUSDT')).toBeGreaterThan(70_000);
    expect(mid('BTCUSDT')).toBeLessThan(120_000);
    expect(mid('ETHUSDT')).toBeGreaterThan(2_500);
    expect(mid('ETHUSDT')).toBeLessThan(4_200);
    expect(mid('BNBUSDT')).toBeGreaterThan(450);
    expect(mid('BNBUSDT')).toBeLessThan(850);
    const doge = m.sim.spec('DOGEUSDT')!;
    expect(doge).toEqual(symbolModel('DOGEUSDT').spec);
    expect(doge.baseAsset).toBe('DOGE');
    expect(units(doge.tickSize) > 0n && units(doge.stepSize) > 0n).toBe(true);
    expect(mid('DOGEUSDT')).toBeGreaterThan(0);
    expect(m.sim.specs.map((s) => s.symbol)).toEqual(['SOLUSDT', 'BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'DOGEUSDT']);
  });

  it('answers an unknown symbol with a clear error, not a crash elsewhere', () => {
    const m = testMarket();
    expect(m.sim.spec('XRPUSDT')).toBeUndefined();
    expect(() => m.sim.depth('XRPUSDT', 10)).toThrow(/unknown symbol "XRPUSDT"/);
    expect(() => m.sim.ticker24h('nope')).toThrow(/unknown symbol/);
    expect(() => m.sim.klines('SOLUSDT', '1m', { limit: 5, tzOffsetMin: 900 })).toThrow(/tzOffsetMin/);
  });

  it('keeps memory bounded: trade rings stop at 10,000', () => {
    const m = testMarket({ symbols: [{ symbol: 'SOLUSDT', tradesPerSec: 2000 }] });
    m.run(3_000_000, 100_000);
    expect(m.sim.recentTrades('SOLUSDT', 50_000).length).toBe(10_000);
    expect(m.sim.aggTrades('SOLUSDT', { limit: 50_000 }).length).toBe(10_000);
  });
});

export type { MarketEvent };
