// The periodic market data of one symbol, made on its 100 ms tick: diff depth and top-20 snapshots
// (100 ms and 1 s), the 24 h ticker, the 5-minute average price and the streamed rolling windows
// (1 s), open klines (1 s for 1s, 2 s for the rest) and every kline the moment it closes. Kline
// events at +08:00 only where those boundaries differ from UTC.
import type { BookTicker, DepthSnapshot, DepthSpeed, Interval, Level, MarketEvent, StreamedWindow } from './types.ts';
import { INTERVALS, STREAMED_WINDOWS } from './types.ts';
import type { SymbolModel } from './specs.ts';
import { formatUnits } from './specs.ts';
import { ASK, BID, type Book, type BookDiff, type Side } from './book.ts';
import { klineAt, type KlineSources } from './klines.ts';
import { bucketStart, SECOND_US, TZ_SENSITIVE } from './intervals.ts';
import { avgPrice, ticker24h, type LastTrade } from './ticker.ts';
import { rollingStats } from './rolling.ts';

const SNAPSHOT_LEVELS = 20;
const WINDOWS = Object.entries(STREAMED_WINDOWS) as [StreamedWindow, number][];

/** The (interval, offset) pairs with kline events of their own. */
const KLINE_STREAMS: readonly { interval: Interval; tz: number }[] = [
  ...INTERVALS.map((interval) => ({ interval, tz: 0 })),
  ...TZ_SENSITIVE.map((interval) => ({ interval, tz: 480 })),
];

export interface PublisherOptions {
  readonly model: SymbolModel;
  readonly book: Book;
  readonly sources: KlineSources;
  readonly last: () => LastTrade;
  readonly top: () => BookTicker;
}

export interface Publisher {
  /** The book's best `limit` levels a side, formatted. */
  depth(limit: number): DepthSnapshot;
  /** Events due at tick time `t` (a multiple of 100 ms), in order. */
  tick(t: number): MarketEvent[];
  /** Kline closes are counted from `nowUs` on. */
  start(nowUs: number): void;
}

export function createPublisher(opts: PublisherOptions): Publisher {
  const { model, book, sources } = opts;
  const symbol = model.spec.symbol;
  const px = (ticks: number) => formatUnits(ticks * model.tickUnits);
  const qty = (lots: number) => formatUnits(lots * model.lotUnits);
  const streams = KLINE_STREAMS.map((s) => ({ ...s, openUs: 0 }));

  const levels = (side: Side, n: number): Level[] => {
    const out: Level[] = [];
    const count = Math.min(n, book.levelCount(side));
    for (let i = 0; i < count; i++) out.push([px(book.priceAt(side, i)), qty(book.qtyAt(side, i))]);
    return out;
  };
  const depth = (limit: number): DepthSnapshot => ({ symbol, lastUpdateId: book.updateId, bids: levels(BID, limit), asks: levels(ASK, limit) });
  const diffLevels = (ls: BookDiff['bids']): Level[] => ls.map(([p, q]) => [px(p), qty(q)] as const);

  function pushDepth(t: number, speed: DepthSpeed, events: MarketEvent[]): void {
    const d = book.takeDiff(speed);
    if (d) {
      events.push({
        type: 'depthUpdate', timeUs: t, symbol, speed, firstUpdateId: d.firstUpdateId, lastUpdateId: d.lastUpdateId,
        bids: diffLevels(d.bids), asks: diffLevels(d.asks),
      });
    }
    events.push({ type: 'depthSnapshot', timeUs: t, speed, depth: depth(SNAPSHOT_LEVELS) });
  }
  function pushKline(interval: Interval, tz: number, openUs: number, t: number, events: MarketEvent[]): void {
    const k = klineAt(model, sources, interval, tz, openUs, t);
    if (k) events.push({ type: 'kline', timeUs: t, kline: k });
  }

  return {
    depth,
    start(nowUs) {
      for (const s of streams) s.openUs = bucketStart(s.interval, s.tz, nowUs);
    },
    tick(t) {
      const events: MarketEvent[] = [];
      const second = t % SECOND_US === 0;
      if (second) {
        // Every boundary is a whole second, and every whole second has a tick: closes happen here.
        for (const s of streams) {
          const open = bucketStart(s.interval, s.tz, t);
          if (open === s.openUs) continue;
          pushKline(s.interval, s.tz, s.openUs, t, events);
          s.openUs = open;
        }
      }
      pushDepth(t, 100, events);
      if (second) {
        pushDepth(t, 1000, events);
        events.push({ type: 'ticker', timeUs: t, ticker: ticker24h(model, sources.m1, opts.last(), opts.top(), t) });
        events.push({ type: 'avgPrice', timeUs: t, symbol, avg: avgPrice(model, sources.s1, sources.m1, opts.last()) });
        for (const [window, minutes] of WINDOWS) {
          events.push({ type: 'rollingTicker', timeUs: t, window, ticker: rollingStats(model, sources, minutes, t) });
        }
        const even = t % (2 * SECOND_US) === 0;
        for (const s of streams) if (s.interval === '1s' || even) pushKline(s.interval, s.tz, s.openUs, t, events);
      }
      return events;
    },
  };
}
