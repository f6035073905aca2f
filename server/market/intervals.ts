// Kline interval arithmetic: where a kline containing a time opens, in UTC or any whole-minute offset.
// 3d klines align to the epoch (like Binance), 1w to Monday 00:00, 1M to the calendar month.
import type { Interval } from './types.ts';

export const SECOND_US = 1_000_000;
export const MINUTE_US = 60 * SECOND_US;
export const HOUR_US = 60 * MINUTE_US;
export const DAY_US = 24 * HOUR_US;

/** Fixed length of each interval in µs (1M: 0, it is a calendar month). */
export const INTERVAL_US: Readonly<Record<Interval, number>> = {
  '1s': SECOND_US, '1m': MINUTE_US, '3m': 3 * MINUTE_US, '5m': 5 * MINUTE_US, '15m': 15 * MINUTE_US,
  '30m': 30 * MINUTE_US, '1h': HOUR_US, '2h': 2 * HOUR_US, '4h': 4 * HOUR_US, '6h': 6 * HOUR_US,
  '8h': 8 * HOUR_US, '12h': 12 * HOUR_US, '1d': DAY_US, '3d': 3 * DAY_US, '1w': 7 * DAY_US, '1M': 0,
};

/** 1970-01-01 was a Thursday; weeks open on Monday, 4 days later. */
const WEEK_PHASE_US = 4 * DAY_US;

/** Offsets the REST timeZone parameter may take, in whole minutes. */
export const MIN_TZ_MIN = -720;
export const MAX_TZ_MIN = 840;

const floorTo = (x: number, step: number) => Math.floor(x / step) * step;

/** Open time of the kline of `interval` (boundaries shifted by tzOffsetMin) that contains `timeUs`. */
export function bucketStart(interval: Interval, tzOffsetMin: number, timeUs: number): number {
  const tz = tzOffsetMin * MINUTE_US;
  if (interval === '1M') {
    const local = new Date(Math.floor((timeUs + tz) / 1000));
    return Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1) * 1000 - tz;
  }
  const dur = INTERVAL_US[interval];
  const phase = interval === '1w' ? WEEK_PHASE_US : 0;
  return floorTo(timeUs + tz - phase, dur) + phase - tz;
}

/** Open time of the kline after the one opening at `startUs`. */
export function bucketNext(interval: Interval, tzOffsetMin: number, startUs: number): number {
  if (interval !== '1M') return startUs + INTERVAL_US[interval];
  const tz = tzOffsetMin * MINUTE_US;
  const local = new Date(Math.floor((startUs + tz) / 1000));
  return Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, 1) * 1000 - tz;
}

/** Open time of the kline before the one opening at `startUs`. */
export function bucketPrev(interval: Interval, tzOffsetMin: number, startUs: number): number {
  return bucketStart(interval, tzOffsetMin, startUs - 1);
}

/** Intervals whose boundaries move with a whole-hour offset like +08:00 (the others never do). */
export const TZ_SENSITIVE: readonly Interval[] = ['6h', '12h', '1d', '3d', '1w', '1M'];
