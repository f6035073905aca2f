// The market's own data model: what the simulator produces and what REST and the gateway read.
// No Node or uWS imports: the dashboard and the bench use these types too.
//
// Conventions (contracts every producer and consumer relies on):
// - Times are integer microseconds since the Unix epoch (`...Us`). The wire shows milliseconds
//   (floor(us / 1000)) unless a client asked for `timeUnit=MICROSECOND`.
// - Prices and quantities are already-formatted decimal strings with the symbol's fixed decimals
//   (`"142.35000000"`), made once when the event is made, never per subscriber.
// - Ids (trade, aggregate trade, order-book update) are per symbol, start at 1 and grow by 1.

/** The 16 kline intervals, exactly as the wire spells them (`1m` a minute, `1M` a month). */
export const INTERVALS = [
  '1s', '1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w', '1M',
] as const;
export type Interval = (typeof INTERVALS)[number];

/** A symbol the market simulates and its mean taker orders per second (each makes one or more trades). */
export interface SymbolRate {
  /** Uppercase symbol, e.g. SOLUSDT. */
  readonly symbol: string;
  readonly tradesPerSec: number;
}

/** A price level: [price, quantity], both decimal strings. Quantity "0…" removes the level in a diff. */
export type Level = readonly [price: string, qty: string];

export interface SymbolSpec {
  /** Uppercase, e.g. `SOLUSDT`. */
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  /** Price grid step, as a decimal string (`"0.01000000"`). */
  readonly tickSize: string;
  /** Quantity grid step, as a decimal string (`"0.00100000"`). */
  readonly stepSize: string;
  /** Decimals used for every price and quantity string of this symbol (8, like Binance). */
  readonly decimals: number;
  readonly minQty: string;
  readonly maxQty: string;
  readonly minPrice: string;
  readonly maxPrice: string;
  readonly minNotional: string;
  readonly maxNotional: string;
}

export interface Trade {
  readonly symbol: string;
  readonly id: number;
  readonly price: string;
  readonly qty: string;
  /** price × qty, formatted. */
  readonly quoteQty: string;
  /** When the orders matched, market time (the wire's `T`). */
  readonly timeUs: number;
  /** True when the buyer was the resting (maker) order, i.e. the taker sold. */
  readonly buyerMaker: boolean;
  /**
   * When the market emitted it (its stream event's `E`), so that a replay from history sends the
   * bytes the live stream sent. Absent on synthetic history and on trades restored from a snapshot.
   */
  readonly emittedUs?: number;
}

export interface AggTrade {
  readonly symbol: string;
  readonly id: number;
  readonly price: string;
  readonly qty: string;
  readonly firstTradeId: number;
  readonly lastTradeId: number;
  readonly timeUs: number;
  readonly buyerMaker: boolean;
  /** When the market emitted it; as Trade's. */
  readonly emittedUs?: number;
}

export interface BookTicker {
  readonly symbol: string;
  /** The order-book update id this top of book is current as of. */
  readonly updateId: number;
  readonly bidPrice: string;
  readonly bidQty: string;
  readonly askPrice: string;
  readonly askQty: string;
}

export interface DepthSnapshot {
  readonly symbol: string;
  readonly lastUpdateId: number;
  /** Best (highest) first. */
  readonly bids: readonly Level[];
  /** Best (lowest) first. */
  readonly asks: readonly Level[];
}

export interface Kline {
  readonly symbol: string;
  readonly interval: Interval;
  /** Offset of the kline boundaries from UTC, in minutes (0, or 480 for `@+08:00`). */
  readonly tzOffsetMin: number;
  readonly openTimeUs: number;
  /** openTime + interval − 1 ms (in µs: openTimeUs + intervalUs − 1000). */
  readonly closeTimeUs: number;
  /** −1 when the kline has no trades. */
  readonly firstTradeId: number;
  readonly lastTradeId: number;
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly close: string;
  readonly volume: string;
  readonly quoteVolume: string;
  readonly trades: number;
  readonly takerBuyBase: string;
  readonly takerBuyQuote: string;
  readonly closed: boolean;
}

/** Rolling 24 h statistics, with REST field names. */
export interface Ticker24h {
  readonly symbol: string;
  readonly priceChange: string;
  readonly priceChangePercent: string;
  readonly weightedAvgPrice: string;
  readonly prevClosePrice: string;
  readonly lastPrice: string;
  readonly lastQty: string;
  readonly bidPrice: string;
  readonly bidQty: string;
  readonly askPrice: string;
  readonly askQty: string;
  readonly openPrice: string;
  readonly highPrice: string;
  readonly lowPrice: string;
  readonly volume: string;
  readonly quoteVolume: string;
  readonly openTimeUs: number;
  readonly closeTimeUs: number;
  readonly firstId: number;
  readonly lastId: number;
  readonly count: number;
}

/**
 * Statistics of a rolling window of whole minutes (GET /api/v3/ticker, `<sym>@ticker_<1h|4h|1d>`),
 * all decimals formatted. Prices are named as on the stream (`open`, `last`); REST renames them.
 */
export interface RollingTicker {
  readonly symbol: string;
  readonly priceChange: string;
  /** Three decimals, like the 24 h ticker's. */
  readonly priceChangePercent: string;
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly last: string;
  /** quoteVolume / volume; zero when the window has no volume. */
  readonly weightedAvgPrice: string;
  readonly volume: string;
  readonly quoteVolume: string;
  readonly openTimeUs: number;
  readonly closeTimeUs: number;
  /** −1 when the window has no trades. */
  readonly firstId: number;
  readonly lastId: number;
  readonly count: number;
}

