// Long-polling on real sockets: the WebSocket streams' payloads from a cursor with no gap (also on a
// restarted server), requests held until an event or waitMs, bounds per IP and in total, bad input.
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryBus } from '../../server/bus/bus-memory.ts';
import { channelFor } from '../../server/bus/bus.ts';
import { attachLongPoll, type LongPoll } from '../../server/http/long-poll.ts';
import { createWeightLimiter } from '../../server/http/weights.ts';
import { createManualClock } from '../../server/market/clock.ts';
import { createSimulator } from '../../server/market/simulator.ts';
import { createMetrics } from '../../server/metrics.ts';
import { loadUws } from '../../server/uws.ts';
import { RestErrorCode } from '../../server/wire/errors.ts';
import { until } from '../gateway/harness.ts';
import { httpGet, type Reply } from '../http/harness.ts';
import { listenLocal } from '../listen.ts';
import { START_US, startManualServer, type ManualServer } from '../server/manual-server.ts';

const STEP_US = 250_000;
let open: ManualServer[] = [];
afterEach(async () => {
  for (const s of open) await s.close();
  open = [];
});

async function server(wsPath: string): Promise<ManualServer> {
  const s = await startManualServer(['--symbols', 'SOLUSDT:40,BTCUSDT:5'], wsPath);
  open.push(s);
  return s;
}
const streamed = (s: ManualServer) => s.messages.filter((m: any) => typeof m?.stream === 'string');
const poll = (port: number, query: string) => httpGet(port, `/poll?${query}`);

/** Ask from `cursor` until an answer comes back empty; the events in order and the last cursor. */
async function drain(port: number, streams: string, cursor: string): Promise<{ events: any[]; cursor: string }> {
  const events: any[] = [];
  for (;;) {
    const r = (await poll(port, `streams=${streams}&cursor=${cursor}&waitMs=0`)).json();
    events.push(...r.events);
    cursor = r.cursor;
    if (r.events.length === 0) return { events, cursor };
  }
}

describe('long-polling', () => {
  it('answers the first request with the current cursor, holds the next until the market trades, and carries the WebSocket payloads', async () => {
    const names = 'solusdt@trade/solusdt@aggTrade/btcusdt@trade';
    const s = await server(`/stream?streams=${names}`);
    const start = (await poll(s.server.port, `streams=${names}`)).json();
    expect(start).toMatchObject({ events: [], gaps: [], more: false, cursor: expect.stringMatching(/^\d+\.\d+\.\d+$/) });

    const held = poll(s.server.port, `streams=${names}&cursor=${start.cursor}&waitMs=10000`);
    await until(() => s.server.metrics.read('tickwire_long_poll_held') === 1, 5000, 'the request to be held');
    await s.step(STEP_US);
    const woken = (await held).json();
    expect(woken.events.length).toBeGreaterThan(0);
    expect(s.server.metrics.read('tickwire_long_poll_requests_total', { outcome: 'woken' })).toBe(1);

    await s.step(STEP_US);
    await s.step(STEP_US);
    const rest = await drain(s.server.port, names, woken.cursor);
    const got = [...woken.events, ...rest.events];
    const ws = streamed(s);
    expect(got).toHaveLength(ws.length);
    for (const name of names.split('/')) expect(got.filter((m) => m.stream === name)).toEqual(ws.filter((m: any) => m.stream === name));
  });

  it('answers at waitMs with no events and the same cursor when the market is quiet', async () => {
    const s = await server('/ws/solusdt@trade');
    const { cursor } = (await poll(s.server.port, 'streams=solusdt@trade')).json();
    const r = (await poll(s.server.port, `streams=solusdt@trade&cursor=${cursor}&waitMs=150`)).json();
    expect(r).toEqual({ cursor, more: false, gaps: [], events: [] });
    expect(s.server.metrics.read('tickwire_long_poll_requests_total', { outcome: 'timeout' })).toBe(1);
  });

  it('resumes from a cursor on a restarted server reading the same market, with no gap', async () => {
    const a = await server('/ws/solusdt@trade');
    const start = (await httpGet(a.server.port, '/poll/solusdt@trade')).json();
    await a.step(STEP_US);
    const first = await drain(a.server.port, 'solusdt@trade', start.cursor);
    await a.close();
    open = [];

    const b = await server('/stream?streams=solusdt@trade');
    await b.step(STEP_US);
    await b.step(STEP_US);
    const second = await drain(b.server.port, 'solusdt@trade', first.cursor);
    expect(second.events.length).toBeGreaterThan(0);
    expect([...first.events, ...second.events]).toEqual(streamed(b));
  });

  it('refuses bad requests with HTTP 400 and the REST error body', async () => {
    const s = await server('/ws/solusdt@trade');
    const cases: [string, number][] = [
      ['/poll', RestErrorCode.MANDATORY_PARAM_EMPTY_OR_MALFORMED],
      ['/poll/nopeusdt@trade', RestErrorCode.ILLEGAL_CHARS],
      ['/poll/solusdt@bookTicker', RestErrorCode.ILLEGAL_CHARS],
      ['/poll/solusdt@depth', RestErrorCode.ILLEGAL_CHARS],
      ['/poll/solusdt@trade?cursor=x', RestErrorCode.ILLEGAL_CHARS],
      ['/poll/solusdt@trade?cursor=1.2', RestErrorCode.ILLEGAL_CHARS],
      ['/poll/solusdt@trade?cursor=1&waitMs=-1', RestErrorCode.INVALID_PARAMETER],
      ['/poll/solusdt@trade?cursor=1&waitMs=60001', RestErrorCode.INVALID_PARAMETER],
      ['/poll/solusdt@trade?cursor=1&cursor=2', RestErrorCode.TOO_MANY_PARAMETERS],
    ];
    for (const [path, code] of cases) {
      const r = await httpGet(s.server.port, path);
      expect(r.status, path).toBe(400);
      expect(r.json(), path).toMatchObject({ code, msg: expect.any(String) });
    }
    expect((await httpGet(s.server.port, '/poll/solusdt@trade')).status).toBe(200);
  });
});

