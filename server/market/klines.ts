// Klines built on demand from the 1 s / 1 m / 1 h bar series: any interval, any whole-minute offset,
// the open kline included, with the REST time-window rules (docs/protocol.md#rest-endpoints).
import type { Interval, Kline, TimeWindow } from './types.ts';
import type { BarSeries } from './bars.ts';
import type { SymbolModel } from './specs.ts';
import { formatScaled, formatUnits } from './specs.ts';
import { bucketNext, bucketPrev, bucketStart, HOUR_US, INTERVAL_US } from './intervals.ts';

export interface KlineSources {
  readonly s1: BarSeries;
  readonly m1: BarSeries;
  readonly h1: BarSeries;
}

/** Totals of the bars in one window; undefined when the series has no bar there. */
interface Totals {
  open: number; high: number; low: number; close: number; volume: number; quote: number;
  count: number; firstId: number; takerBase: number; takerQuote: number;
}

/** The finest series not needed: 1s from 1 s bars, sub-hour or odd offsets from 1 m, the rest from 1 h. */
export function sourceFor(src: KlineSources, interval: Interval, tzOffsetMin: number): BarSeries {
  if (interval === '1s') return src.s1;
  if (interval !== '1M' && INTERVAL_US[interval] < HOUR_US) return src.m1;
  return tzOffsetMin % 60 === 0 ? src.h1 : src.m1;
}

/** Sum the bars of `s` opening in [fromUs, toUs). Open/high/low/close only over bars that traded. */
export function totals(s: BarSeries, fromUs: number, toUs: number): Totals | undefined {
  if (s.length === 0) return undefined;
  const t0 = s.openTime(0);
  const i0 = Math.max(0, Math.ceil((fromUs - t0) / s.durUs));
  const i1 = Math.min(s.length, Math.ceil((toUs - t0) / s.durUs));
  if (i0 >= i1) return undefined;
  const out: Totals = {
    open: NaN, high: -Infinity, low: Infinity, close: s.close(i1 - 1), volume: 0, quote: 0,
    count: 0, firstId: -1, takerBase: 0, takerQuote: 0,
  };
  for (let i = i0; i < i1; i++) {
    const n = s.count(i);
    if (n === 0) continue;
    if (out.count === 0) {
      out.open = s.open(i);
      out.firstId = s.firstId(i);
    }
    const h = s.high(i);
    const l = s.low(i);
    if (h > out.high) out.high = h;
    if (l < out.low) out.low = l;
    out.volume += s.volume(i);
    out.quote += s.quote(i);
    out.count += n;
    out.takerBase += s.takerBase(i);
    out.takerQuote += s.takerQuote(i);
  }
  if (out.count === 0) out.open = out.high = out.low = out.close;
  return out;
}

/** One kline, formatted. `nowUs` decides whether it is closed. */
export function makeKline(model: SymbolModel, interval: Interval, tzOffsetMin: number, openUs: number, t: Totals, nowUs: number): Kline {
  const next = bucketNext(interval, tzOffsetMin, openUs);
  const px = (ticks: number) => formatUnits(ticks * model.tickUnits);
  return {
    symbol: model.spec.symbol,
    interval,
    tzOffsetMin,
    openTimeUs: openUs,
    closeTimeUs: next - 1000,
    firstTradeId: t.count === 0 ? -1 : t.firstId,
    lastTradeId: t.count === 0 ? -1 : t.firstId + t.count - 1,
    open: px(t.open),
    high: px(t.high),
    low: px(t.low),
    close: px(t.close),
    volume: formatScaled(t.volume, model.lotUnits),
    quoteVolume: formatScaled(t.quote, model.tickLotUnits),
    trades: t.count,
    takerBuyBase: formatScaled(t.takerBase, model.lotUnits),
    takerBuyQuote: formatScaled(t.takerQuote, model.tickLotUnits),
    closed: next <= nowUs,
  };
}

/** The kline opening at `openUs`, or undefined when no bar covers it. */
export function klineAt(model: SymbolModel, src: KlineSources, interval: Interval, tzOffsetMin: number, openUs: number, nowUs: number): Kline | undefined {
  const s = sourceFor(src, interval, tzOffsetMin);
  const t = totals(s, openUs, bucketNext(interval, tzOffsetMin, openUs));
  return t && makeKline(model, interval, tzOffsetMin, openUs, t, nowUs);
}

/** Closed klines already formatted, per `interval|tz`: they never change, and REST polls them over and over. */
export type KlineCache = Map<string, Map<number, Kline>>;
/** Entries kept per (interval, offset) before that part of the cache starts over. */
const CACHE_LIMIT = 4096;

/**
 * Klines oldest first. Neither start nor end: the newest `limit`; start: the oldest from there;
 * end: the newest opening at or before it; both: the oldest from start opening at or before end.
 */
export function queryKlines(
  model: SymbolModel, src: KlineSources, interval: Interval,
  q: TimeWindow & { readonly tzOffsetMin: number }, nowUs: number, cache?: KlineCache,
): Kline[] {
  const tz = q.tzOffsetMin;
  const s = sourceFor(src, interval, tz);
  if (s.length === 0 || q.limit <= 0) return [];
  const first = bucketStart(interval, tz, s.openTime(0));
  const last = bucketStart(interval, tz, s.openTime(s.length - 1));
  const ceilStart = (t: number) => {
    const b = bucketStart(interval, tz, t);
    return b === t ? b : bucketNext(interval, tz, b);
  };
  const out: Kline[] = [];
  let closed: Map<number, Kline> | undefined;
  if (cache) {
    const key = `${interval}|${tz}`;
    closed = cache.get(key);
    if (!closed || closed.size > CACHE_LIMIT) cache.set(key, (closed = new Map()));
  }
  const emit = (openUs: number) => {
    const k = closed?.get(openUs) ?? klineAt(model, src, interval, tz, openUs, nowUs);
    if (!k) return;
    if (closed && k.closed) closed.set(openUs, k);
    out.push(k);
  };
  if (q.startTimeUs !== undefined) {
    const end = Math.min(last, q.endTimeUs ?? Infinity);
    for (let b = Math.max(first, ceilStart(q.startTimeUs)); b <= end && out.length < q.limit; b = bucketNext(interval, tz, b)) emit(b);
    return out;
  }
  const top = q.endTimeUs === undefined ? last : Math.min(last, bucketStart(interval, tz, q.endTimeUs));
  const opens: number[] = [];
  for (let b = top; b >= first && opens.length < q.limit; b = bucketPrev(interval, tz, b)) opens.push(b);
  for (let i = opens.length - 1; i >= 0; i--) emit(opens[i]!);
  return out;
}
