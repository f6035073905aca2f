// Klines, tickers and history: built from the trades, closed on time, in any time zone, with the REST window rules.
import { describe, expect, it } from 'vitest';
import { eventsOf, NOON_US, testMarket, units } from './harness.ts';
import type { Interval, Kline, Trade } from '../../server/market/types.ts';
import { TZ_SENSITIVE } from '../../server/market/intervals.ts';

const S = 1_000_000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** What a kline must say about the trades in it (prev: the close before, for an empty one). */
function expected(trades: readonly Trade[], prev: string) {
  if (trades.length === 0) {
    return { open: prev, high: prev, low: prev, close: prev, volume: 0n, quote: 0n, trades: 0, first: -1, last: -1, takerBase: 0n };
  }
  const px = trades.map((t) => units(t.price));
  const max = px.reduce((a, b) => (b > a ? b : a));
  const min = px.reduce((a, b) => (b < a ? b : a));
  const sum = (f: (t: Trade) => bigint) => trades.reduce((s, t) => s + f(t), 0n);
  return {
    open: trades[0]!.price, high: trades.find((t) => units(t.price) === max)!.price, low: trades.find((t) => units(t.price) === min)!.price,
    close: trades.at(-1)!.price, volume: sum((t) => units(t.qty)), quote: sum((t) => units(t.quoteQty)), trades: trades.length,
    first: trades[0]!.id, last: trades.at(-1)!.id, takerBase: sum((t) => (t.buyerMaker ? 0n : units(t.qty))),
  };
}
const actual = (k: Kline) => ({
  open: k.open, high: k.high, low: k.low, close: k.close, volume: units(k.volume), quote: units(k.quoteVolume),
  trades: k.trades, first: k.firstTradeId, last: k.lastTradeId, takerBase: units(k.takerBuyBase),
});

describe('klines from trades', () => {
  it('builds 1s, 1m and the open 1h kline exactly from the trades they hold', () => {
    // The market starts on an hour boundary, so every trade from 12:00 on was seen live.
    const m = testMarket({ startUs: NOON_US, symbols: [{ symbol: 'SOLUSDT', tradesPerSec: 15 }] });
    m.run(150 * S, 50_000);
    const trades = eventsOf(m.batches, 'trade').map((e) => e.trade);
    expect(trades.length).toBeGreaterThan(1000);
    const checks: [Interval, number][] = [['1s', 150], ['1m', 2]];
    for (const [interval, closedCount] of checks) {
      const ks = m.sim.klines('SOLUSDT', interval, { startTimeUs: NOON_US, limit: 1000, tzOffsetMin: 0 });
      const closed = ks.filter((k) => k.closed);
      expect(closed.length).toBe(closedCount);
      let prev = ks[0]!.open;
      for (const k of ks) {
        const inside = trades.filter((t) => t.timeUs >= k.openTimeUs && t.timeUs <= k.closeTimeUs + 999);
        expect(actual(k)).toEqual(expected(inside, prev));
        prev = k.close;
      }
    }
    const [hour] = m.sim.klines('SOLUSDT', '1h', { limit: 1, tzOffsetMin: 0 });
    expect(hour!.openTimeUs).toBe(NOON_US);
    expect(hour!.closed).toBe(false);
    expect(actual(hour!)).toEqual(expected(trades, ''));
  });

  it('closes klines at their boundary, with the content REST reports, and sends +08:00 only where it differs', () => {
    const boundary = NOON_US + HOUR;
    const m = testMarket({ startUs: boundary - 10 * S });
    m.run(15 * S, 100_000);
    const klines = eventsOf(m.batches, 'kline');
    const closed = klines.filter((e) => e.kline.closed);
    for (const interval of ['1m', '1h'] as const) {
      const atBoundary = closed.filter((e) => e.kline.interval === interval && e.kline.tzOffsetMin === 0);
      expect(atBoundary.length).toBe(1);
      const e = atBoundary[0]!;
      expect(e.timeUs).toBe(boundary);
      expect(e.kline.closeTimeUs).toBe(boundary - 1000);
      const [rest] = m.sim.klines('SOLUSDT', interval, { startTimeUs: e.kline.openTimeUs, limit: 1, tzOffsetMin: 0 });
      expect(rest).toEqual(e.kline);
    }
    // The 1h kline (from hourly bars) agrees with its sixty 1m klines (from minute bars).
    const hour = closed.find((e) => e.kline.interval === '1h')!.kline;
    const minutes = m.sim.klines('SOLUSDT', '1m', { startTimeUs: hour.openTimeUs, endTimeUs: hour.closeTimeUs, limit: 1000, tzOffsetMin: 0 });
    expect(minutes.length).toBe(60);
    const withTrades = minutes.filter((k) => k.trades > 0);
    expect(hour.trades).toBe(minutes.reduce((s, k) => s + k.trades, 0));
    expect(units(hour.volume)).toBe(minutes.reduce((s, k) => s + units(k.volume), 0n));
    expect(hour.firstTradeId).toBe(withTrades[0]!.firstTradeId);
    expect(hour.lastTradeId).toBe(withTrades.at(-1)!.lastTradeId);
    expect(hour.open).toBe(withTrades[0]!.open);
    expect(hour.close).toBe(withTrades.at(-1)!.close);
    // One closed 1s kline per second boundary crossed.
    expect(closed.filter((e) => e.kline.interval === '1s').map((e) => e.timeUs)).toEqual(
      Array.from({ length: 15 }, (_, i) => boundary - 9 * S + i * S),
    );
    // Open klines: 1s every second, the others every two seconds.
    const open1m = klines.filter((e) => e.kline.interval === '1m' && !e.kline.closed);
    expect(open1m.map((e) => e.timeUs % (2 * S))).toEqual(open1m.map(() => 0));
    expect(open1m.length).toBe(7);
    const tz8 = new Set(klines.filter((e) => e.kline.tzOffsetMin === 480).map((e) => e.kline.interval));
    expect([...tz8].sort()).toEqual([...TZ_SENSITIVE].sort());
  });
});

