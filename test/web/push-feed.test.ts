import { signal } from '@preact/signals';
import { describe, expect, it } from 'vitest';
import { createFrameLoop } from '../../web/src/state/frame.ts';
import type { TapeEntry, TapeRow } from '../../web/src/state/panel.ts';
import { createPushFeed, pushStreams } from '../../web/src/state/push-feed.ts';
import type { AggRow } from '../../web/src/state/trades.ts';
import { fakeRest, history, manualFrames, manualTimers } from './fakes.ts';

const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

function setup(rows: (symbol: string) => readonly AggRow[], opts: { pageLimit?: number } = {}) {
  const timers = manualTimers();
  const frames = manualFrames(timers.now);
  const loop = createFrameLoop(frames.sched);
  const rest = fakeRest(rows);
  const feed = createPushFeed({ rest, loop, offsetMs: signal(0), symbol: 'SOLUSDT', pageLimit: opts.pageLimit ?? 1000 });
  const send = (r: AggRow) => {
    const text = JSON.stringify({ stream: 'solusdt@aggTrade', data: { e: 'aggTrade', E: r.T + 1, s: 'SOLUSDT', ...r, M: true } });
    feed.handle('solusdt@aggTrade', JSON.parse(text).data, text.length + 2);
  };
  return { timers, frames, loop, rest, feed, send };
}

const rowsOf = (tape: readonly TapeEntry[]) => tape.filter((e): e is TapeRow => !('divider' in e));

