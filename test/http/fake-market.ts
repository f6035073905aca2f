// A hand-written MarketView for REST tests: fixed, seeded history and a log of the windows it was asked for.
import type { Clock } from '../../server/market/clock.ts';
import { createRandom } from '../../server/market/random.ts';
import { foldKlines, rollingKlines, rollingOpenTime } from '../../server/market/rolling.ts';
import type {
  AggTrade, BookTicker, DepthSnapshot, Interval, Kline, Level, MarketView, RollingTicker, SymbolSpec, Ticker24h, TimeWindow, Trade,
} from '../../server/market/types.ts';

/** Fixed-length intervals in µs (the fake has no months). */
const INTERVAL_US: Partial<Record<Interval, number>> = {
  '1s': 1e6, '1m': 60e6, '3m': 180e6, '5m': 300e6, '15m': 900e6, '30m': 1800e6,
  '1h': 3600e6, '2h': 7200e6, '4h': 14400e6, '6h': 21600e6, '8h': 28800e6, '12h': 43200e6,
  '1d': 86400e6, '3d': 259200e6, '1w': 604800e6,
};

export interface FakeMarket extends MarketView {
  /** Every aggTrades/klines/tradesFrom/rollingTicker query, in order, as the view received it. */
  readonly queries: { kind: 'aggTrades' | 'klines' | 'tradesFrom' | 'rollingTicker'; symbol: string; q: object }[];
  /** Make the next call of `method` throw (to test the 500 path). */
  failNext(method: 'ticker24h' | 'depth'): void;
}

export interface FakeMarketOptions {
  readonly symbols?: readonly string[];
  readonly seed?: number;
  /** Trades per symbol, one every 250 ms ending at the clock's time when the fake is made. */
  readonly trades?: number;
}

const fmt = (n: number) => n.toFixed(8);

/** A fixed-seed source (the simulator's own PRNG), so every run makes the same cases. */
const mulberry32 = (seed: number): (() => number) => {
  const r = createRandom(seed);
  return () => r.next();
};

/** Binance's window rules: neither bound ⇒ newest `limit`; a start ⇒ oldest from there; an end only ⇒ newest up to it. */
export function pickWindow<T>(rows: readonly T[], time: (r: T) => number, q: TimeWindow): T[] {
  const inside = rows.filter(
    (r) => (q.startTimeUs === undefined || time(r) >= q.startTimeUs) && (q.endTimeUs === undefined || time(r) <= q.endTimeUs),
  );
  return q.startTimeUs !== undefined ? inside.slice(0, q.limit) : inside.slice(-q.limit);
}