describe('kline reuse', () => {
  it('serves the same closed klines on every query while the open one keeps moving', () => {
    const m = testMarket({ startUs: NOON_US + 30 * S });
    const q = () => m.sim.klines('SOLUSDT', '1s', { startTimeUs: NOON_US, limit: 100, tzOffsetMin: 0 });
    m.run(5 * S);
    const before = q();
    m.run(20 * S);
    const after = q();
    const byOpen = new Map(after.map((k) => [k.openTimeUs, k]));
    // Every kline closed before is unchanged; the one open before has closed with the trades since.
    for (const k of before.filter((x) => x.closed)) expect(byOpen.get(k.openTimeUs)).toEqual(k);
    const wasOpen = before.at(-1)!;
    expect(wasOpen.closed).toBe(false);
    expect(byOpen.get(wasOpen.openTimeUs)!.closed).toBe(true);
    const trades = eventsOf(m.batches, 'trade').map((e) => e.trade).filter((t) => t.timeUs >= wasOpen.openTimeUs && t.timeUs <= wasOpen.closeTimeUs);
    expect(byOpen.get(wasOpen.openTimeUs)!.trades).toBe(trades.length);
    expect(after.at(-1)!.openTimeUs).toBe(Math.floor(m.clock.nowUs() / S) * S);
  });
});

describe('time zones', () => {
  const m = testMarket({ historyHours: 24 * 60 });
  it('opens +08:00 daily klines at 16:00 UTC and they hold the 24 hourly klines from there', () => {
    const days = m.sim.klines('SOLUSDT', '1d', { limit: 5, tzOffsetMin: 480 });
    expect(days.length).toBe(5);
    for (const d of days) expect(d.openTimeUs % DAY).toBe(16 * HOUR);
    const d = days[2]!;
    const hours = m.sim.klines('SOLUSDT', '1h', { startTimeUs: d.openTimeUs, limit: 24, tzOffsetMin: 0 });
    expect(units(d.volume)).toBe(hours.reduce((s, k) => s + units(k.volume), 0n));
    expect(d.trades).toBe(hours.reduce((s, k) => s + k.trades, 0));
    const utc = m.sim.klines('SOLUSDT', '1d', { limit: 5, tzOffsetMin: 0 });
    for (const k of utc) expect(k.openTimeUs % DAY).toBe(0);
  });

  it('supports any whole-minute offset, weeks from Monday and calendar months', () => {
    const half = m.sim.klines('SOLUSDT', '1h', { limit: 10, tzOffsetMin: 330 });
    expect(half.length).toBe(10);
    for (const k of half) expect(k.openTimeUs % HOUR).toBe(30 * MIN);
    const west = m.sim.klines('SOLUSDT', '4h', { limit: 6, tzOffsetMin: -45 });
    for (const k of west) expect((k.openTimeUs - 45 * MIN) % (4 * HOUR)).toBe(0);
    for (const k of m.sim.klines('SOLUSDT', '1w', { limit: 4, tzOffsetMin: 0 })) expect(new Date(k.openTimeUs / 1000).getUTCDay()).toBe(1);
    const months = m.sim.klines('SOLUSDT', '1M', { limit: 2, tzOffsetMin: 480 });
    expect(months.map((k) => new Date(k.openTimeUs / 1000).toISOString())).toEqual(['2026-09-30T16:00:00.000Z', '2026-10-31T16:00:00.000Z']);
    expect(months[0]!.closeTimeUs).toBe(months[1]!.openTimeUs - 1000);
    const days = m.sim.klines('SOLUSDT', '1d', { startTimeUs: months[0]!.openTimeUs, endTimeUs: months[0]!.closeTimeUs, limit: 100, tzOffsetMin: 480 });
    expect(days.length).toBe(31);
    expect(units(months[0]!.volume)).toBe(days.reduce((s, k) => s + units(k.volume), 0n));
  });
});