describe('push feed', () => {
  it('asks for trades, book, ticker, klines and depth of the chosen symbol', () => {
    expect(pushStreams('BTCUSDT')).toEqual(['btcusdt@aggTrade', 'btcusdt@bookTicker', 'btcusdt@ticker', 'btcusdt@kline_1s', 'btcusdt@depth10@100ms']);
  });

  it('renders a burst of messages in one frame', () => {
    const all = history(50);
    const { frames, loop, feed, send } = setup(() => all);
    for (const r of all) send(r);
    expect(frames.requested).toBe(1);
    frames.tick();
    expect(loop.flushes).toBe(1);
    expect(feed.panel.updates.value).toBe(50);
    expect(feed.panel.price.value).toBe(all[49]!.p);
    expect(feed.panel.trades.value).toBe(all[49]!.l - all[0]!.f + 1);
    expect(feed.panel.missed.value).toBe(0);
    expect(rowsOf(feed.panel.tape.value)[0]!.a).toBe(50);
  });

  it('backfills the trades missed while reconnecting, with no gap and no duplicate', async () => {
    const all = history(120);
    let serverHas = 60;
    const { frames, rest, feed, send } = setup(() => all.slice(0, serverHas), { pageLimit: 7 });
    for (const r of all.slice(0, 20)) send(r);
    frames.tick();
    // Disconnected while 21..60 happened; the new subscription is confirmed, live resumes at 55.
    feed.onSubscribed({ reconnect: true });
    expect(feed.backfilling.value).toBe(true);
    for (const r of all.slice(54, 64)) send(r);
    serverHas = 64;
    await settle();
    for (const r of all.slice(64, 70)) send(r);
    frames.tick();
    expect(feed.backfilling.value).toBe(false);
    // The last trade shown is still the server's trade 20, so the history continues from 21.
    expect(rest.calls[0]).toBe('/api/v3/aggTrades?symbol=SOLUSDT&fromId=20&limit=1');
    expect(rest.calls[1]).toBe('/api/v3/aggTrades?symbol=SOLUSDT&fromId=21&limit=7');
    expect(feed.panel.missed.value).toBe(0);
    expect(feed.panel.trades.value).toBe(all[69]!.l - all[0]!.f + 1);
    const ids = rowsOf(feed.panel.tape.value).map((r) => r.a);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => 70 - i));
    expect(ids.length).toBeGreaterThan(20);
    expect(rowsOf(feed.panel.tape.value).find((r) => r.a === 50)!.src).toBe('rest');
  });

  it('starts a new sequence after a server restart and backfills it from the last trade time', async () => {
    const t0 = 1_700_000_000_000;
    const before = history(80, t0);
    // The restarted server rebuilt its history: ids from 1 again, its trade 2 the first after our last.
    const after = history(12, t0 + 785);
    let server = before;
    const { frames, feed, send, rest } = setup(() => server);
    for (const r of before) send(r);
    frames.tick();
    server = after.slice(0, 9);
    feed.onSubscribed({ reconnect: true });
    send(after[9]!);
    await settle();
    send(after[10]!);
    frames.tick();
    expect(rest.calls[1]).toBe(`/api/v3/aggTrades?symbol=SOLUSDT&startTime=${before[79]!.T + 1}&limit=1000`);
    const tape = feed.panel.tape.value;
    const divider = tape.findIndex((e) => 'divider' in e);
    expect(rowsOf(tape.slice(0, divider)).map((r) => r.a)).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2]);
    expect(rowsOf(tape.slice(divider)).map((r) => r.a).slice(0, 2)).toEqual([80, 79]);
    expect(feed.panel.missed.value).toBe(0);
  });

  it('lets live trades through and counts the gap when the backfill fails', async () => {
    const all = history(40);
    const { frames, feed, send } = setup(() => {
      throw new Error('connection refused');
    });
    for (const r of all.slice(0, 10)) send(r);
    frames.tick();
    feed.onSubscribed({ reconnect: true });
    for (const r of all.slice(30, 35)) send(r);
    await settle();
    frames.tick();
    expect(feed.backfilling.value).toBe(false);
    expect(feed.panel.price.value).toBe(all[34]!.p);
    expect(feed.panel.missed.value).toBe(all[30]!.f - all[9]!.l - 1);
  });

  it('ignores messages of another symbol and payloads that are not objects', () => {
    const { frames, feed } = setup(() => []);
    feed.handle('btcusdt@aggTrade', { e: 'aggTrade', a: 1, f: 1, l: 1, p: '1', q: '1', T: 1, E: 1, m: true }, 10);
    feed.handle('solusdt@aggTrade', null, 10);
    feed.handle('solusdt@bookTicker', 'nonsense', 10);
    frames.tick();
    expect(feed.panel.updates.value).toBe(0);
    expect(feed.panel.price.value).toBeNull();
  });

  it('shows top of book, the 24 h change and the 10 best levels', () => {
    const { frames, feed } = setup(() => []);
    feed.handle('solusdt@bookTicker', { u: 1, s: 'SOLUSDT', b: '99.5', B: '1', a: '99.6', A: '2' }, 10);
    feed.handle('solusdt@ticker', { e: '24hrTicker', P: '-1.25' }, 10);
    const levels = Array.from({ length: 20 }, (_, i) => [String(100 - i), '1'] as [string, string]);
    feed.handle('solusdt@depth10@100ms', { lastUpdateId: 1, bids: levels, asks: levels }, 10);
    frames.tick();
    expect(feed.panel.bid.value).toBe('99.5');
    expect(feed.panel.ask.value).toBe('99.6');
    expect(feed.panel.changePct.value).toBe(-1.25);
    expect(feed.book.value.bids).toHaveLength(10);
    expect(feed.panel.bytes.value).toBe(30);
  });

  it('counts trade updates and trade bytes from aggTrade messages only, messages and bytes from all', () => {
    const all = history(4);
    const { frames, feed, send } = setup(() => all);
    for (const r of all) send(r);
    const tradeBytes = all.reduce((n, r) => n + JSON.stringify({ stream: 'solusdt@aggTrade', data: { e: 'aggTrade', E: r.T + 1, s: 'SOLUSDT', ...r, M: true } }).length + 2, 0);
    feed.handle('solusdt@bookTicker', { u: 1, s: 'SOLUSDT', b: '99.5', B: '1', a: '99.6', A: '2' }, 100);
    feed.handle('solusdt@ticker', { e: '24hrTicker', P: '-1.25' }, 400);
    feed.handle('solusdt@kline_1s', { e: 'kline', k: { x: false, n: 3 } }, 300);
    frames.tick();
    expect(feed.panel.updates.value).toBe(4);
    expect(feed.panel.requests.value).toBe(7);
    expect(feed.panel.tradeBytes.value).toBe(tradeBytes);
    expect(feed.panel.bytes.value).toBe(tradeBytes + 800);
  });

  it('counts backfill responses as trade bytes', async () => {
    const all = history(30);
    const { frames, feed, send, rest } = setup(() => all.slice(0, 20));
    for (const r of all.slice(0, 10)) send(r);
    frames.tick();
    const live = feed.panel.tradeBytes.value;
    feed.onSubscribed({ reconnect: true });
    await settle();
    frames.tick();
    expect(rest.calls.length).toBeGreaterThan(0);
    expect(feed.panel.tradeBytes.value).toBeGreaterThan(live);
    expect(feed.panel.tradeBytes.value).toBe(feed.panel.bytes.value);
  });
});
