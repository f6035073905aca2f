// Server-Sent Events: `GET /sse/<stream>[/<stream>…]` and `GET /sse?streams=<s1>/<s2>`
// (docs/protocol.md#server-sent-events). Each event is `id: <cursor>`, `event: <stream name>` and
// `data: {"stream":…,"data":…}`, the combined framing of the WebSocket streams, byte for byte.
//
// Fan-out is the gateway's own (fanout.ts): per market event each payload is serialized once per
// time unit in use and wrapped once per stream name, then the same `event:`/`data:` text is queued
// on every subscriber; only the `id:` line is per connection (it is that connection's cursor).
// Each bus batch is written to a connection in one corked write. A connection that has more than
// ws.maxBackpressureBytes handed to uWS since it last caught up is closed and counted.
import type { HttpResponse, TemplatedApp } from 'uWebSockets.js';
import type { Bus, Unsubscribe } from '../bus/bus.ts';
import { channelFor } from '../bus/bus.ts';
import type { Config } from '../config.ts';
import type { Clock } from '../market/clock.ts';
import type { MarketEvent, MarketView } from '../market/types.ts';
import type { Metrics } from '../metrics.ts';
import { prefixed } from '../metrics.ts';
import { createFanout } from '../gateway/fanout.ts';
import { createAttemptLimiter } from '../gateway/limits.ts';
import type { NamedStream } from '../wire/control.ts';
import { encodeServerShutdown, type TimeUnit } from '../wire/encode.ts';
import { encodeRestError, UpgradeRefusal } from '../wire/errors.ts';
import { collectSince, currentCursor, formatCursor, hasCursor, isReplayable, parseCursor, type Cursor, type Gap } from './stream-history.ts';
import { parseStreamRequest } from './stream-request.ts';
import { guardRequest } from './request-guard.ts';
import { StreamRequestErrorMsg, RestErrorCode } from '../wire/errors.ts';

export interface SseOptions {
  readonly bus: Bus;
  readonly market: MarketView;
  readonly symbols: readonly string[];
  /** Stream limit, backpressure limit, lifetime, attempts per IP; the heartbeat runs at pingIntervalMs. */
  readonly ws: Config['ws'];
  readonly metrics: Metrics;
  readonly clock: Clock;
  /**
   * False while a fleet gateway is still catching up with the market: new requests are refused
   * with 503 -1001 (a proxy in front tries another gateway). Default: always ready.
   */
  readonly ready?: () => boolean;
}

export interface Sse {
  readonly connections: number;
  /** `event: serverShutdown` to every connection, then end each; refuse new ones with 503. */
  shutdown(): void;
  close(): void;
}

interface Client {
  readonly res: HttpResponse;
  readonly streams: readonly NamedStream[];
  readonly unit: TimeUnit;
  readonly cursor: Cursor;
  readonly topics: string[];
  readonly openedMs: number;
  /** Text waiting for the end of the current batch. */
  pending: string;
  /** Bytes handed to uWS since the last write that went out whole: an upper bound of its backlog. */
  backlog: number;
  closed: boolean;
}

interface Sub {
  readonly client: Client;
  readonly slot: number;
}

const REPLAY_CHUNK = 500;
const EVENT_STREAM_HEADERS: readonly [string, string][] = [
  ['Content-Type', 'text/event-stream; charset=utf-8'],
  ['Cache-Control', 'no-store'],
  ['Access-Control-Allow-Origin', '*'],
  ['X-Accel-Buffering', 'no'],
];
const now = (): number => performance.now();
const decoder = new TextDecoder();

/** The id value an event moves its stream's cursor to; undefined for events of state streams. */
function cursorValue(ev: MarketEvent): number | undefined {
  if (ev.type === 'trade') return ev.trade.id;
  if (ev.type === 'aggTrade') return ev.aggTrade.id;
  if (ev.type === 'depthUpdate') return ev.lastUpdateId;
  return undefined;
}

export function gapText(g: Gap): string {
  return `event: gap\ndata: ${JSON.stringify(g)}\n\n`;
}