describe('REST time windows', () => {
  const m = testMarket();
  m.run(20 * S, 100_000);
  const now = m.clock.nowUs();
  const q = (w: { startTimeUs?: number; endTimeUs?: number; limit: number }) => m.sim.klines('SOLUSDT', '1m', { ...w, tzOffsetMin: 0 });

  it('gives the newest klines, the open one last, without start or end', () => {
    const ks = q({ limit: 5 });
    expect(ks.map((k) => k.openTimeUs)).toEqual([4, 3, 2, 1, 0].map((i) => Math.floor(now / MIN) * MIN - i * MIN));
    expect(ks.at(-1)!.closed).toBe(false);
    expect(ks.slice(0, -1).every((k) => k.closed)).toBe(true);
  });

  it('gives the oldest from start, the newest up to end, and from start up to end with both', () => {
    const start = NOON_US - 100 * MIN + 30 * S;
    expect(q({ startTimeUs: start, limit: 3 }).map((k) => k.openTimeUs)).toEqual([1, 2, 3].map((i) => NOON_US - 100 * MIN + i * MIN));
    expect(q({ endTimeUs: start, limit: 3 }).map((k) => k.openTimeUs)).toEqual([2, 1, 0].map((i) => NOON_US - 100 * MIN - i * MIN));
    expect(q({ startTimeUs: start, endTimeUs: start + 5 * MIN, limit: 100 }).length).toBe(5);
    expect(q({ startTimeUs: start, endTimeUs: start + 5 * MIN, limit: 2 }).length).toBe(2);
  });

  it('applies the same rules to aggTrades, and fromId starts at that id', () => {
    const all = m.sim.aggTrades('SOLUSDT', { limit: 10_000 });
    expect(all.length).toBeGreaterThan(3000);
    const mid = all[Math.floor(all.length / 2)]!;
    const fromStart = m.sim.aggTrades('SOLUSDT', { startTimeUs: mid.timeUs, limit: 10 });
    expect(fromStart[0]!.timeUs).toBeGreaterThanOrEqual(mid.timeUs);
    expect(all.filter((a) => a.timeUs < mid.timeUs).length + 10).toBe(all.indexOf(fromStart[9]!) + 1);
    const toEnd = m.sim.aggTrades('SOLUSDT', { endTimeUs: mid.timeUs, limit: 10 });
    expect(toEnd.at(-1)!.timeUs).toBeLessThanOrEqual(mid.timeUs);
    expect(all[all.indexOf(toEnd.at(-1)!) + 1]!.timeUs).toBeGreaterThan(mid.timeUs);
    const both = m.sim.aggTrades('SOLUSDT', { startTimeUs: mid.timeUs - S, endTimeUs: mid.timeUs, limit: 1000 });
    expect(both.every((a) => a.timeUs >= mid.timeUs - S && a.timeUs <= mid.timeUs)).toBe(true);
    expect(both.length).toBe(all.filter((a) => a.timeUs >= mid.timeUs - S && a.timeUs <= mid.timeUs).length);
    expect(m.sim.aggTrades('SOLUSDT', { fromId: mid.id, limit: 3 }).map((a) => a.id)).toEqual([mid.id, mid.id + 1, mid.id + 2]);
    expect(m.sim.aggTrades('SOLUSDT', { limit: 4 })).toEqual(all.slice(-4));
  });
});

