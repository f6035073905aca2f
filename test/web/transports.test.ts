// The dashboard's other transports against the real server on port 0: Server-Sent Events resumed
// with the cursor, rounds over the WebSocket API matching REST, long-polling keeping its cursor
// across a failed request. Each counts trades with none missed and no id gap.
import { request } from 'node:http';
import { signal } from '@preact/signals';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startServer, type RunningServer } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createFrameLoop } from '../../web/src/state/frame.ts';
import { createLongPollFeed } from '../../web/src/state/long-poll-feed.ts';
import { createPollFeed } from '../../web/src/state/poll-feed.ts';
import { browserTimers } from '../../web/src/state/poller.ts';
import { createRest, type Rest } from '../../web/src/state/rest.ts';
import type { SocketCtor } from '../../web/src/state/socket.ts';
import { createSse, sseEventBytes, type EventSourceLike } from '../../web/src/state/sse.ts';
import { createWsApi, toWsApiRequest, wsApiRest } from '../../web/src/state/ws-api.ts';
import { untilAggId } from '../market-rest.ts';
import { manualFrames } from './fakes.ts';

const opened: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close();
});

async function serve(): Promise<RunningServer> {
  const s = await startServer(loadConfig(['--port', '0', '--symbols', 'SOLUSDT:50', '--seed', '7']), { distDir: '/nonexistent/tickwire-dist' });
  opened.push(s);
  return s;
}

async function until(cond: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * A small EventSource over node:http: parses `id:`/`event:`/`data:` lines and, like the browser
 * when an answer ends for good, reports CLOSED (2) so that the model reconnects by itself.
 */
class NodeEventSource implements EventSourceLike {
  static urls: string[] = [];
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  private readonly listeners = new Map<string, ((ev: { data: string; lastEventId: string }) => void)[]>();
  private readonly req;
  constructor(url: string) {
    NodeEventSource.urls.push(url);
    this.req = request(url, (res) => {
      this.readyState = 1;
      this.onopen?.({});
      let buf = '';
      let lastId = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        for (let end = buf.indexOf('\n\n'); end >= 0; end = buf.indexOf('\n\n')) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          let type = 'message';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) lastId = line.slice(4);
            else if (line.startsWith('event: ')) type = line.slice(7);
            else if (line.startsWith('data: ')) data = line.slice(6);
          }
          if (data) for (const fn of this.listeners.get(type) ?? []) fn({ data, lastEventId: lastId });
        }
      });
      res.on('end', () => this.fail());
      res.on('error', () => this.fail());
    });
    this.req.on('error', () => this.fail());
    this.req.end();
  }
  private fail() {
    if (this.readyState === 2) return;
    this.readyState = 2;
    this.onerror?.({});
  }
  addEventListener(type: string, fn: (ev: { data: string; lastEventId: string }) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  close() {
    this.readyState = 2;
    this.req.destroy();
  }
}

/** Aggregate ids in order: each one after the other, none twice. */
function contiguous(ids: readonly number[]): boolean {
  return ids.every((a, i) => i === 0 || a === ids[i - 1]! + 1);
}

