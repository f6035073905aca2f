// Server-Sent Events on real sockets: the WebSocket streams' payloads, resume with Last-Event-ID
// without gap or duplicate (also across a restart), gap events, heartbeats, bad input, slow readers.
import { afterEach, describe, expect, it } from 'vitest';
import { channelFor } from '../../server/bus/bus.ts';
import { RestErrorCode } from '../../server/wire/errors.ts';
import { event } from '../wire/fixtures.ts';
import { until } from '../gateway/harness.ts';
import { START_US, startManualServer, type ManualServer } from '../server/manual-server.ts';
import { createMemoryBus } from '../../server/bus/bus-memory.ts';
import { loadConfig } from '../../server/config.ts';
import { attachSse } from '../../server/http/sse.ts';
import { createManualClock } from '../../server/market/clock.ts';
import { createSimulator } from '../../server/market/simulator.ts';
import { createMetrics } from '../../server/metrics.ts';
import { loadUws } from '../../server/uws.ts';
import { listenLocal } from '../listen.ts';
import { openSse, type SseClient } from './client.ts';

const STEP_US = 250_000;
let open: ManualServer[] = [];
let readers: SseClient[] = [];
afterEach(async () => {
  for (const r of readers) r.close();
  for (const s of open) await s.close();
  open = [];
  readers = [];
});

async function server(wsPath: string, args: string[] = []): Promise<ManualServer> {
  const s = await startManualServer(['--symbols', 'SOLUSDT:40,BTCUSDT:5', ...args], wsPath);
  open.push(s);
  return s;
}
async function sse(s: ManualServer, path: string, headers?: Record<string, string>): Promise<SseClient> {
  const r = await openSse(s.server.port, path, headers);
  readers.push(r);
  return r;
}
async function steps(s: ManualServer, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await s.step(STEP_US);
}
const payloads = (r: SseClient, from = 0) => r.events.slice(from).filter((e) => e.event !== 'gap').map((e) => JSON.parse(e.data));
/** The stream messages a WebSocket got (control replies have no `stream`). */
const streamed = (s: ManualServer) => s.messages.filter((m: any) => typeof m?.stream === 'string');