export function createFakeMarket(clock: Clock, opts: FakeMarketOptions = {}): FakeMarket {
  const symbols = opts.symbols ?? ['SOLUSDT', 'BTCUSDT'];
  const random = mulberry32(opts.seed ?? 7);
  const count = opts.trades ?? 1200;
  const nowAtStart = clock.nowUs();
  const failing = new Set<string>();
  const queries: FakeMarket['queries'] = [];

  const specs: SymbolSpec[] = symbols.map((symbol) => ({
    symbol,
    baseAsset: symbol.replace(/USDT$/, ''),
    quoteAsset: 'USDT',
    tickSize: '0.01000000',
    stepSize: '0.00100000',
    decimals: 8,
    minQty: '0.00100000',
    maxQty: '90000.00000000',
    minPrice: '0.01000000',
    maxPrice: '1000000.00000000',
    minNotional: '5.00000000',
    maxNotional: '9000000.00000000',
  }));

  const trades = new Map<string, Trade[]>();
  const aggs = new Map<string, AggTrade[]>();
  for (const symbol of symbols) {
    let price = 100 + random() * 100;
    const list: Trade[] = [];
    for (let i = 1; i <= count; i++) {
      price = Math.max(1, price + (random() - 0.5));
      const qty = 0.001 + random() * 5;
      // Sub-millisecond times, so flooring to ms is visible.
      const timeUs = nowAtStart - (count - i) * 250_000 - 137;
      list.push({ symbol, id: i, price: fmt(price), qty: fmt(qty), quoteQty: fmt(price * qty), timeUs, buyerMaker: random() < 0.5 });
    }
    trades.set(symbol, list);
    // Two trades per aggregate.
    const aggList: AggTrade[] = [];
    for (let i = 0; i + 1 < list.length; i += 2) {
      const a = list[i]!;
      const b = list[i + 1]!;
      aggList.push({
        symbol, id: aggList.length + 1, price: a.price, qty: fmt(Number(a.qty) + Number(b.qty)),
        firstTradeId: a.id, lastTradeId: b.id, timeUs: a.timeUs, buyerMaker: a.buyerMaker,
      });
    }
    aggs.set(symbol, aggList);
  }

  const must = <T>(map: Map<string, T>, symbol: string): T => {
    const v = map.get(symbol);
    if (v === undefined) throw new Error(`fake market: unknown symbol ${symbol}`);
    return v;
  };
  const maybeFail = (method: string) => {
    if (failing.delete(method)) throw new Error(`fake market: ${method} failed on purpose`);
  };
  const last = (symbol: string) => must(trades, symbol).at(-1)!;

  return {
    specs,
    queries,
    failNext: (method) => void failing.add(method),
    nowUs: () => clock.nowUs(),
    spec: (symbol) => specs.find((s) => s.symbol === symbol),
    depth(symbol, limit): DepthSnapshot {
      maybeFail('depth');
      const mid = Number(last(symbol).price);
      const side = (dir: number): Level[] =>
        Array.from({ length: Math.min(limit, 5000) }, (_, i) => [fmt(mid + dir * 0.01 * (i + 1)), fmt(1 + (i % 7))] as const);
      return { symbol, lastUpdateId: 1000 + count, bids: side(-1), asks: side(1) };
    },
    bookTicker(symbol): BookTicker {
      const mid = Number(last(symbol).price);
      return { symbol, updateId: 1000 + count, bidPrice: fmt(mid - 0.01), bidQty: fmt(3), askPrice: fmt(mid + 0.01), askQty: fmt(4) };
    },
    recentTrades: (symbol, limit) => must(trades, symbol).slice(-limit),
    tradesFrom(symbol, fromId, limit) {
      queries.push({ kind: 'tradesFrom', symbol, q: { fromId, limit } });
      const list = must(trades, symbol);
      if (fromId === undefined) return list.slice(-limit);
      return list.filter((t) => t.id >= fromId).slice(0, limit);
    },
    aggTrades(symbol, q) {
      queries.push({ kind: 'aggTrades', symbol, q: { ...q } });
      const list = must(aggs, symbol);
      if (q.fromId !== undefined) return list.filter((a) => a.id >= q.fromId!).slice(0, q.limit);
      return pickWindow(list, (a) => a.timeUs, q);
    },
    klines(symbol, interval, q): Kline[] {
      queries.push({ kind: 'klines', symbol, q: { interval, ...q } });
      const len = INTERVAL_US[interval];
      if (len === undefined) throw new Error(`fake market: no ${interval} klines`);
      const tzUs = q.tzOffsetMin * 60e6;
      const now = clock.nowUs();
      const newestOpen = Math.floor((now + tzUs) / len) * len - tzUs;
      const rows: Kline[] = [];
      for (let i = 1999; i >= 0; i--) {
        const openTimeUs = newestOpen - i * len;
        const p = fmt(100 + (i % 13));
        rows.push({
          symbol, interval, tzOffsetMin: q.tzOffsetMin, openTimeUs, closeTimeUs: openTimeUs + len - 1000,
          firstTradeId: 2 * i + 1, lastTradeId: 2 * i + 2, open: p, high: p, low: p, close: p,
          volume: fmt(2), quoteVolume: fmt(200), trades: 2, takerBuyBase: fmt(1), takerBuyQuote: fmt(100), closed: i > 0,
        });
      }
      return pickWindow(rows, (k) => k.openTimeUs, q);
    },
    ticker24h(symbol): Ticker24h {
      maybeFail('ticker24h');
      const list = must(trades, symbol);
      const first = list[0]!;
      const end = list.at(-1)!;
      const book = this.bookTicker(symbol);
      return {
        symbol,
        priceChange: fmt(Number(end.price) - Number(first.price)),
        priceChangePercent: ((Number(end.price) / Number(first.price) - 1) * 100).toFixed(3),
        weightedAvgPrice: end.price,
        prevClosePrice: first.price,
        lastPrice: end.price,
        lastQty: end.qty,
        bidPrice: book.bidPrice,
        bidQty: book.bidQty,
        askPrice: book.askPrice,
        askQty: book.askQty,
        openPrice: first.price,
        highPrice: end.price,
        lowPrice: first.price,
        volume: fmt(list.length),
        quoteVolume: fmt(list.length * 100),
        openTimeUs: clock.nowUs() - 86_400_000_000,
        closeTimeUs: clock.nowUs(),
        firstId: first.id,
        lastId: end.id,
        count: list.length,
      };
    },
    rollingTicker(symbol, windowMinutes): RollingTicker {
      queries.push({ kind: 'rollingTicker', symbol, q: { windowMinutes } });
      const now = clock.nowUs();
      const openTimeUs = rollingOpenTime(now, windowMinutes);
      // The fake holds 2000 klines of each interval: its oldest 1m kline opens 1999 minutes back.
      const minuteFromUs = Math.floor(now / 60e6) * 60e6 - 1999 * 60e6;
      const klines = rollingKlines((interval, q) => this.klines(symbol, interval, q), openTimeUs, now, minuteFromUs);
      return foldKlines(klines, 8, now, openTimeUs)!;
    },
    avgPrice(symbol) {
      return { mins: 5, price: last(symbol).price, closeTimeUs: last(symbol).timeUs };
    },
  };
}
