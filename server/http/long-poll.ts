// Long-polling: `GET /poll?streams=<s1>/<s2>&cursor=<c>&waitMs=<ms>` (or `/poll/<stream>…`),
// docs/protocol.md#long-polling. Answers at once with every event after the cursor when there are
// any; otherwise holds the request until the market makes one, or until waitMs, then answers with
// the events and the next cursor. The cursor is the one SSE sends as its event ids. Only @trade and
// @aggTrade streams can be polled: "everything since the cursor" needs a history to answer from.
//
// Held requests are bounded per IP and in total (past either: 429 and the REST error body); every
// held request has onAborted, so a client that goes away frees its place at once.
import type { HttpResponse, TemplatedApp } from 'uWebSockets.js';
import type { Bus, Unsubscribe } from '../bus/bus.ts';
import { channelFor } from '../bus/bus.ts';
import type { MarketView } from '../market/types.ts';
import type { Counter, Metrics } from '../metrics.ts';
import type { WeightLimiter } from './weights.ts';
import type { NamedStream } from '../wire/control.ts';
import type { TimeUnit } from '../wire/encode.ts';
import { encodeRestError, RestErrorCode, RestErrorMsg, StreamRequestErrorMsg } from '../wire/errors.ts';
import { collectSince, currentCursor, formatCursor, isReplayable, parseCursor, type Cursor, type Gap } from './stream-history.ts';
import { parseStreamRequest } from './stream-request.ts';
import { guardRequest } from './request-guard.ts';

export interface LongPollOptions {
  readonly bus: Bus;
  readonly market: MarketView;
  readonly symbols: readonly string[];
  /** REST's limiter: each poll costs POLL_WEIGHT of the same per-IP weight. */
  readonly limiter: WeightLimiter;
  readonly metrics: Metrics;
  /** Streams a request may name (the WebSocket limit). */
  readonly maxStreams: number;
  readonly maxHeldPerIp?: number;
  readonly maxHeldTotal?: number;
  /**
   * False while a fleet gateway is still catching up with the market: new requests are refused
   * with 503 -1001 (a proxy in front tries another gateway). Default: always ready.
   */
  readonly ready?: () => boolean;
}

export interface LongPoll {
  readonly held: number;
  /** Answer every held request now (with what it has) and refuse new ones with 503. */
  shutdown(): void;
  close(): void;
}

export const POLL_WEIGHT = 1;
export const DEFAULT_WAIT_MS = 20_000;
export const MAX_WAIT_MS = 60_000;
export const DEFAULT_MAX_HELD_PER_IP = 100;
export const DEFAULT_MAX_HELD_TOTAL = 10_000;
/** Most events one answer carries; `more: true` says the client should ask again at once. */
export const MAX_EVENTS = 1000;

interface Held {
  readonly res: HttpResponse;
  readonly ip: string;
  readonly streams: readonly NamedStream[];
  readonly cursor: Cursor;
  readonly unit: TimeUnit;
  readonly symbols: readonly string[];
  timer: ReturnType<typeof setTimeout> | undefined;
  done: boolean;
}

const decoder = new TextDecoder();
const WAIT = /^(0|[1-9][0-9]{0,5})$/;

/** `{"cursor":"…","more":…,"gaps":[…],"events":[<combined payloads>]}`; payload texts are spliced in as they are. */
export function encodePollAnswer(cursor: string, events: readonly { readonly text: string }[], gaps: readonly Gap[], more: boolean): string {
  let out = `{"cursor":${JSON.stringify(cursor)},"more":${more},"gaps":${JSON.stringify(gaps)},"events":[`;
  for (let i = 0; i < events.length; i++) out += (i === 0 ? '' : ',') + events[i]!.text;
  return out + ']}';
}