describe('dashboard transports against the real server', () => {
  it('counts a Server-Sent Event as its id, event and data lines', () => {
    expect(sseEventBytes('12.', 'solusdt@aggTrade', '{}')).toBe('id: 12.\nevent: solusdt@aggTrade\ndata: {}\n\n'.length);
    expect(sseEventBytes('', 'gap', '{}')).toBe('event: gap\ndata: {}\n\n'.length);
  });

  it('maps the polled side’s REST paths to their WebSocket API twins with typed params', () => {
    expect(toWsApiRequest('/api/v3/aggTrades?symbol=SOLUSDT&fromId=42&limit=1000')).toEqual({ method: 'trades.aggregate', params: { symbol: 'SOLUSDT', fromId: 42, limit: 1000 } });
    expect(toWsApiRequest('/api/v3/ticker/24hr?symbol=SOLUSDT&type=MINI')).toEqual({ method: 'ticker.24hr', params: { symbol: 'SOLUSDT', type: 'MINI' } });
    expect(() => toWsApiRequest('/api/v3/depth?symbol=SOLUSDT')).toThrow(/no WebSocket API twin/);
  });

  it('reads Server-Sent Events and, reconnected with its cursor, goes on with no gap and no duplicate', async () => {
    const s = await serve();
    const ids: number[] = [];
    let bytes = 0;
    NodeEventSource.urls = [];
    const sse = createSse({
      url: `http://127.0.0.1:${s.port}/sse`,
      EventSource: NodeEventSource,
      timers: browserTimers,
      backoff: { baseMs: 50, maxMs: 100 },
      onMessage(stream, data, n) {
        bytes += n;
        if (stream === 'solusdt@aggTrade') ids.push((data as { a: number }).a);
      },
    });
    opened.push({ close: () => sse.stop() });
    sse.setStreams(['solusdt@aggTrade', 'solusdt@bookTicker']);
    sse.start();
    await until(() => ids.length >= 20 && sse.status.value.kind === 'live');
    expect(bytes).toBe(sse.bytes.value);
    // Away for a while: trades go on without this reader.
    sse.stop();
    const stoppedAt = ids.length;
    const seenBefore = ids[stoppedAt - 1]!;
    await untilAggId(`http://127.0.0.1:${s.port}`, seenBefore + 20);
    sse.start();
    await until(() => ids.length >= stoppedAt + 40);
    expect(ids[ids.length - 1]).toBeGreaterThan(seenBefore + 20);
    expect(NodeEventSource.urls.at(-1)).toMatch(/&lastEventId=\d+\.$/);
    expect(ids[stoppedAt]).toBe(seenBefore + 1);
    expect(contiguous(ids)).toBe(true);
  });

  it('asks over the WebSocket API (also while it opens) exactly what REST answers, and polls every trade over it with none missed', async () => {
    const s = await serve();
    const api = createWsApi({ url: `ws://127.0.0.1:${s.port}/ws-api/v3`, WebSocket: WebSocket as unknown as SocketCtor, timers: browserTimers });
    opened.push({ close: () => api.stop() });
    api.start();
    // Asked while the socket is still opening: sent once it opens, not failed.
    await expect(wsApiRest(api).get<{ serverTime: number }>('/api/v3/time')).resolves.toMatchObject({ data: { serverTime: expect.any(Number) } });
    expect(api.status.value.kind).toBe('live');
    const viaWs = await wsApiRest(api).get<{ a: number }[]>('/api/v3/aggTrades?symbol=SOLUSDT&fromId=1&limit=5');
    const viaRest = await createRest(`http://127.0.0.1:${s.port}`).get<{ a: number }[]>('/api/v3/aggTrades?symbol=SOLUSDT&fromId=1&limit=5');
    expect(viaWs.data).toEqual(viaRest.data);
    await expect(wsApiRest(api).get('/api/v3/aggTrades?symbol=NOPE')).rejects.toMatchObject({ code: -1121 });

    const frames = manualFrames(() => performance.now());
    const feed = createPollFeed({
      rest: wsApiRest(api), loop: createFrameLoop(frames.sched), timers: browserTimers, offsetMs: signal(0),
      intervalMs: signal(250), mode: signal('every'), symbol: 'SOLUSDT',
    });
    opened.push({ close: () => feed.stop() });
    feed.start();
    await until(() => {
      frames.tick();
      return feed.panel.trades.value >= 40;
    });
    expect(feed.panel.missed.value).toBe(0);
    expect(feed.panel.tradeBytes.value).toBeGreaterThan(0);
    expect(api.requests.value).toBeGreaterThan(2);
  });

  it('long-polls with a cursor and keeps it across a failed request, so nothing is missed', async () => {
    const s = await serve();
    const real = createRest(`http://127.0.0.1:${s.port}`);
    let failNext = false;
    let failed = 0;
    const paths: string[] = [];
    const rest: Rest = {
      gateway: signal(null),
      get(path, o) {
        paths.push(path);
        if (failNext && path.includes('cursor=')) {
          failNext = false;
          failed++;
          return Promise.reject(new TypeError('fetch failed'));
        }
        return real.get(path, o);
      },
      close: () => real.close(),
    };
    const frames = manualFrames(() => performance.now());
    const feed = createLongPollFeed({ rest, loop: createFrameLoop(frames.sched), timers: browserTimers, offsetMs: signal(0), symbol: 'SOLUSDT', random: () => 0 });
    opened.push({ close: () => feed.stop() });
    feed.start();
    const tick = (n: number) => () => {
      frames.tick();
      return feed.panel.trades.value >= n;
    };
    await until(tick(20));
    failNext = true;
    await until(() => failed === 1);
    expect(feed.lastError.value).toMatch(/does not answer/);
    await until(tick(feed.panel.trades.value + 40));
    expect(feed.lastError.value).toBeNull();
    expect(feed.panel.missed.value).toBe(0);
    expect(feed.panel.requests.value).toBe(paths.length);
    const ids = feed.panel.tape.value.filter((e) => 'a' in e).map((e) => (e as { a: number }).a).reverse();
    expect(ids.length).toBeGreaterThan(20);
    expect(contiguous(ids)).toBe(true);
  });
});
