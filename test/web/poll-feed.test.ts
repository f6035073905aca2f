import { signal } from '@preact/signals';
import { describe, expect, it } from 'vitest';
import { createFrameLoop } from '../../web/src/state/frame.ts';
import { createPollFeed, restarted, tradesQuery, type PollMode } from '../../web/src/state/poll-feed.ts';
import type { AggRow } from '../../web/src/state/trades.ts';
import { fakeRest, history, manualFrames, manualTimers } from './fakes.ts';

function setup(mode: PollMode, rows: (symbol: string) => readonly AggRow[], opts: { limit?: number; delayMs?: number } = {}) {
  const timers = manualTimers();
  const frames = manualFrames(timers.now);
  const loop = createFrameLoop(frames.sched);
  const rest = fakeRest(rows, { timers, delayMs: opts.delayMs });
  const feed = createPollFeed({
    rest, loop, timers, offsetMs: signal(0), intervalMs: signal(1000), mode: signal(mode), symbol: 'SOLUSDT', limit: opts.limit,
  });
  return { timers, frames, rest, feed };
}

describe('poll feed', () => {
  it('asks for the newest trade first, then every trade since the last id, then the newest page when behind', () => {
    expect(tradesQuery('SOLUSDT', 'every', null, false, 1000)).toBe('/api/v3/aggTrades?symbol=SOLUSDT&limit=1');
    expect(tradesQuery('SOLUSDT', 'every', 41, false, 1000)).toBe('/api/v3/aggTrades?symbol=SOLUSDT&fromId=42&limit=1000');
    expect(tradesQuery('SOLUSDT', 'every', 41, true, 1000)).toBe('/api/v3/aggTrades?symbol=SOLUSDT&limit=1000');
    expect(tradesQuery('SOLUSDT', 'latest', 41, false, 1000)).toBe('/api/v3/aggTrades?symbol=SOLUSDT&limit=1');
  });

  it('in latest-price mode sees one trade a round and counts the ones in between as missed, the first only as the position', async () => {
    const all = history(100);
    let now = 10;
    const { timers, frames, feed } = setup('latest', () => all.slice(0, now));
    feed.start();
    await timers.advance(10);
    for (const n of [25, 60, 61]) {
      now = n;
      await timers.advance(1000);
    }
    feed.stop();
    frames.tick();
    // Trade 10 was the newest when polling began: it places the feed, it was not seen happening.
    const seen = [25, 60, 61].map((a) => all[a - 1]!);
    const covered = seen.reduce((s, r) => s + r.l - r.f + 1, 0);
    expect(feed.panel.trades.value).toBe(covered);
    expect(feed.panel.missed.value).toBe(all[60]!.l - all[9]!.l - covered);
    expect(feed.panel.price.value).toBe(all[60]!.p);
    expect(feed.panel.bid.value).toBe('99.00000000');
    expect(feed.panel.changePct.value).toBeCloseTo(2, 10);
  });

  it('in every-trade mode misses nothing while the limit keeps up', async () => {
    const all = history(300);
    let now = 5;
    const { timers, frames, feed, rest } = setup('every', () => all.slice(0, now), { limit: 50 });
    feed.start();
    await timers.advance(10);
    for (const n of [40, 80, 120]) {
      now = n;
      await timers.advance(1000);
    }
    feed.stop();
    frames.tick();
    expect(rest.calls.filter((c) => c.includes('fromId'))).toEqual([
      '/api/v3/aggTrades?symbol=SOLUSDT&fromId=6&limit=50',
      '/api/v3/aggTrades?symbol=SOLUSDT&fromId=41&limit=50',
      '/api/v3/aggTrades?symbol=SOLUSDT&fromId=81&limit=50',
    ]);
    expect(feed.panel.missed.value).toBe(0);
    expect(feed.panel.trades.value).toBe(all[119]!.l - all[4]!.l);
  });

  it('in every-trade mode jumps to the newest page after a full one and counts the jump as missed', async () => {
    const all = history(400);
    let now = 5;
    const { timers, frames, feed } = setup('every', () => all.slice(0, now), { limit: 50 });
    feed.start();
    await timers.advance(10);
    now = 200; // 195 new: the page of 50 is full
    await timers.advance(1000);
    now = 300; // newest 50 of 300: 251..300
    await timers.advance(1000);
    feed.stop();
    frames.tick();
    expect(feed.panel.price.value).toBe(all[299]!.p);
    expect(feed.panel.missed.value).toBe(all[250]!.f - all[54]!.l - 1);
  });

  it('after a symbol switch in every-trade mode counts only trades made after it, not the one that placed it', async () => {
    // BTC's newest trade at the switch is a burst of 6 trades from 3 s before; the next ones
    // follow the switch. Counting the burst gave polling more trades than push and a p99 of 3 s.
    const { timers, frames, feed } = setup('every', (symbol) => (symbol === 'BTCUSDT' ? btc : sol));
    const t0 = timers.now();
    const sol = history(30, t0 - 1000);
    const burst: AggRow = { a: 500, p: '95000.00', q: '0.1', f: 9000, l: 9005, T: t0 + 1500, m: false };
    let btc: AggRow[] = [burst];
    feed.start();
    await timers.advance(2500);
    frames.tick();
    const switchAt = t0 + 4500;
    await timers.advance(switchAt - timers.now());
    feed.setSymbol('BTCUSDT');
    await timers.advance(600); // the next round finds the burst
    frames.tick();
    expect(feed.panel.price.value).toBe('95000.00');
    const after = (a: number, n: number): AggRow => ({ a, p: '95001.00', q: '0.1', f: 9006 + (a - 501) * n, l: 9006 + (a - 501) * n + n - 1, T: timers.now() - 5, m: true });
    for (const a of [501, 502, 503]) {
      btc = [...btc, after(a, 2)];
      await timers.advance(1000);
      frames.tick();
    }
    expect(feed.panel.trades.value).toBe(6); // three rows of two trades, all after the switch
    expect(feed.panel.missed.value).toBe(0);
    expect(feed.panel.latency.p99.value).toBeLessThan(2000); // an interval and a frame, not the burst's 3 s
    feed.stop();
  });

  it('drops a round for the old symbol that lands after the switch', async () => {
    const sol = history(40);
    const btc = history(5, 1_800_000_000_000).map((r) => ({ ...r, p: '95000.00' }));
    const { timers, frames, feed, rest } = setup('every', (symbol) => (symbol === 'BTCUSDT' ? btc : sol), { delayMs: 300 });
    feed.start();
    await timers.advance(1100); // round 2 (fromId) is in flight for SOLUSDT
    expect(rest.calls.filter((c) => c.includes('symbol=SOLUSDT&fromId='))).toHaveLength(1);
    feed.setSymbol('BTCUSDT');
    await timers.advance(300); // it lands now
    frames.tick();
    expect(feed.panel.tape.value).toEqual([]);
    expect(feed.panel.trades.value).toBe(0);
    await timers.advance(1500);
    frames.tick();
    expect(feed.panel.price.value).toBe('95000.00');
    expect(feed.panel.tape.value.every((e) => 'divider' in e || e.p === '95000.00')).toBe(true);
    feed.stop();
  });

  it('tells a restarted server from a continuing one by the trade behind the last id', () => {
    const all = history(20);
    const seen = all[9]!;
    expect(restarted(seen, all.slice(9, 15))).toBe(false);
    expect(restarted(seen, all.slice(12, 15))).toBe(false);
    const rebuilt = history(20, 1_800_000_000_000);
    expect(restarted(seen, rebuilt.slice(3, 4))).toBe(true); // lower id, later time
    expect(restarted(seen, [{ ...seen, T: seen.T + 5 }])).toBe(true); // same id, another trade
    expect(restarted(seen, [{ ...all[12]!, f: seen.l, l: seen.l + 1 }])).toBe(true); // newer id, older trade ids
  });

  it('in every-trade mode notices a restarted server whose ids fell below its own', async () => {
    const before = history(300);
    const rebuilt = history(40, 1_800_000_000_000);
    let server: readonly AggRow[] = before.slice(0, 250);
    const { timers, frames, feed, rest } = setup('every', () => server);
    feed.start();
    await timers.advance(10);
    server = before;
    await timers.advance(1000);
    server = rebuilt.slice(0, 30);
    await timers.advance(4000);
    server = rebuilt;
    await timers.advance(1000);
    feed.stop();
    frames.tick();
    expect(rest.calls.filter((c) => c.includes('aggTrades')).slice(-3)).toEqual([
      '/api/v3/aggTrades?symbol=SOLUSDT&fromId=301&limit=1000',
      '/api/v3/aggTrades?symbol=SOLUSDT&limit=1',
      '/api/v3/aggTrades?symbol=SOLUSDT&fromId=31&limit=1000',
    ]);
    expect(feed.panel.price.value).toBe(rebuilt[39]!.p);
    expect(feed.panel.tape.value.some((e) => 'divider' in e)).toBe(true);
    expect(feed.panel.missed.value).toBe(0);
  });

  it('counts requests and bytes of every round', async () => {
    const all = history(10);
    const { timers, frames, feed, rest } = setup('latest', () => all);
    feed.start();
    await timers.advance(2500);
    feed.stop();
    frames.tick();
    expect(feed.panel.requests.value).toBe(rest.calls.length);
    // 3 rounds of 2 requests, and the 24 h change once (it is polled at most every 5 s).
    expect(rest.calls).toHaveLength(7);
    expect(feed.panel.bytes.value).toBeGreaterThan(0);
  });

  it('counts as trade updates only rounds that brought new trades, and as trade bytes only aggTrades responses', async () => {
    const all = history(20);
    let now = 5;
    const { timers, frames, feed, rest } = setup('every', () => all.slice(0, now));
    feed.start();
    await timers.advance(10); // finds the position: not an update
    now = 8;
    await timers.advance(1000); // 6..8: an update
    await timers.advance(1000); // nothing new
    now = 9;
    await timers.advance(1000); // 9: an update
    feed.stop();
    frames.tick();
    expect(feed.panel.updates.value).toBe(2);
    expect(feed.panel.requests.value).toBe(rest.calls.length);
    // The fake reports each response's JSON length: sum the aggTrades ones.
    const aggBytes = [[all[4]!], all.slice(5, 8), [], [all[8]!]].reduce((n, rows) => n + JSON.stringify(rows.map((r) => ({ ...r, M: true }))).length, 0);
    expect(feed.panel.tradeBytes.value).toBe(aggBytes);
    expect(feed.panel.bytes.value).toBeGreaterThan(aggBytes);
  });

  it('does not count a pause as missed trades', async () => {
    const all = history(100);
    let now = 10;
    const { timers, frames, feed } = setup('latest', () => all.slice(0, now));
    feed.start();
    await timers.advance(10);
    feed.stop();
    now = 90;
    feed.start();
    await timers.advance(10);
    feed.stop();
    frames.tick();
    expect(feed.panel.missed.value).toBe(0);
    expect(feed.panel.tape.value.some((e) => 'divider' in e)).toBe(true);
  });
});
