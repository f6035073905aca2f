// Rolling-window statistics folded from klines: GET /api/v3/ticker and `<sym>@ticker_<1h|4h|1d>`.
//
// Binance computes these windows with minute precision. Sums are exact: decimal strings are added as
// integers of the symbol's decimals (BigInt), never as floats. No Node or uWS imports.
import type { Interval, Kline, RollingTicker, TimeWindow } from './types.ts';
import type { SymbolModel } from './specs.ts';
import { queryKlines, type KlineCache, type KlineSources } from './klines.ts';
import { HOUR_US, MINUTE_US } from './intervals.ts';

/** Longest window GET /api/v3/ticker accepts (`7d`), in minutes. */
export const MAX_ROLLING_MINUTES = 7 * 24 * 60;

/**
 * Where a window of `windowMinutes` ending at `closeTimeUs` opens, as Binance does: closeTime minus
 * the window, rounded down to the minute (so the window is up to 59 999 ms wider than asked).
 */
export function rollingOpenTime(closeTimeUs: number, windowMinutes: number): number {
  return Math.floor((closeTimeUs - windowMinutes * MINUTE_US) / MINUTE_US) * MINUTE_US;
}

/** Reads klines of one interval by the REST window rules (startTime..endTime, oldest first, UTC). */
export type KlineReader = (interval: '1m' | '1h', q: TimeWindow & { readonly tzOffsetMin: 0 }) => readonly Kline[];

/**
 * The klines that make up the window [openTimeUs, closeTimeUs]: 1m klines for the partial hours at
 * both ends and 1h klines for the whole hours between, which fold to the same totals as their 60
 * minutes (a 7d window folds ~290 klines, not 10 081). `minuteFromUs` is the oldest 1m kline held:
 * when the window opens before it (the simulator keeps ~3 days of 1m bars), the hour holding
 * openTime is folded whole, so such a window may count up to 59 minutes of trades before openTime.
 */
export function rollingKlines(read: KlineReader, openTimeUs: number, closeTimeUs: number, minuteFromUs: number): Kline[] {
  const floorHour = (t: number) => Math.floor(t / HOUR_US) * HOUR_US;
  const hourFrom = openTimeUs >= minuteFromUs ? Math.ceil(openTimeUs / HOUR_US) * HOUR_US : floorHour(openTimeUs);
  const hourTo = floorHour(closeTimeUs);
  const span = (interval: '1m' | '1h', fromUs: number, toUs: number): readonly Kline[] =>
    fromUs < toUs ? read(interval, { startTimeUs: fromUs, endTimeUs: toUs - 1, limit: Number.MAX_SAFE_INTEGER, tzOffsetMin: 0 }) : [];
  if (hourFrom >= hourTo) return [...span('1m', openTimeUs, closeTimeUs + 1)];
  return [...span('1m', openTimeUs, hourFrom), ...span('1h', hourFrom, hourTo), ...span('1m', hourTo, closeTimeUs + 1)];
}

/**
 * Fold klines (oldest first) into window statistics; undefined when there are none. The window
 * opens at `openTimeUs` (default: the first kline's open) and closes at `closeTimeUs`.
 */
export function foldKlines(klines: readonly Kline[], decimals: number, closeTimeUs: number, openTimeUs?: number): RollingTicker | undefined {
  const first = klines[0];
  const last = klines[klines.length - 1];
  if (!first || !last) return undefined;
  const d = { decimals, scale: 10n ** BigInt(decimals) };
  let high = toUnits(first.high, d);
  let low = toUnits(first.low, d);
  let volume = 0n;
  let quoteVolume = 0n;
  let count = 0;
  let firstId = -1;
  let lastId = -1;
  for (const k of klines) {
    const h = toUnits(k.high, d);
    const l = toUnits(k.low, d);
    if (h > high) high = h;
    if (l < low) low = l;
    volume += toUnits(k.volume, d);
    quoteVolume += toUnits(k.quoteVolume, d);
    count += k.trades;
    if (k.firstTradeId >= 0 && firstId < 0) firstId = k.firstTradeId;
    if (k.lastTradeId >= 0) lastId = k.lastTradeId;
  }
  const open = toUnits(first.open, d);
  const close = toUnits(last.close, d);
  const change = close - open;
  return {
    symbol: first.symbol,
    priceChange: fromUnits(change, d),
    // Three decimals, like the 24 h ticker's priceChangePercent.
    priceChangePercent: open === 0n ? '0.000' : fromUnits((change * 100_000n) / open, { decimals: 3, scale: 1000n }),
    open: first.open,
    high: fromUnits(high, d),
    low: fromUnits(low, d),
    last: last.close,
    weightedAvgPrice: volume === 0n ? fromUnits(0n, d) : fromUnits((quoteVolume * d.scale) / volume, d),
    volume: fromUnits(volume, d),
    quoteVolume: fromUnits(quoteVolume, d),
    openTimeUs: openTimeUs ?? first.openTimeUs,
    closeTimeUs,
    firstId,
    lastId,
    count,
  };
}

/**
 * The statistics of the last `windowMinutes` (1 to MAX_ROLLING_MINUTES) as of `nowUs`, read from
 * one symbol's bar series: what GET /api/v3/ticker serves and what the market streams each second.
 */
export function rollingStats(
  model: SymbolModel, sources: KlineSources, windowMinutes: number, nowUs: number, cache?: KlineCache,
): RollingTicker {
  if (!Number.isInteger(windowMinutes) || windowMinutes < 1 || windowMinutes > MAX_ROLLING_MINUTES) {
    throw new RangeError(`market: windowMinutes must be a whole number from 1 to ${MAX_ROLLING_MINUTES}, got ${windowMinutes}`);
  }
  const openTimeUs = rollingOpenTime(nowUs, windowMinutes);
  const read = (interval: Interval, q: TimeWindow & { readonly tzOffsetMin: number }) => queryKlines(model, sources, interval, q, nowUs, cache);
  // Whole hours come from the 1h bars, so a 7d window reaches back past the ~3 days of 1m bars.
  const klines = rollingKlines(read, openTimeUs, nowUs, sources.m1.openTime(0));
  const stats = foldKlines(klines, model.spec.decimals, nowUs, openTimeUs);
  if (!stats) throw new Error(`market: no klines for ${model.spec.symbol} in [${openTimeUs}, ${nowUs}]`);
  return stats;
}

interface Decimals {
  readonly decimals: number;
  readonly scale: bigint;
}

/** "123.45" → 12345000000n at 8 decimals (extra digits are cut, missing ones padded). */
function toUnits(s: string, d: Decimals): bigint {
  const neg = s.startsWith('-');
  const [int = '0', frac = ''] = (neg ? s.slice(1) : s).split('.');
  const v = BigInt(int || '0') * d.scale + BigInt((frac + '0'.repeat(d.decimals)).slice(0, d.decimals) || '0');
  return neg ? -v : v;
}

function fromUnits(v: bigint, d: Decimals): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const int = a / d.scale;
  const frac = (a % d.scale).toString().padStart(d.decimals, '0');
  return `${neg ? '-' : ''}${int}${d.decimals > 0 ? `.${frac}` : ''}`;
}