/** attachLongPoll alone on a uWS app, over a manual clock and a simulator that `step` moves on. */
async function startLongPollApp(opts: { weightPerMinute: number; maxHeldPerIp?: number; maxHeldTotal?: number; ready?: () => boolean }) {
  const { uws } = loadUws();
  const clock = createManualClock(START_US);
  const bus = createMemoryBus();
  const market = createSimulator({ seed: 7, clock, symbols: [{ symbol: 'SOLUSDT', tradesPerSec: 5 }] });
  const uapp = uws.App();
  const lp = attachLongPoll(uapp, {
    bus, market, symbols: ['SOLUSDT'], limiter: createWeightLimiter({ limit: opts.weightPerMinute, clock }), metrics: createMetrics(), maxStreams: 10,
    maxHeldPerIp: opts.maxHeldPerIp, maxHeldTotal: opts.maxHeldTotal, ready: opts.ready,
  });
  const listening = await listenLocal(uapp);
  return {
    port: listening.port,
    lp,
    clock,
    step(us: number) {
      clock.advance(us);
      market.advanceTo(clock.nowUs(), (symbol, batch) => bus.publish(channelFor(symbol), batch));
    },
    close() {
      lp.shutdown();
      lp.close();
      listening.close();
    },
  };
}

describe('held long-poll requests', () => {
  let app: { port: number; lp: LongPoll; close(): void } | undefined;
  afterEach(() => app?.close());

  async function startApp(maxHeldPerIp: number, maxHeldTotal: number, weightPerMinute = 1e6) {
    const a = await startLongPollApp({ weightPerMinute, maxHeldPerIp, maxHeldTotal });
    app = a;
    const { cursor } = (await httpGet(a.port, '/poll/solusdt@trade')).json();
    return { ...a, cursor: cursor as string };
  }

  /** A held request that can be abandoned; resolves with the reply if the server answers. */
  function hold(port: number, cursor: string) {
    let abandon!: () => void;
    const reply = new Promise<Reply | undefined>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: `/poll/solusdt@trade?cursor=${cursor}&waitMs=30000`, agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c)).on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) }));
      });
      req.on('error', () => resolve(undefined));
      req.end();
      abandon = () => req.destroy();
    });
    return { reply, abandon };
  }

  it('are bounded per IP with a 429 saying so, and a client that goes away frees its place', async () => {
    const a = await startApp(2, 100);
    const held = [hold(a.port, a.cursor), hold(a.port, a.cursor)];
    await until(() => a.lp.held === 2, 5000, 'two held requests');
    const third = await httpGet(a.port, `/poll/solusdt@trade?cursor=${a.cursor}&waitMs=30000`);
    expect(third.status).toBe(429);
    expect(third.json()).toMatchObject({ code: RestErrorCode.TOO_MANY_REQUESTS, msg: expect.stringContaining('this IP') });
    held[0]!.abandon();
    await until(() => a.lp.held === 1, 5000, 'the abandoned request to be released');
    const again = hold(a.port, a.cursor);
    await until(() => a.lp.held === 2, 5000, 'the place to be taken again');
    a.step(2_000_000);
    for (const r of [held[1]!, again]) expect((await r.reply)?.json().events.length).toBeGreaterThan(0);
    expect(a.lp.held).toBe(0);
  });

  it('are bounded in total with a 429 saying so', async () => {
    const a = await startApp(10, 3);
    const held = [hold(a.port, a.cursor), hold(a.port, a.cursor), hold(a.port, a.cursor)];
    await until(() => a.lp.held === 3, 5000, 'three held requests');
    const fourth = await httpGet(a.port, `/poll/solusdt@trade?cursor=${a.cursor}&waitMs=30000`);
    expect(fourth.status).toBe(429);
    expect(fourth.json().msg).toContain('on this server');
    a.step(2_000_000);
    for (const h of held) expect((await h.reply)?.status).toBe(200);
  });
});

describe('long-polling on a fleet gateway still catching up', () => {
  it('is refused with 503 -1001 until the gateway is ready, then served', async () => {
    let ready = false;
    const { port, close } = await startLongPollApp({ weightPerMinute: 1e6, ready: () => ready });
    try {
      const refused = await httpGet(port, '/poll/solusdt@trade');
      expect(refused.status).toBe(503);
      expect(refused.json()).toMatchObject({ code: RestErrorCode.DISCONNECTED, msg: expect.stringContaining('catching up') });
      ready = true;
      expect((await httpGet(port, '/poll/solusdt@trade')).status).toBe(200);
    } finally {
      close();
    }
  });
});

describe('long-poll flooding', () => {
  it('is answered 429 with -1003 past the per-IP request weight, and the server keeps answering others', async () => {
    const { port, clock, close } = await startLongPollApp({ weightPerMinute: 5 });
    try {
      const replies = await Promise.all(Array.from({ length: 8 }, () => httpGet(port, '/poll/solusdt@trade')));
      expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
      expect(replies.find((r) => r.status === 429)!.json()).toMatchObject({ code: RestErrorCode.TOO_MANY_REQUESTS });
      clock.advance(60_000_000); // the next minute
      expect((await httpGet(port, '/poll/solusdt@trade')).status).toBe(200);
    } finally {
      close();
    }
  });
});