describe('history and tickers', () => {
  it('has history from the first instant: days of 1m klines, 1000+ hourly, years of daily, thousands of trades', () => {
    const m = testMarket({ historyHours: 'default', symbols: [{ symbol: 'BNBUSDT', tradesPerSec: 1 }] });
    const minutes = m.sim.klines('BNBUSDT', '1m', { limit: 1000, endTimeUs: NOON_US - DAY, tzOffsetMin: 0 });
    expect(minutes.length).toBe(1000);
    expect(m.sim.klines('BNBUSDT', '1h', { limit: 1000, tzOffsetMin: 0 }).length).toBe(1000);
    expect(m.sim.klines('BNBUSDT', '1d', { limit: 1000, tzOffsetMin: 0 }).length).toBe(1000);
    const trades = m.sim.recentTrades('BNBUSDT', 10_000);
    expect(trades.length).toBeGreaterThan(3000);
    for (let i = 1; i < trades.length; i++) expect(trades[i]!.id).toBe(trades[i - 1]!.id + 1);
    // Ids run on from the oldest kline to the newest trade, then into the live ones.
    const hours = m.sim.klines('BNBUSDT', '1h', { limit: 1000, tzOffsetMin: 0 }).filter((k) => k.trades > 0);
    for (let i = 1; i < hours.length; i++) expect(hours[i]!.firstTradeId).toBe(hours[i - 1]!.lastTradeId + 1);
    expect(hours.at(-1)!.lastTradeId).toBe(trades.at(-1)!.id);
    m.run(30 * S);
    expect(eventsOf(m.batches, 'trade')[0]!.trade.id).toBe(trades.at(-1)!.id + 1);
  });

  it('reports a 24h ticker that agrees with the last 1440 1m klines', () => {
    const m = testMarket();
    m.run(3 * S);
    const t = m.sim.ticker24h('SOLUSDT');
    const ks = m.sim.klines('SOLUSDT', '1m', { limit: 1440, tzOffsetMin: 0 });
    expect(ks.length).toBe(1440);
    const traded = ks.filter((k) => k.trades > 0);
    expect(t.openPrice).toBe(traded[0]!.open);
    expect(t.lastPrice).toBe(ks.at(-1)!.close);
    expect(units(t.highPrice)).toBe(traded.map((k) => units(k.high)).reduce((a, b) => (b > a ? b : a)));
    expect(units(t.lowPrice)).toBe(traded.map((k) => units(k.low)).reduce((a, b) => (b < a ? b : a)));
    expect(units(t.volume)).toBe(ks.reduce((s, k) => s + units(k.volume), 0n));
    expect(units(t.quoteVolume)).toBe(ks.reduce((s, k) => s + units(k.quoteVolume), 0n));
    expect(t.count).toBe(ks.reduce((s, k) => s + k.trades, 0));
    expect(t.firstId).toBe(traded[0]!.firstTradeId);
    expect(t.lastId).toBe(traded.at(-1)!.lastTradeId);
    expect(t.openTimeUs).toBe(ks[0]!.openTimeUs);
    expect(units(t.priceChange)).toBe(units(t.lastPrice) - units(t.openPrice));
    const before = m.sim.klines('SOLUSDT', '1m', { endTimeUs: ks[0]!.openTimeUs - 1, limit: 1, tzOffsetMin: 0 });
    expect(t.prevClosePrice).toBe(before[0]!.close);
    const vwap = Number(t.quoteVolume) / Number(t.volume);
    expect(Math.abs(Number(t.weightedAvgPrice) - vwap) / vwap).toBeLessThan(1e-9);
    expect(eventsOf(m.batches, 'ticker').length).toBe(3);
  });

  it('reports avgPrice as the volume-weighted price of the last five minutes', () => {
    // A slow market warms up for more than five minutes, so 1 s klines cover the whole window.
    const m = testMarket({ symbols: [{ symbol: 'SOLUSDT', tradesPerSec: 5 }] });
    m.run(2 * S);
    const ks = m.sim.klines('SOLUSDT', '1s', { limit: 300, tzOffsetMin: 0 });
    const vwap = ks.reduce((s, k) => s + Number(k.quoteVolume), 0) / ks.reduce((s, k) => s + Number(k.volume), 0);
    const avg = m.sim.avgPrice('SOLUSDT');
    expect(avg.mins).toBe(5);
    expect(Math.abs(Number(avg.price) - vwap) / vwap).toBeLessThan(1e-6);
  });
});