export function attachSse(app: TemplatedApp, opts: SseOptions): Sse {
  const { ws: limits, metrics, market } = opts;
  const symbols: ReadonlySet<string> = new Set(opts.symbols.map((s) => s.toUpperCase()));
  const clients = new Set<Client>();
  const byTopic = new Map<string, Set<Sub>>();
  const dirty = new Set<Client>();
  const attempts = createAttemptLimiter(limits.connAttemptsPerIp, limits.connAttemptWindowMs);
  let shuttingDown = false;
  let inBatch = false;
  let current: number | undefined;

  metrics.gauge('tickwire_sse_connections', 'Open Server-Sent Events connections.', () => clients.size);
  const bytesOut = metrics.counter('tickwire_sse_bytes_out_total', 'Bytes of Server-Sent Events written (events, replays, gaps, heartbeats).');
  const replayed = metrics.counter('tickwire_sse_events_replayed_total', 'Events sent again to a client that resumed with Last-Event-ID.');
  const gaps = Object.fromEntries((['tooOld', 'tooMany', 'notReplayable', 'unknownCursor'] as const).map((r) => [r,
    metrics.counter('tickwire_sse_gaps_total', 'Gap events sent to resuming clients, by reason.', { reason: r })]));
  const slowCloses = metrics.counter('tickwire_sse_slow_consumer_closes_total', 'SSE connections closed for having more than ws.maxBackpressureBytes unsent.');
  const rejected = metrics.counter('tickwire_sse_rejected_total', 'SSE requests refused (400, 429, 503).');

  // The gateway's encoder with its own topic table: publish hands us one text per topic.
  const fanout = createFanout({
    publish(topic, text) {
      const subs = byTopic.get(topic);
      if (!subs) return;
      const first = subs.values().next().value!;
      const frame = `event: ${first.client.streams[first.slot]!.name}\ndata: ${text}\n\n`;
      for (const { client, slot } of subs) {
        if (current !== undefined && hasCursor(client.streams[slot]!)) {
          if (current <= client.cursor[slot]!) continue; // already sent by a replay
          client.cursor[slot] = current;
        }
        client.pending += `id: ${formatCursor(client.cursor)}\n${frame}`;
        dirty.add(client);
      }
      if (!inBatch) flush();
    },
    // The fan-out's own counters (events published, frames delivered and payloads encoded, by kind)
    // are kept apart from the WebSocket gateway's under tickwire_sse_…
    metrics: prefixed(metrics, 'tickwire_', 'tickwire_sse_'),
    symbols: [...symbols],
    bytesOut: metrics.counter('tickwire_sse_payload_bytes_total', 'Bytes of combined payloads queued on SSE connections (payload × subscribers), id/event/data lines excluded.'),
  });

  const busSubs: Unsubscribe[] = [...symbols].map((symbol) =>
    opts.bus.subscribe(channelFor(symbol), (events) => {
      if (clients.size === 0) return;
      inBatch = true;
      try {
        for (const ev of events) {
          current = cursorValue(ev);
          fanout.publishBatch([ev]);
        }
      } finally {
        current = undefined;
        inBatch = false;
      }
      flush();
    }),
  );

  function flush(): void {
    for (const c of dirty) {
      const text = c.pending;
      c.pending = '';
      write(c, text);
    }
    dirty.clear();
  }

  /** Write now (corked); close the connection once its backlog passes the limit. */
  function write(c: Client, text: string): void {
    if (c.closed || text === '') return;
    let ok = true;
    c.res.cork(() => {
      ok = c.res.write(text);
    });
    bytesOut.inc(text.length);
    c.backlog = ok ? 0 : c.backlog + text.length;
    if (c.backlog >= limits.maxBackpressureBytes) {
      slowCloses.inc();
      drop(c);
      c.res.close();
    }
  }

  /** Forget a connection (aborted, closed, ended). */
  function drop(c: Client): void {
    if (c.closed) return;
    c.closed = true;
    clients.delete(c);
    dirty.delete(c);
    for (let i = 0; i < c.streams.length; i++) {
      const s = c.streams[i]!;
      const topic = c.topics[i]!;
      const subs = byTopic.get(topic);
      if (subs) {
        for (const sub of subs) if (sub.client === c) subs.delete(sub);
        if (subs.size === 0) byTopic.delete(topic);
      }
      fanout.remove(s.name, s.spec, true, c.unit);
    }
  }

  function refuse(res: HttpResponse, status: string, body: string): void {
    rejected.inc();
    res.cork(() => res.writeStatus(status).writeHeader('Content-Type', 'application/json').writeHeader('Access-Control-Allow-Origin', '*').end(body));
  }

  function open(res: HttpResponse, url: string, query: string, lastEventId: string, ip: string): void {
    if (shuttingDown) return refuse(res, UpgradeRefusal.shuttingDown.status, UpgradeRefusal.shuttingDown.body);
    if (opts.ready && !opts.ready()) return refuse(res, UpgradeRefusal.catchingUp.status, UpgradeRefusal.catchingUp.body);
    if (!attempts.attempt(ip, now())) return refuse(res, UpgradeRefusal.tooManyAttempts.status, UpgradeRefusal.tooManyAttempts.body);
    const parsed = parseStreamRequest('/sse', url, query, symbols, limits.maxStreams);
    if (!parsed.ok) return refuse(res, '400 Bad Request', encodeRestError(parsed.code, parsed.msg));
    const { streams, unit } = parsed.request;
    // EventSource resends the last id it saw; `lastEventId=` serves clients that cannot set headers.
    const resumeText = lastEventId !== '' ? lastEventId : parsed.request.params.get('lastEventId') ?? '';
    let cursor: Cursor | undefined;
    if (resumeText !== '') {
      cursor = parseCursor(resumeText, streams);
      if (!cursor) return refuse(res, '400 Bad Request', encodeRestError(RestErrorCode.ILLEGAL_CHARS, StreamRequestErrorMsg.badCursor('Last-Event-ID')));
    }
    const fresh = currentCursor(market, streams);
    const client: Client = {
      res, streams, unit, cursor: cursor ?? fresh, topics: [], openedMs: now(), pending: '', backlog: 0, closed: false,
    };
    // Streams without a cursor of their own (state streams) always start from "now".
    if (cursor) for (let i = 0; i < streams.length; i++) if (!hasCursor(streams[i]!)) client.cursor[i] = -1;

    let head = 'retry: 1000\n\n';
    if (cursor) {
      // Synchronously, before any later batch can arrive: replay, then live events pick up after it.
      // A replay may fill half the backpressure limit, so that the client is not closed as slow for
      // catching up; what is left past that is a `tooMany` gap (the client fetches it from REST).
      const budget = limits.maxBackpressureBytes / 2;
      for (let full = false; !full; ) {
        const before = client.cursor.slice();
        const { events, gaps: found } = collectSince(market, streams, client.cursor, unit, REPLAY_CHUNK);
        for (const g of found) {
          gaps[g.reason]!.inc();
          head += gapText(g);
        }
        if (events.length === 0) break;
        // collectSince moved the cursor past these events: each one's id is the cursor as of it.
        const running = client.cursor.slice();
        for (const e of events) running[e.slot] = before[e.slot]!;
        let sent = 0;
        for (const e of events) {
          if (head.length >= budget) {
            full = true;
            break;
          }
          running[e.slot] = e.value;
          head += `id: ${formatCursor(running)}\nevent: ${streams[e.slot]!.name}\ndata: ${e.text}\n\n`;
          sent++;
        }
        replayed.inc(sent);
        if (full) {
          const now = currentCursor(market, streams);
          for (let i = 0; i < streams.length; i++) {
            if (!isReplayable(streams[i]!) || running[i]! >= now[i]!) continue;
            const g: Gap = { stream: streams[i]!.name, reason: 'tooMany', missedFrom: running[i]! + 1, resumedAt: now[i]! + 1 };
            gaps[g.reason]!.inc();
            head += gapText(g);
            client.cursor[i] = now[i]!;
          }
        }
      }
    }

    res.onAborted(() => drop(client));
    res.cork(() => {
      res.writeStatus('200 OK');
      for (const [k, v] of EVENT_STREAM_HEADERS) res.writeHeader(k, v);
    });
    clients.add(client);
    for (let i = 0; i < streams.length; i++) {
      const s = streams[i]!;
      const topic = fanout.add(s.name, s.spec, true, unit);
      client.topics.push(topic);
      let subs = byTopic.get(topic);
      if (!subs) byTopic.set(topic, (subs = new Set()));
      subs.add({ client, slot: i });
    }
    write(client, head);
  }

  const handler = (res: HttpResponse, req: { getUrl(): string; getQuery(): string | undefined; getHeader(k: string): string }) => {
    const url = req.getUrl();
    const query = req.getQuery() ?? '';
    const lastEventId = req.getHeader('last-event-id');
    const ip = decoder.decode(res.getRemoteAddressAsText());
    try {
      open(res, url, query, lastEventId, ip);
    } catch (err) {
      console.error(JSON.stringify({ level: 'error', msg: 'SSE open failed', url, error: err instanceof Error ? err.message : String(err) }));
      res.cork(() => res.writeStatus('500 Internal Server Error').end(encodeRestError(RestErrorCode.UNKNOWN, 'An unknown error occurred while processing the request.')));
    }
  };
  app.get('/sse', guardRequest(handler));
  app.get('/sse/*', guardRequest(handler));

  // Heartbeat comments keep proxies from timing out an idle stream; the lifetime ends a connection
  // (EventSource reconnects with Last-Event-ID and misses nothing).
  const tickMs = Math.max(10, Math.min(1000, Math.floor(limits.pingIntervalMs / 2)));
  let nextBeatMs = now() + limits.pingIntervalMs;
  let nextSweepMs = now() + limits.connAttemptWindowMs;
  const housekeeping = setInterval(() => {
    const t = now();
    if (t >= nextSweepMs) {
      attempts.sweep(t);
      nextSweepMs = t + limits.connAttemptWindowMs;
    }
    const beat = t >= nextBeatMs;
    if (beat) nextBeatMs = t + limits.pingIntervalMs;
    for (const c of [...clients]) {
      if (t - c.openedMs >= limits.maxLifetimeMs) endClient(c, '');
      else if (beat) write(c, ':\n\n');
    }
  }, tickMs);
  housekeeping.unref();

  function endClient(c: Client, last: string): void {
    if (c.closed) return;
    drop(c);
    c.res.cork(() => c.res.end(last));
  }

  return {
    get connections() {
      return clients.size;
    },
    shutdown() {
      shuttingDown = true;
      const timeUs = opts.clock.nowUs();
      for (const c of [...clients]) endClient(c, `event: serverShutdown\ndata: ${encodeServerShutdown(timeUs, c.unit)}\n\n`);
    },
    close() {
      clearInterval(housekeeping);
      for (const u of busSubs) u();
      fanout.close();
    },
  };
}