/** Volume-weighted average price of the last `mins` minutes; closeTimeUs is the last trade's time. */
export interface AvgPrice {
  readonly mins: number;
  readonly price: string;
  readonly closeTimeUs: number;
}

/** The rolling windows streamed as `<sym>@ticker_<window>`, in minutes. */
export const STREAMED_WINDOWS = { '1h': 60, '4h': 240, '1d': 1440 } as const;
export type StreamedWindow = keyof typeof STREAMED_WINDOWS;

/** Diff-depth cadences the wire offers. */
export type DepthSpeed = 100 | 1000;

/**
 * Everything the market emits. Events that happen together travel together as one batch (see
 * Bus), in the order they happened. Two times: `timeUs` is market time, when the event happened
 * on the market's own schedule (the match time a trade's `T` carries; klines, tickers and history
 * follow it, so a market run on a manual clock replays exactly); `emittedUs` is the moment the
 * market handed the batch on, read from the clock as it did (the wire's event time `E`). The
 * market's timer wakes a little after an event is due, so `emittedUs ≥ timeUs`; the gap is the
 * timer's lateness, and a client's `receipt − E` holds none of it. `emittedUs` is absent on
 * events made without emitting (history, warm-up): read the event time with `eventTimeUs`.
 */
export type MarketEvent = EventTimes &
  (
  | { readonly type: 'trade'; readonly timeUs: number; readonly trade: Trade }
  | { readonly type: 'aggTrade'; readonly timeUs: number; readonly aggTrade: AggTrade }
  | { readonly type: 'bookTicker'; readonly timeUs: number; readonly book: BookTicker }
  | {
      readonly type: 'depthUpdate';
      readonly timeUs: number;
      readonly symbol: string;
      readonly speed: DepthSpeed;
      /** First update id in this event: the previous event's lastUpdateId + 1 for the same speed. */
      readonly firstUpdateId: number;
      readonly lastUpdateId: number;
      readonly bids: readonly Level[];
      readonly asks: readonly Level[];
    }
  | {
      readonly type: 'depthSnapshot';
      readonly timeUs: number;
      readonly speed: DepthSpeed;
      /** The best 20 levels a side; partial-depth streams of 5 and 10 take a prefix. */
      readonly depth: DepthSnapshot;
    }
  /** Once per second per symbol: feeds `@ticker`, `@miniTicker` and the `!…@arr` streams. */
  | { readonly type: 'ticker'; readonly timeUs: number; readonly ticker: Ticker24h }
  /** Every 1 s (1s interval) or 2 s (others), and at once when a kline closes. */
  | { readonly type: 'kline'; readonly timeUs: number; readonly kline: Kline }
  /** Once per second per symbol, with the ticker: feeds `@avgPrice`. */
  | { readonly type: 'avgPrice'; readonly timeUs: number; readonly symbol: string; readonly avg: AvgPrice }
  /**
   * Once per second per symbol and streamed window, with the ticker: feeds `@ticker_<1h|4h|1d>`.
   * Made by the market, not by a gateway at publish time, so every gateway sends the same bytes.
   */
  | { readonly type: 'rollingTicker'; readonly timeUs: number; readonly window: StreamedWindow; readonly ticker: RollingTicker }
  );

interface EventTimes {
  /** When the market emitted the event, µs (the wire's `E`); see MarketEvent. */
  readonly emittedUs?: number;
}

/** The wire's event time `E` of an event: when the market emitted it (market time if it never was). */
export function eventTimeUs(ev: MarketEvent): number {
  return ev.emittedUs ?? ev.timeUs;
}

export type MarketEventType = MarketEvent['type'];

/** Window selectors shared by the REST queries (all times in µs; limits already validated). */
export interface TimeWindow {
  readonly startTimeUs?: number;
  readonly endTimeUs?: number;
  readonly limit: number;
}

/**
 * Every read of the market that REST makes (the gateway's streams read events only). The simulator
 * implements it; a fleet gateway implements it from a replica built from a snapshot and the event log.
 */
export interface MarketView {
  readonly specs: readonly SymbolSpec[];
  /** Current time of the market's clock, µs. */
  nowUs(): number;
  spec(symbol: string): SymbolSpec | undefined;
  depth(symbol: string, limit: number): DepthSnapshot;
  bookTicker(symbol: string): BookTicker;
  /** The newest `limit` trades, oldest first. */
  recentTrades(symbol: string, limit: number): readonly Trade[];
  /**
   * Up to `limit` consecutive trades, oldest first, starting at id `fromId` (inclusive). Only the
   * newest trades are held (a ring): a fromId older than the oldest held starts at the oldest held;
   * a fromId beyond the newest gives []. Without fromId: the newest `limit`, like recentTrades.
   */
  tradesFrom(symbol: string, fromId: number | undefined, limit: number): readonly Trade[];
  /** Oldest first. With fromId: from that id on (inclusive); otherwise by TimeWindow rules. */
  aggTrades(symbol: string, q: TimeWindow & { readonly fromId?: number }): readonly AggTrade[];
  /** Oldest first, the open kline included. */
  klines(symbol: string, interval: Interval, q: TimeWindow & { readonly tzOffsetMin: number }): readonly Kline[];
  ticker24h(symbol: string): Ticker24h;
  /**
   * Statistics of the last `windowMinutes` (1 to 10 080, i.e. 7 days) as of now, from 1-minute
   * buckets as Binance computes them: closeTime is now, openTime is now − window rounded down to
   * the minute. A window reaching past the 1-minute history held may fold that oldest hour whole.
   */
  rollingTicker(symbol: string, windowMinutes: number): RollingTicker;
  /** Volume-weighted average price of the last 5 minutes. */
  avgPrice(symbol: string): AvgPrice;
}