describe('Server-Sent Events', () => {
  it('carry the combined payloads of the WebSocket streams, in order, each named by its stream and with an id', async () => {
    const names = ['solusdt@trade', 'solusdt@aggTrade', 'solusdt@bookTicker', 'solusdt@depth@100ms', 'solusdt@kline_1m', 'btcusdt@depth5@100ms'];
    const s = await server(`/stream?streams=${names.join('/')}`);
    const r = await sse(s, `/sse?streams=${names.join('/')}`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/event-stream/);
    await steps(s, 8);
    const ws = streamed(s);
    expect(ws.length).toBeGreaterThan(50);
    await until(() => payloads(r).length >= ws.length, 5000, 'the SSE reader to catch up');
    expect(payloads(r)).toEqual(ws);
    for (const e of r.events) {
      expect(e.event).toBe(JSON.parse(e.data).stream);
      expect(e.id).toMatch(/^\d+\.\d+\.\.\d+\.\.$/);
    }
    // Every kind was seen, so the equality above covers each.
    expect(new Set(ws.map((m: any) => m.stream))).toEqual(new Set(names));
  });

  it('serves /sse/<stream> with microsecond times like a WebSocket opened with timeUnit=MICROSECOND', async () => {
    const s = await server('/stream?streams=solusdt@trade&timeUnit=MICROSECOND');
    const r = await sse(s, '/sse/solusdt@trade?timeUnit=MICROSECOND');
    await steps(s, 4);
    await until(() => payloads(r).length >= streamed(s).length, 5000, 'the SSE reader');
    expect(payloads(r)).toEqual(streamed(s));
    expect(String(payloads(r)[0].data.T)).toHaveLength(16);
  });

  it('resume with Last-Event-ID with no gap and no duplicate', async () => {
    const names = 'solusdt@trade/solusdt@aggTrade/btcusdt@trade';
    const s = await server(`/stream?streams=${names}`);
    const first = await sse(s, `/sse?streams=${names}`);
    await steps(s, 4);
    await until(() => payloads(first).length === streamed(s).length, 5000, 'the first reader');
    first.close();
    await first.ended;
    await steps(s, 6); // missed while away
    const second = await sse(s, `/sse?streams=${names}`, { 'last-event-id': first.lastId! });
    await steps(s, 3);
    await until(() => payloads(first).length + payloads(second).length >= streamed(s).length, 5000, 'the resumed reader');
    // A resume replays stream by stream, then goes live: each stream on its own is exactly the WebSocket's.
    const got = [...payloads(first), ...payloads(second)];
    expect(got).toHaveLength(streamed(s).length);
    for (const name of names.split('/')) expect(got.filter((m) => m.stream === name)).toEqual(streamed(s).filter((m: any) => m.stream === name));
    expect(payloads(second).length).toBeGreaterThan(0);
    expect(second.events.some((e) => e.event === 'gap')).toBe(false);
    expect(s.server.metrics.read('tickwire_sse_events_replayed_total')).toBeGreaterThan(0);
  });

  it('resume across a server restart when the market is the same', async () => {
    const a = await server('/ws/solusdt@trade');
    const first = await sse(a, '/sse/solusdt@trade');
    await steps(a, 4);
    await until(() => payloads(first).length === a.messages.length, 5000, 'the first reader');
    const lastId = first.lastId!;
    first.close();
    await a.close();
    open = open.filter((s) => s !== a);

    // The same seed on the same clock: the market a restarted gateway reads is the one it left.
    const b = await server('/stream?streams=solusdt@trade');
    await steps(b, 7);
    const second = await sse(b, '/sse/solusdt@trade', { 'last-event-id': lastId });
    await steps(b, 2);
    await until(() => payloads(first).length + payloads(second).length >= streamed(b).length, 5000, 'the resumed reader');
    expect([...payloads(first), ...payloads(second)]).toEqual(streamed(b));
  });

  it('send a gap event for missed depth diffs, a cursor older than history and a cursor from another market', async () => {
    const s = await server('/ws/solusdt@trade');
    const depth = await sse(s, '/sse/solusdt@depth@100ms');
    await steps(s, 2);
    await until(() => depth.events.length > 0, 5000, 'a depth diff');
    depth.close();
    await steps(s, 2);
    const resumed = await sse(s, '/sse/solusdt@depth@100ms', { 'last-event-id': depth.lastId! });
    await until(() => resumed.events.length > 0, 5000, 'the gap');
    expect(resumed.events[0]).toMatchObject({ event: 'gap' });
    expect(JSON.parse(resumed.events[0]!.data)).toMatchObject({ stream: 'solusdt@depth@100ms', reason: 'notReplayable' });

    const old = await sse(s, '/sse/solusdt@trade', { 'last-event-id': '0' });
    await until(() => old.events.length > 1, 5000, 'the gap and the replay');
    const gap = JSON.parse(old.events[0]!.data);
    expect(gap).toMatchObject({ stream: 'solusdt@trade', reason: 'tooOld', missedFrom: 1 });
    expect(JSON.parse(old.events[1]!.data).data.t).toBe(gap.resumedAt);

    const ahead = await sse(s, '/sse/solusdt@trade', { 'last-event-id': '999999999999' });
    await until(() => ahead.events.length > 0, 5000, 'the gap');
    expect(JSON.parse(ahead.events[0]!.data)).toMatchObject({ reason: 'unknownCursor' });
    expect(s.server.metrics.read('tickwire_sse_gaps_total', { reason: 'tooOld' })).toBe(1);
  });

  it('replay at most half the backpressure limit, then name the rest in a tooMany gap and go on live', async () => {
    const s = await server('/ws/solusdt@trade', ['--ws-max-backpressure-bytes', '65536']);
    const first = await sse(s, '/sse/solusdt@trade');
    await steps(s, 2);
    await until(() => payloads(first).length === s.messages.length, 5000, 'the first reader');
    first.close();
    await steps(s, 40); // far more than 32 KiB of trades
    const second = await sse(s, '/sse/solusdt@trade', { 'last-event-id': first.lastId! });
    await steps(s, 2);
    const ids = (r: SseClient) => payloads(r).map((m) => m.data.t as number);
    await until(() => second.events.some((e) => e.event === 'gap') && ids(second).at(-1) === (s.messages.at(-1) as any).t, 5000, 'the resumed reader');
    const gap = JSON.parse(second.events.find((e) => e.event === 'gap')!.data);
    expect(gap).toMatchObject({ stream: 'solusdt@trade', reason: 'tooMany' });
    const replayedBytes = second.events.filter((e) => e.id !== undefined && JSON.parse(e.data).data.t < gap.missedFrom)
      .reduce((n, e) => n + e.data.length, 0);
    expect(replayedBytes).toBeLessThan(65536 / 2);
    // Every trade id is in exactly one place: the first reader, the replay and live part, or the gap.
    const got = [...ids(first), ...ids(second)];
    expect(new Set(got).size).toBe(got.length);
    const all = s.messages.map((m: any) => m.t as number);
    const missed = all.filter((t) => t >= gap.missedFrom && t < gap.resumedAt);
    expect(missed.length).toBeGreaterThan(0);
    expect([...got, ...missed].sort((x, y) => x - y)).toEqual(all);
    expect(s.server.metrics.read('tickwire_sse_connections')).toBe(1);
  });

  it('refuse bad requests with HTTP 400 and the REST error body, and keep serving the others', async () => {
    const s = await server('/ws/solusdt@trade');
    const healthy = await sse(s, '/sse/solusdt@trade');
    const cases: [string, Record<string, string>, number][] = [
      ['/sse', {}, RestErrorCode.MANDATORY_PARAM_EMPTY_OR_MALFORMED],
      ['/sse?streams=', {}, RestErrorCode.MANDATORY_PARAM_EMPTY_OR_MALFORMED],
      ['/sse/nopeusdt@trade', {}, RestErrorCode.ILLEGAL_CHARS],
      ['/sse/solusdt@trades', {}, RestErrorCode.ILLEGAL_CHARS],
      ['/sse?streams=solusdt@trade/solusdt@trade', {}, RestErrorCode.TOO_MANY_PARAMETERS],
      ['/sse/solusdt@trade?timeUnit=SECOND', {}, RestErrorCode.ILLEGAL_CHARS],
      ['/sse/solusdt@trade', { 'last-event-id': 'abc' }, RestErrorCode.ILLEGAL_CHARS],
      ['/sse/solusdt@trade', { 'last-event-id': '1.2' }, RestErrorCode.ILLEGAL_CHARS],
      ['/sse/%E0%A4%A', {}, RestErrorCode.ILLEGAL_CHARS],
    ];
    for (const [path, headers, code] of cases) {
      const r = await sse(s, path, headers);
      const body = await new Promise<string>((resolve) => {
        let text = '';
        r.res.on('data', (c: string) => (text += c)).on('end', () => resolve(text));
      });
      expect(r.status, path).toBe(400);
      expect(JSON.parse(body), path).toMatchObject({ code, msg: expect.any(String) });
    }
    await steps(s, 3);
    await until(() => payloads(healthy).length === s.messages.length, 5000, 'the healthy reader');
    expect(s.server.metrics.read('tickwire_sse_rejected_total')).toBe(cases.length);
  });

  it('send heartbeat comments on an idle stream', async () => {
    const s = await server('/ws/solusdt@trade', ['--ws-ping-interval-ms', '100']);
    const r = await sse(s, '/sse/solusdt@trade');
    await until(() => r.comments.length >= 3, 5000, 'three heartbeats');
    expect(r.events).toHaveLength(0);
  });

  it('close a reader that stops reading at the backpressure limit, count it, and keep the others served', async () => {
    const s = await server('/ws/btcusdt@trade', ['--ws-max-backpressure-bytes', '65536']);
    const paused = await sse(s, '/sse/solusdt@bookTicker');
    const healthy = await sse(s, '/sse/solusdt@bookTicker');
    paused.res.socket!.pause();
    const closes = () => s.server.metrics.read('tickwire_sse_slow_consumer_closes_total');
    let n = 0;
    for (let batch = 0; batch < 3000 && closes() === 0; batch++) {
      const events = Array.from({ length: 50 }, () => event.bookTicker(++n));
      s.server.bus.publish(channelFor('SOLUSDT'), events);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    expect(closes()).toBe(1);
    await until(() => healthy.events.length === n, 10_000, 'the healthy reader');
    expect(healthy.events.map((e) => JSON.parse(e.data).data.u)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(s.server.metrics.read('tickwire_sse_connections')).toBe(1);
  });
});


describe('Server-Sent Events on a fleet gateway still catching up', () => {
  it('are refused with 503 -1001 until the gateway is ready, then served', async () => {
    const { uws } = loadUws();
    const clock = createManualClock(START_US);
    const app = uws.App();
    let ready = false;
    const s = attachSse(app, {
      bus: createMemoryBus(), market: createSimulator({ seed: 7, clock, symbols: [{ symbol: 'SOLUSDT', tradesPerSec: 5 }] }),
      symbols: ['SOLUSDT'], ws: loadConfig().ws, metrics: createMetrics(), clock, ready: () => ready,
    });
    const { port, close } = await listenLocal(app);
    try {
      const refused = await openSse(port, '/sse/solusdt@trade');
      readers.push(refused);
      expect(refused.status).toBe(503);
      await refused.ended;
      ready = true;
      const served = await openSse(port, '/sse/solusdt@trade');
      readers.push(served);
      expect(served.status).toBe(200);
    } finally {
      for (const r of readers.splice(0)) r.close();
      s.shutdown();
      s.close();
      close();
    }
  });
});