export function attachLongPoll(app: TemplatedApp, opts: LongPollOptions): LongPoll {
  const { market, metrics, limiter } = opts;
  const maxPerIp = opts.maxHeldPerIp ?? DEFAULT_MAX_HELD_PER_IP;
  const maxTotal = opts.maxHeldTotal ?? DEFAULT_MAX_HELD_TOTAL;
  const symbols: ReadonlySet<string> = new Set(opts.symbols.map((s) => s.toUpperCase()));
  const bySymbol = new Map<string, Set<Held>>();
  const perIp = new Map<string, number>();
  let held = 0;
  let shuttingDown = false;

  metrics.gauge('tickwire_long_poll_held', 'Long-poll requests held open now.', () => held);
  const OUTCOMES = ['immediate', 'woken', 'timeout', 'aborted', 'shutdown'] as const;
  const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o,
    metrics.counter('tickwire_long_poll_requests_total', 'Long-poll requests by how they ended: answered at once, woken by an event, at waitMs, aborted by the client, at shutdown.', { outcome: o })])) as Record<(typeof OUTCOMES)[number], Counter>;
  const rejectedCounters = new Map<number, Counter>();
  const rejected = (code: number): Counter => {
    let c = rejectedCounters.get(code);
    if (!c) rejectedCounters.set(code, (c = metrics.counter('tickwire_long_poll_rejected_total', 'Long-poll requests refused, by REST error code.', { code: String(code) })));
    return c;
  };
  const eventsOut = metrics.counter('tickwire_long_poll_events_total', 'Events sent in long-poll answers.');
  const bytesOut = metrics.counter('tickwire_long_poll_bytes_out_total', 'Bytes of long-poll answer bodies.');

  function refuse(res: HttpResponse, status: string, code: RestErrorCode, msg: string): void {
    rejected(code).inc();
    res.cork(() => res.writeStatus(status).writeHeader('Content-Type', 'application/json').writeHeader('Access-Control-Allow-Origin', '*').end(encodeRestError(code, msg)));
  }

  function send(res: HttpResponse, body: string): void {
    bytesOut.inc(body.length);
    res.cork(() => res.writeStatus('200 OK').writeHeader('Content-Type', 'application/json').writeHeader('Cache-Control', 'no-store')
      .writeHeader('Access-Control-Allow-Origin', '*').end(body));
  }

  /** Collect what the cursor has not seen; answer and return true when there is anything (or `force`). */
  function tryAnswer(res: HttpResponse, streams: readonly NamedStream[], cursor: Cursor, unit: TimeUnit, force: boolean): boolean {
    const { events, gaps } = collectSince(market, streams, cursor, unit, MAX_EVENTS);
    if (!force && events.length === 0 && gaps.length === 0) return false;
    eventsOut.inc(events.length);
    send(res, encodePollAnswer(formatCursor(cursor), events, gaps, events.length >= MAX_EVENTS));
    return true;
  }

  function release(h: Held): void {
    if (h.done) return;
    h.done = true;
    if (h.timer) clearTimeout(h.timer);
    for (const s of h.symbols) {
      const set = bySymbol.get(s);
      set?.delete(h);
      if (set?.size === 0) bySymbol.delete(s);
    }
    held--;
    const n = (perIp.get(h.ip) ?? 1) - 1;
    if (n <= 0) perIp.delete(h.ip);
    else perIp.set(h.ip, n);
  }

  function handle(res: HttpResponse, url: string, query: string, ip: string): void {
    let aborted = false;
    let h: Held | undefined;
    res.onAborted(() => {
      aborted = true;
      if (h && !h.done) {
        release(h);
        outcomes.aborted.inc();
      }
    });
    if (shuttingDown) return refuse(res, '503 Service Unavailable', RestErrorCode.DISCONNECTED, RestErrorMsg.shuttingDown);
    if (opts.ready && !opts.ready()) return refuse(res, '503 Service Unavailable', RestErrorCode.DISCONNECTED, RestErrorMsg.catchingUp);
    if (limiter.charge(ip, POLL_WEIGHT) > limiter.limit) {
      return refuse(res, '429 Too Many Requests', RestErrorCode.TOO_MANY_REQUESTS, RestErrorMsg.tooMuchWeight(limiter.limit));
    }
    const parsed = parseStreamRequest('/poll', url, query, symbols, opts.maxStreams);
    if (!parsed.ok) return refuse(res, '400 Bad Request', parsed.code, parsed.msg);
    const { streams, unit, params } = parsed.request;
    const notPollable = streams.find((s) => !isReplayable(s));
    if (notPollable) return refuse(res, '400 Bad Request', RestErrorCode.ILLEGAL_CHARS, StreamRequestErrorMsg.notPollable(notPollable.name));
    const waitText = params.get('waitMs');
    let waitMs = DEFAULT_WAIT_MS;
    if (waitText !== undefined) {
      if (!WAIT.test(waitText) || Number(waitText) > MAX_WAIT_MS) return refuse(res, '400 Bad Request', RestErrorCode.INVALID_PARAMETER, RestErrorMsg.invalid('waitMs'));
      waitMs = Number(waitText);
    }
    const cursorText = params.get('cursor');
    // No cursor: where "now" is, at once. The client's next request waits from there.
    if (cursorText === undefined || cursorText === '') {
      outcomes.immediate.inc();
      send(res, encodePollAnswer(formatCursor(currentCursor(market, streams)), [], [], false));
      return;
    }
    const cursor = parseCursor(cursorText, streams);
    if (!cursor) return refuse(res, '400 Bad Request', RestErrorCode.ILLEGAL_CHARS, StreamRequestErrorMsg.badCursor('cursor'));
    if (tryAnswer(res, streams, cursor, unit, waitMs === 0)) {
      outcomes.immediate.inc();
      return;
    }
    if (held >= maxTotal) return refuse(res, '429 Too Many Requests', RestErrorCode.TOO_MANY_REQUESTS, StreamRequestErrorMsg.tooManyHeld('total', maxTotal));
    if ((perIp.get(ip) ?? 0) >= maxPerIp) return refuse(res, '429 Too Many Requests', RestErrorCode.TOO_MANY_REQUESTS, StreamRequestErrorMsg.tooManyHeld('ip', maxPerIp));
    if (aborted) return;

    const wanted = [...new Set(streams.map((s) => (s.spec as { symbol: string }).symbol))];
    h = { res, ip, streams, cursor, unit, symbols: wanted, timer: undefined, done: false };
    const self = h;
    held++;
    perIp.set(ip, (perIp.get(ip) ?? 0) + 1);
    for (const s of wanted) {
      let set = bySymbol.get(s);
      if (!set) bySymbol.set(s, (set = new Set()));
      set.add(self);
    }
    self.timer = setTimeout(() => {
      if (self.done) return;
      release(self);
      outcomes.timeout.inc();
      tryAnswer(self.res, self.streams, self.cursor, self.unit, true);
    }, waitMs);
  }

  const busSubs: Unsubscribe[] = [...symbols].map((symbol) =>
    opts.bus.subscribe(channelFor(symbol), (events) => {
      const set = bySymbol.get(symbol);
      if (!set || !events.some((e) => e.type === 'trade' || e.type === 'aggTrade')) return;
      for (const h of [...set]) {
        if (h.done) continue;
        // collectSince moves the cursor only when it answers; a batch without this stream's kind leaves it waiting.
        const { events: found, gaps } = collectSince(market, h.streams, h.cursor.slice(), h.unit, 1);
        if (found.length === 0 && gaps.length === 0) continue;
        release(h);
        outcomes.woken.inc();
        tryAnswer(h.res, h.streams, h.cursor, h.unit, true);
      }
    }),
  );

  const handler = (res: HttpResponse, req: { getUrl(): string; getQuery(): string | undefined }) => {
    const url = req.getUrl();
    const query = req.getQuery() ?? '';
    const ip = decoder.decode(res.getRemoteAddressAsText());
    try {
      handle(res, url, query, ip);
    } catch (err) {
      console.error(JSON.stringify({ level: 'error', msg: 'long-poll failed', url, error: err instanceof Error ? err.message : String(err) }));
      refuse(res, '500 Internal Server Error', RestErrorCode.UNKNOWN, RestErrorMsg.unknown);
    }
  };
  app.get('/poll', guardRequest(handler));
  app.get('/poll/*', guardRequest(handler));

  return {
    get held() {
      return held;
    },
    shutdown() {
      shuttingDown = true;
      for (const set of [...bySymbol.values()]) {
        for (const h of [...set]) {
          if (h.done) continue;
          release(h);
          outcomes.shutdown.inc();
          tryAnswer(h.res, h.streams, h.cursor, h.unit, true);
        }
      }
    },
    close() {
      for (const u of busSubs) u();
    },
  };
}
