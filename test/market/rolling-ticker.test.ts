// The simulator's rolling-window ticker (GET /api/v3/ticker) and trade look-up from an id (GET /api/v3/historicalTrades).
import { describe, expect, it } from 'vitest';
import { foldKlines, MAX_ROLLING_MINUTES } from '../../server/market/rolling.ts';
import { HOUR_US, MINUTE_US } from '../../server/market/intervals.ts';
import { testMarket } from './harness.ts';

const SYMBOL = 'SOLUSDT';

describe('rollingTicker', () => {
  const m = testMarket({ seed: 11, historyHours: 10 * 24 }); // hourly bars reach past 7 days
  m.run(90 * 1_000_000, 100_000); // a minute and a half of live trading, so the open minute has trades

  it('opens at now minus the window, rounded down to the minute, and closes now', () => {
    const now = m.clock.nowUs();
    for (const minutes of [1, 59, 60, 7 * 60, 1440, MAX_ROLLING_MINUTES]) {
      const r = m.sim.rollingTicker(SYMBOL, minutes);
      expect(r.closeTimeUs, `${minutes}m`).toBe(now);
      expect(r.openTimeUs % MINUTE_US, `${minutes}m`).toBe(0);
      expect(now - r.openTimeUs, `${minutes}m`).toBeGreaterThanOrEqual(minutes * MINUTE_US);
      expect(now - r.openTimeUs, `${minutes}m`).toBeLessThan((minutes + 1) * MINUTE_US);
    }
  });

  it('equals the fold of every 1m kline in the window, though whole hours are read from 1h bars', () => {
    for (const minutes of [5, 61, 4 * 60 + 17, 1440]) {
      const r = m.sim.rollingTicker(SYMBOL, minutes);
      const minutesKlines = m.sim.klines(SYMBOL, '1m', { startTimeUs: r.openTimeUs, limit: 5000, tzOffsetMin: 0 });
      expect(minutesKlines.length, `${minutes}m`).toBe(minutes + 1);
      expect(r, `${minutes}m`).toEqual(foldKlines(minutesKlines, 8, r.closeTimeUs, r.openTimeUs));
    }
  });

  it('ends at the newest trade, counts consecutive ids, and keeps the last price inside high and low', () => {
    const newest = m.sim.recentTrades(SYMBOL, 1)[0]!;
    for (const minutes of [1, 60, 1440]) {
      const r = m.sim.rollingTicker(SYMBOL, minutes);
      expect(r.last).toBe(newest.price);
      expect(r.lastId).toBe(newest.id);
      expect(r.count).toBe(r.lastId - r.firstId + 1);
      expect(Number(r.low)).toBeLessThanOrEqual(Number(r.last));
      expect(Number(r.high)).toBeGreaterThanOrEqual(Number(r.last));
      expect(Number(r.weightedAvgPrice)).toBeGreaterThanOrEqual(Number(r.low));
      expect(Number(r.weightedAvgPrice)).toBeLessThanOrEqual(Number(r.high));
    }
  });

  it('counts exactly the live trades of a one-minute window', () => {
    const r = m.sim.rollingTicker(SYMBOL, 1);
    const inside = m.sim.recentTrades(SYMBOL, 10_000).filter((t) => t.timeUs >= r.openTimeUs);
    expect(r.count).toBe(inside.length);
    expect(r.firstId).toBe(inside[0]!.id);
  });

  it('reaches 7 days back past the 1m bars held by folding the oldest hour whole', () => {
    const r = m.sim.rollingTicker(SYMBOL, MAX_ROLLING_MINUTES);
    const oldestMinute = m.sim.klines(SYMBOL, '1m', { startTimeUs: 0, limit: 1, tzOffsetMin: 0 })[0]!;
    expect(r.openTimeUs).toBeLessThan(oldestMinute.openTimeUs);
    const firstHour = m.sim.klines(SYMBOL, '1h', { startTimeUs: Math.floor(r.openTimeUs / HOUR_US) * HOUR_US, limit: 1, tzOffsetMin: 0 })[0]!;
    expect(r.firstId).toBe(firstHour.firstTradeId);
    expect(r.count).toBe(r.lastId - r.firstId + 1);
    expect(r.count).toBeGreaterThan(m.sim.rollingTicker(SYMBOL, 3 * 1440).count);
  });

  it('refuses a window that is not a whole number of minutes from 1 to 7 days', () => {
    for (const bad of [0, -1, 1.5, MAX_ROLLING_MINUTES + 1, NaN]) {
      expect(() => m.sim.rollingTicker(SYMBOL, bad), String(bad)).toThrow(RangeError);
    }
    expect(() => m.sim.rollingTicker('NOPEUSDT', 60)).toThrow(/unknown symbol/);
  });
});

describe('tradesFrom', () => {
  const m = testMarket({ seed: 12 });
  m.run(5 * 1_000_000, 100_000);
  const held = m.sim.recentTrades(SYMBOL, 10_000);
  const oldest = held[0]!;
  const newest = held.at(-1)!;

  it('gives consecutive trades from the id asked, oldest first, at most limit', () => {
    const from = held[Math.floor(held.length / 2)]!.id;
    const rows = m.sim.tradesFrom(SYMBOL, from, 7);
    expect(rows.map((t) => t.id)).toEqual(Array.from({ length: 7 }, (_, i) => from + i));
    expect(rows[0]).toEqual(held.find((t) => t.id === from));
  });

  it('starts at the oldest trade held when fromId is older, and gives [] beyond the newest', () => {
    expect(oldest.id).toBeGreaterThan(1); // the ring holds live trades; history has only bars
    expect(m.sim.tradesFrom(SYMBOL, 1, 3).map((t) => t.id)).toEqual([oldest.id, oldest.id + 1, oldest.id + 2]);
    expect(m.sim.tradesFrom(SYMBOL, newest.id, 10).map((t) => t.id)).toEqual([newest.id]);
    expect(m.sim.tradesFrom(SYMBOL, newest.id + 1, 10)).toEqual([]);
  });

  it('gives the newest trades without fromId, like recentTrades', () => {
    expect(m.sim.tradesFrom(SYMBOL, undefined, 25)).toEqual(m.sim.recentTrades(SYMBOL, 25));
  });
});
