// MarketView over symbol states: the one query code REST reads, whether the states are the
// simulator's own or a replica's built from a snapshot and the event log.
import type { AggTrade, DepthSnapshot, Interval, Kline, Level, MarketView, SymbolSpec, TimeWindow, Trade } from './types.ts';
import { formatUnits, symbolModel } from './specs.ts';
import { ASK, BID, type Side } from './book.ts';
import { queryKlines, type KlineCache } from './klines.ts';
import { avgPrice, ticker24h } from './ticker.ts';
import { rollingStats } from './rolling.ts';
import { INTERVAL_US, MAX_TZ_MIN, MIN_TZ_MIN } from './intervals.ts';
import type { SymbolState } from './state.ts';

export interface ViewSource {
  /** The state of a symbol, undefined when unknown. A replica may swap a symbol's state (resync). */
  state(symbol: string): SymbolState | undefined;
  /** Symbols in their configured order. */
  readonly symbols: readonly string[];
  /** "Now" for reads (ticker closeTime, open klines): never before the newest event applied. */
  nowUs(): number;
  /** The clock's time, for /api/v3/time. */
  clockUs(): number;
}

export function createMarketView(src: ViewSource): MarketView {
  // Closed klines are formatted once per state and kept (a resync's new state starts a new cache).
  const caches = new WeakMap<SymbolState, KlineCache>();
  const cacheOf = (s: SymbolState): KlineCache => {
    let cache = caches.get(s);
    if (!cache) caches.set(s, (cache = new Map()));
    return cache;
  };
  const get = (symbol: string): SymbolState => {
    const s = src.state(symbol);
    if (!s) throw new Error(`market: unknown symbol ${JSON.stringify(symbol)}`);
    return s;
  };
  const now = (s: SymbolState) => Math.max(src.nowUs(), s.timeUs);
  // Specs follow from the symbol alone, so they are known before any state is (a replica catching up).
  const bySymbol = new Map(src.symbols.map((sym) => [sym, symbolModel(sym).spec]));
  const specs = [...bySymbol.values()] as readonly SymbolSpec[];

  const depth = (s: SymbolState, limit: number): DepthSnapshot => {
    const px = (ticks: number) => formatUnits(ticks * s.model.tickUnits);
    const qty = (lots: number) => formatUnits(lots * s.model.lotUnits);
    const levels = (side: Side): Level[] => {
      const out: Level[] = [];
      const n = Math.min(limit, s.book.levelCount(side));
      for (let i = 0; i < n; i++) out.push([px(s.book.priceAt(side, i)), qty(s.book.qtyAt(side, i))]);
      return out;
    };
    return { symbol: s.model.spec.symbol, lastUpdateId: s.book.updateId, bids: levels(BID), asks: levels(ASK) };
  };
  const bookTicker = (s: SymbolState) => {
    if (s.top) return s.top;
    const d = depth(s, 1);
    const zero = formatUnits(0);
    return {
      symbol: d.symbol, updateId: d.lastUpdateId,
      bidPrice: d.bids[0]?.[0] ?? zero, bidQty: d.bids[0]?.[1] ?? zero, askPrice: d.asks[0]?.[0] ?? zero, askQty: d.asks[0]?.[1] ?? zero,
    };
  };

  return {
    specs,
    nowUs: () => src.clockUs(),
    spec: (symbol) => bySymbol.get(symbol),
    depth: (symbol, limit) => depth(get(symbol), limit),
    bookTicker: (symbol) => bookTicker(get(symbol)),
    recentTrades: (symbol, limit) => get(symbol).trades.newest(limit),
    tradesFrom(symbol, fromId, limit) {
      const ring = get(symbol).trades;
      if (fromId === undefined) return ring.newest(limit);
      const out: Trade[] = [];
      for (let i = ring.lowerBound(fromId, (t) => t.id); i < ring.length && out.length < limit; i++) out.push(ring.get(i));
      return out;
    },
    aggTrades(symbol, q) {
      const ring = get(symbol).aggTrades;
      const out: AggTrade[] = [];
      const take = (from: number, to: number) => {
        for (let i = Math.max(0, from); i < to && out.length < q.limit; i++) out.push(ring.get(i));
        return out;
      };
      if (q.fromId !== undefined) return take(ring.lowerBound(q.fromId, (a) => a.id), ring.length);
      const byTime = (a: AggTrade) => a.timeUs;
      const end = q.endTimeUs === undefined ? ring.length : ring.lowerBound(q.endTimeUs + 1, byTime);
      if (q.startTimeUs !== undefined) return take(ring.lowerBound(q.startTimeUs, byTime), end);
      return take(end - q.limit, end);
    },
    klines(symbol, interval, q): Kline[] {
      checkKlineQuery(interval, q);
      const s = get(symbol);
      return queryKlines(s.model, s.sources, interval, q, now(s), cacheOf(s));
    },
    ticker24h(symbol) {
      const s = get(symbol);
      return ticker24h(s.model, s.sources.m1, s.last, bookTicker(s), now(s));
    },
    rollingTicker(symbol, windowMinutes) {
      const s = get(symbol);
      return rollingStats(s.model, s.sources, windowMinutes, now(s), cacheOf(s));
    },
    avgPrice(symbol) {
      const s = get(symbol);
      return avgPrice(s.model, s.sources.s1, s.sources.m1, s.last);
    },
  } satisfies MarketView;
}

function checkKlineQuery(interval: Interval, q: TimeWindow & { readonly tzOffsetMin: number }): void {
  if (!Object.hasOwn(INTERVAL_US, interval)) throw new RangeError(`market: unknown kline interval ${JSON.stringify(interval)}`);
  const tz = q.tzOffsetMin;
  if (!Number.isInteger(tz) || tz < MIN_TZ_MIN || tz > MAX_TZ_MIN) {
    throw new RangeError(`market: tzOffsetMin must be a whole number of minutes from ${MIN_TZ_MIN} to ${MAX_TZ_MIN}, got ${tz}`);
  }
}
