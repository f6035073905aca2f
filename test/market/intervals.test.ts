// Kline boundaries: UTC and offsets, weeks from Monday, calendar months, 3d from the epoch.
import { describe, expect, it } from 'vitest';
import { bucketNext, bucketPrev, bucketStart, INTERVAL_US } from '../../server/market/intervals.ts';
import { INTERVALS } from '../../server/market/types.ts';

const us = (iso: string) => Date.parse(iso) * 1000;
const iso = (t: number) => new Date(t / 1000).toISOString();

describe('kline boundaries', () => {
  const t = us('2026-11-21T05:47:13.250Z');

  it('opens fixed intervals on UTC multiples and shifts them by the offset', () => {
    expect(iso(bucketStart('1s', 0, t))).toBe('2026-11-21T05:47:13.000Z');
    expect(iso(bucketStart('15m', 0, t))).toBe('2026-11-21T05:45:00.000Z');
    expect(iso(bucketStart('1h', 330, t))).toBe('2026-11-21T05:30:00.000Z');
    expect(iso(bucketStart('1d', 0, t))).toBe('2026-11-21T00:00:00.000Z');
    expect(iso(bucketStart('1d', 480, t))).toBe('2026-11-20T16:00:00.000Z');
    expect(iso(bucketStart('1d', -300, t))).toBe('2026-11-21T05:00:00.000Z');
    expect(iso(bucketStart('1d', -360, t))).toBe('2026-11-20T06:00:00.000Z');
    expect(iso(bucketStart('6h', 480, t))).toBe('2026-11-21T04:00:00.000Z');
  });

  it('opens weeks on Monday and 3-day klines on epoch multiples', () => {
    expect(iso(bucketStart('1w', 0, t))).toBe('2026-11-16T00:00:00.000Z');
    expect(iso(bucketStart('1w', 480, t))).toBe('2026-11-15T16:00:00.000Z');
    expect((bucketStart('3d', 0, t) / INTERVAL_US['1d']) % 3).toBe(0);
  });

  it('opens months on the first, in the offset, and steps by calendar month', () => {
    expect(iso(bucketStart('1M', 0, t))).toBe('2026-11-01T00:00:00.000Z');
    expect(iso(bucketStart('1M', 480, us('2026-11-30T17:00:00Z')))).toBe('2026-11-30T16:00:00.000Z');
    expect(iso(bucketNext('1M', 0, us('2026-01-01T00:00:00Z')))).toBe('2026-02-01T00:00:00.000Z');
    expect(iso(bucketNext('1M', 0, us('2026-02-01T00:00:00Z')))).toBe('2026-03-01T00:00:00.000Z');
    expect(iso(bucketPrev('1M', 0, us('2026-03-01T00:00:00Z')))).toBe('2026-02-01T00:00:00.000Z');
  });

  it('keeps every interval consistent: a start is its own start, and next/prev invert each other', () => {
    for (const interval of INTERVALS) {
      for (const tz of [0, 480, -720, 840, 345]) {
        const b = bucketStart(interval, tz, t);
        expect(b).toBeLessThanOrEqual(t);
        expect(bucketNext(interval, tz, b)).toBeGreaterThan(t);
        expect(bucketStart(interval, tz, b)).toBe(b);
        expect(bucketPrev(interval, tz, bucketNext(interval, tz, b))).toBe(b);
      }
    }
  });
});
