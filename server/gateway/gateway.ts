// The WebSocket gateway: Binance stream paths on uWS, control messages, limits, keep-alive, fan-out.
//
// Routes: `/ws`, `/ws/*` (raw framing) and `/stream` (combined), docs/protocol.md#websocket-paths-and-framing. Market batches come
// from the bus (one channel per symbol) and go out through uWS topics (fanout.ts). Keep-alive,
// lifetime and slow-consumer checks run on timers of our own, injected (timers.ts): uWS's automatic pings
// and maxLifetime cannot express 20 s / 60 s / 24 h exactly (idleTimeout is in 4 s steps, at most
// 960 s; maxLifetime stops at 4 h). Close codes and their reasons are documented in wire/errors.ts.
import type { HttpRequest, HttpResponse, TemplatedApp, WebSocket, WebSocketBehavior } from 'uWebSockets.js';
import type { Bus, Unsubscribe } from '../bus/bus.ts';
import { channelFor } from '../bus/bus.ts';
import type { Config } from '../config.ts';
import type { Clock } from '../market/clock.ts';
import type { Counter, Metrics } from '../metrics.ts';
import type { WireId } from '../wire/payloads.ts';
import { parseControl, type ControlRequest, type NamedStream } from '../wire/control.ts';
import { encodeServerShutdown, wrapCombined, type TimeUnit } from '../wire/encode.ts';
import {
  CloseCode, CloseReason, encodeWsError, encodeWsResult, UpgradeRefusal, WsErrorCode, WsErrorMsg,
} from '../wire/errors.ts';
import { parseStream, subscriptionName, type StreamSpec } from '../wire/streams.ts';
import { parseConnect } from './connect.ts';
import { checkHandshake, type Refusal } from './handshake.ts';
import { guardRequest, guardUpgrade } from '../http/request-guard.ts';
import { createFanout } from './fanout.ts';
import {
  CHURN_BURST, CHURN_PER_SEC, chargeWork, createAttemptLimiter, createMessageBucket, createWorkBucket, frameCeilingBytes, takeMessage,
  takeWork, workWaitMs, type MessageBucket, type WorkBucket,
} from './limits.ts';
import { realTimers, type Timers } from './timers.ts';

export interface GatewayOptions {
  readonly bus: Bus;
  readonly symbols: readonly string[];
  readonly ws: Config['ws'];
  readonly metrics: Metrics;
  /** The market's clock: `E` of serverShutdown. Limits and keep-alive run on `timers`. */
  readonly clock: Clock;
  /** This gateway's name in a fleet (GET_PROPERTY "gateway" answers it; null when unnamed). */
  readonly gatewayId?: string;
  /**
   * False while a fleet gateway is still catching up with the market: new upgrades are refused with
   * 503 -1001, so a client (or the proxy in front, which retries on 503) goes to a gateway that is
   * live. Open sockets are not touched. Default: always ready.
   */
  readonly ready?: () => boolean;
  /**
   * Time of the limits, keep-alive, lifetime, slow-consumer sweep and shutdown poll
   * (default: performance.now() and Node's timers). Tests pass manual timers and step them.
   */
  readonly timers?: Timers;
}

export interface Gateway {
  /** Open WebSocket connections. */
  readonly connections: number;
  /**
   * Send serverShutdown to every client, then close each with 1001 once what was queued for it
   * has been written; resolves when all are closed, at most ~2 s later (stragglers are cut).
   * New upgrades are refused with 503 from the first call on.
   */
  shutdown(): Promise<void>;
  /** Unsubscribe from the bus and clear timers. Open sockets are left to shutdown(). */
  close(): void;
}

/** Per-socket state, set in `upgrade`, valid from open to close. */
export interface Session {
  readonly ip: string;
  readonly unit: TimeUnit;
  combined: boolean;
  /** Streams by subscriptionName (symbol lowercased), in subscription order (LIST_SUBSCRIPTIONS). */
  readonly subs: Map<string, StreamSpec>;
  readonly bucket: MessageBucket;
  readonly openedMs: number;
  lastPongMs: number;
  /** Streams named in the URL, subscribed on open. */
  initial: readonly NamedStream[];
  closed: boolean;
}

type Socket = WebSocket<Session>;

const SHUTDOWN_DEADLINE_MS = 2000;
const SHUTDOWN_POLL_MS = 10;
const CLOSE_REASONS = ['lifetime', 'shutdown', 'too_many_messages', 'pong_timeout', 'slow_consumer', 'too_big', 'too_big_dropped'] as const;
/** What uWS tells the close handler when it dropped a connection for a frame over maxPayloadLength. */
const UWS_TOO_BIG = 'Received too big message';
type CloseKind = (typeof CLOSE_REASONS)[number];
/** Parsed stream names kept (valid names only: symbols × forms × letter cases); dropped all at once when full. */
const NAME_CACHE_MAX = 65_536;

const textDecoder = new TextDecoder();

export function attachGateway(app: TemplatedApp, opts: GatewayOptions): Gateway {
  const { ws: limits, metrics } = opts;
  const timers = opts.timers ?? realTimers;
  const now = (): number => timers.now();
  const symbols: ReadonlySet<string> = new Set(opts.symbols.map((s) => s.toUpperCase()));
  const sockets = new Set<Socket>();
  /** Sockets that had bytes waiting at the last sweep: checked again after every bus batch. */
  const watched = new Set<Socket>();
  const attempts = createAttemptLimiter(limits.connAttemptsPerIp, limits.connAttemptWindowMs);
  /** Subscription work per IP (limits.ts, WorkBucket); forgotten by the sweep once an IP is gone and refilled. */
  const work = new Map<string, { bucket: WorkBucket; sockets: number }>();
  const churnPerSec = CHURN_PER_SEC * limits.maxStreams;
  const churnBurst = CHURN_BURST * limits.maxStreams;
  /**
   * Valid stream names already parsed: a 1,024-name SUBSCRIBE repeated costs lookups, not parses.
   * Each spec is its own object, so its subscription name is found again by identity.
   */
  const parsedNames = new Map<string, StreamSpec>();
  const nameOfSpec = new WeakMap<StreamSpec, string>();
  const parseName = (raw: string): StreamSpec | undefined => {
    let spec = parsedNames.get(raw);
    if (spec) return spec;
    spec = parseStream(raw, symbols);
    if (!spec) return undefined;
    if (parsedNames.size >= NAME_CACHE_MAX) parsedNames.clear();
    parsedNames.set(raw, spec);
    nameOfSpec.set(spec, subscriptionName(raw));
    return spec;
  };
  const nameOf = (st: NamedStream): string => nameOfSpec.get(st.spec) ?? subscriptionName(st.name);
  let subscriptions = 0;
  let shuttingDown = false;
  let shutdownDone: Promise<void> | undefined;
  let onEmpty: (() => void) | undefined;

  metrics.gauge('tickwire_ws_connections', 'Open WebSocket connections.', () => sockets.size);
  metrics.gauge('tickwire_ws_subscriptions', 'Stream subscriptions over all open connections.', () => subscriptions);
  const bytesOut = metrics.counter('tickwire_ws_bytes_out_total', 'Bytes of WebSocket text frames sent (payloads times subscribers, and replies).');
  const slowCloses = metrics.counter('tickwire_ws_slow_consumer_closes_total', `Connections closed with ${CloseCode.SLOW_CONSUMER} "${CloseReason.SLOW_CONSUMER}".`);
  const handshakesRefused = metrics.counter('tickwire_ws_handshakes_refused_total', 'Upgrades refused with 400 or 426: not a valid RFC 6455 handshake.');
  const changesRefused = metrics.counter('tickwire_ws_subscribe_refused_total', 'SUBSCRIBE requests refused (error code 2): over the per-IP budget of subscription changes.');
  const attemptsRejected = metrics.counter('tickwire_ws_connection_attempts_rejected_total', 'Upgrades refused with 429: too many connection attempts from one IP.');
  const rejected = new Map(Object.values(WsErrorCode).map((code) => [code,
    metrics.counter('tickwire_ws_rejected_total', 'Control requests answered with a wire error, by error code.', { code: String(code) }),
  ]));
  const closes = Object.fromEntries(
    CLOSE_REASONS.map((r) => [r, metrics.counter('tickwire_ws_server_closes_total', 'Connections the server closed, by reason.', { reason: r })]),
  ) as Record<CloseKind, Counter>;

  const fanout = createFanout({
    publish: (topic, text) => app.publish(topic, text),
    metrics,
    symbols: [...symbols],
    bytesOut,
    timers,
  });

  // Slow consumers. uWS gets twice the configured backpressure and we close at the configured
  // figure, so the close frame still fits (uWS drops every send over its limit, close frames too).
  // A socket can gain at most what was published since we last looked at it, so every socket is
  // looked at again once half the limit has been published (and on the housekeeping tick); in
  // between, only the sockets that had bytes waiting are. That keeps a 10,000-socket sweep rare
  // while no socket can pass uWS's limit unseen.
  let sweptAtBytes = 0;
  const busSubs: Unsubscribe[] = [...symbols].map((symbol) =>
    opts.bus.subscribe(channelFor(symbol), (events) => {
      fanout.publishBatch(events);
      if (fanout.bytesPublished - sweptAtBytes >= limits.maxBackpressureBytes / 2) {
        sweptAtBytes = fanout.bytesPublished;
        for (const ws of sockets) checkBackpressure(ws);
      } else {
        for (const ws of watched) checkBackpressure(ws);
      }
    }),
  );

  // ---- per-socket helpers ----

  function send(ws: Socket, text: string): void {
    ws.send(text, false);
    bytesOut.inc(Buffer.byteLength(text));
  }

  function fail(ws: Socket, code: WsErrorCode, msg: string, id: WireId): void {
    rejected.get(code)!.inc();
    send(ws, encodeWsError(code, msg, id));
  }

  /** Close with a close frame. Safe outside uWS callbacks (corked); the close handler runs at once. */
  function end(ws: Socket, kind: CloseKind, code: number, reason: string): void {
    const s = ws.getUserData();
    if (s.closed) return;
    closes[kind].inc();
    ws.cork(() => ws.end(code, reason));
  }

  function subscribe(ws: Socket, s: Session, name: string, spec: StreamSpec): void {
    if (s.subs.has(name)) return;
    s.subs.set(name, spec);
    ws.subscribe(fanout.add(name, spec, s.combined, s.unit));
    subscriptions++;
  }

  /** True when the stream was subscribed. */
  function unsubscribe(ws: Socket, s: Session, name: string): boolean {
    const spec = s.subs.get(name);
    if (!spec) return false;
    s.subs.delete(name);
    ws.unsubscribe(fanout.remove(name, spec, s.combined, s.unit));
    subscriptions--;
    return true;
  }

  function workOf(ip: string): WorkBucket {
    let w = work.get(ip);
    if (!w) work.set(ip, (w = { bucket: createWorkBucket(churnBurst, now()), sockets: 0 }));
    return w.bucket;
  }

  /** Count one incoming frame; closes the socket and returns false when it is over the rate. */
  function countFrame(ws: Socket): boolean {
    const s = ws.getUserData();
    if (takeMessage(s.bucket, limits.maxMessagesPerSec, now(), timers.busyMs())) return true;
    end(ws, 'too_many_messages', CloseCode.TOO_MANY_MESSAGES, CloseReason.TOO_MANY_MESSAGES);
    return false;
  }

  /** Close the socket with "slow consumer" once its backlog reaches the configured limit. */
  function checkBackpressure(ws: Socket): void {
    const buffered = ws.getBufferedAmount();
    if (buffered >= limits.maxBackpressureBytes) {
      watched.delete(ws);
      slowCloses.inc();
      end(ws, 'slow_consumer', CloseCode.SLOW_CONSUMER, CloseReason.SLOW_CONSUMER);
    } else if (buffered === 0) {
      watched.delete(ws);
    } else {
      watched.add(ws);
    }
  }

  function handle(ws: Socket, s: Session, req: ControlRequest): void {
    switch (req.method) {
      case 'SUBSCRIBE': {
        // Names held already (in any letter case of the symbol) cost nothing and count once.
        const fresh = new Map<string, StreamSpec>();
        for (const st of req.streams) {
          const name = nameOf(st);
          if (!s.subs.has(name)) fresh.set(name, st.spec);
        }
        if (s.subs.size + fresh.size > limits.maxStreams) {
          return fail(ws, WsErrorCode.INVALID_REQUEST, WsErrorMsg.overStreamLimit(limits.maxStreams), req.id);
        }
        const bucket = workOf(s.ip);
        if (fresh.size > 0 && !takeWork(bucket, fresh.size, churnPerSec, churnBurst, now())) {
          changesRefused.inc();
          return fail(ws, WsErrorCode.INVALID_REQUEST, WsErrorMsg.tooManyChanges(workWaitMs(bucket, fresh.size, churnPerSec)), req.id);
        }
        for (const [name, spec] of fresh) subscribe(ws, s, name, spec);
        return send(ws, encodeWsResult(null, req.id));
      }
      case 'UNSUBSCRIBE': {
        // Always done (it lowers the load), and charged, so alternating cannot dodge the budget.
        let removed = 0;
        for (const st of req.streams) if (unsubscribe(ws, s, nameOf(st))) removed++;
        if (removed > 0) chargeWork(workOf(s.ip), removed, churnPerSec, churnBurst, now());
        return send(ws, encodeWsResult(null, req.id));
      }
      case 'LIST_SUBSCRIPTIONS':
        return send(ws, encodeWsResult([...s.subs.keys()], req.id));
      case 'GET_PROPERTY':
        return send(ws, encodeWsResult(req.property === 'gateway' ? (opts.gatewayId ?? null) : s.combined, req.id));
      case 'SET_PROPERTY':
        if (req.value !== s.combined) {
          // Move every subscription to the topics of the other framing.
          for (const [name, spec] of s.subs) ws.unsubscribe(fanout.remove(name, spec, s.combined, s.unit));
          s.combined = req.value;
          for (const [name, spec] of s.subs) ws.subscribe(fanout.add(name, spec, s.combined, s.unit));
        }
        return send(ws, encodeWsResult(null, req.id));
    }
  }

  function refuse(res: HttpResponse, refusal: Refusal): void {
    res.writeStatus(refusal.status);
    if ('headers' in refusal) for (const [name, value] of Object.entries(refusal.headers)) res.writeHeader(name, value);
    res.writeHeader('Content-Type', 'application/json').end(refusal.body);
  }

  /** RFC 6455 handshake checks; counts and answers a refusal, true when the handshake may go on. */
  function handshakeOk(res: HttpResponse, req: HttpRequest): boolean {
    const refusal = checkHandshake({
      upgrade: req.getHeader('upgrade'),
      connection: req.getHeader('connection'),
      key: req.getHeader('sec-websocket-key'),
      version: req.getHeader('sec-websocket-version'),
    });
    if (!refusal) return true;
    handshakesRefused.inc();
    refuse(res, refusal);
    return false;
  }

  // ---- the uWS behaviour: options first, handlers second ----

  const keepAliveS = Math.ceil((limits.pingIntervalMs + limits.pongTimeoutMs) / 1000);
  const behavior: WebSocketBehavior<Session> = {
    maxPayloadLength: frameCeilingBytes(limits.maxPayloadBytes),
    maxBackpressure: limits.maxBackpressureBytes * 2,
    // A backstop behind our own pong deadline (multiple of 4, at most 960 s, else off). It also
    // bounds how long uWS keeps a socket we ended whose peer does not read its close frame.
    idleTimeout: keepAliveS + 8 <= 960 ? Math.ceil((keepAliveS + 8) / 4) * 4 : 0,
    maxLifetime: 0,
    sendPingsAutomatically: false,

    upgrade(res, req, context) {
      // Everything read from req is copied here, synchronously: req is gone after this call.
      const url = req.getUrl();
      const query = req.getQuery() ?? '';
      const key = req.getHeader('sec-websocket-key');
      const protocol = req.getHeader('sec-websocket-protocol');
      const extensions = req.getHeader('sec-websocket-extensions');
      const ip = textDecoder.decode(res.getRemoteAddressAsText());
      const t = now();

      if (shuttingDown) return refuse(res, UpgradeRefusal.shuttingDown);
      if (opts.ready && !opts.ready()) return refuse(res, UpgradeRefusal.catchingUp);
      if (!attempts.attempt(ip, t)) {
        attemptsRejected.inc();
        return refuse(res, UpgradeRefusal.tooManyAttempts);
      }
      if (!handshakeOk(res, req)) return;
      const parsed = parseConnect(url, query, symbols, limits.maxStreams);
      if (!parsed.ok) return refuse(res, UpgradeRefusal.badTimeUnit);
      const session: Session = {
        ip,
        unit: parsed.request.unit,
        combined: parsed.request.combined,
        subs: new Map(),
        bucket: createMessageBucket(limits.maxMessagesPerSec, t, timers.busyMs()),
        openedMs: t,
        lastPongMs: t,
        initial: parsed.request.streams,
        closed: false,
      };
      res.upgrade(session, key, protocol, extensions, context);
    },

    open(ws) {
      const s = ws.getUserData();
      sockets.add(ws);
      workOf(s.ip);
      work.get(s.ip)!.sockets++;
      for (const st of s.initial) subscribe(ws, s, st.name, st.spec);
      s.initial = [];
    },

    message(ws, data, isBinary) {
      if (!countFrame(ws)) return;
      if (data.byteLength > limits.maxPayloadBytes) {
        return end(ws, 'too_big', CloseCode.TOO_BIG, CloseReason.TOO_BIG);
      }
      if (isBinary) return fail(ws, WsErrorCode.INVALID_JSON, WsErrorMsg.binaryFrame, null);
      const parsed = parseControl(textDecoder.decode(data), symbols, parseName);
      const s = ws.getUserData();
      if (!parsed.ok) return fail(ws, parsed.error.code, parsed.error.msg, parsed.id);
      handle(ws, s, parsed.request);
    },

    drain(ws) {
      if (ws.getBufferedAmount() === 0) watched.delete(ws);
    },

    ping(ws) {
      countFrame(ws); // uWS answers the ping itself
    },

    pong(ws) {
      if (countFrame(ws)) ws.getUserData().lastPongMs = now();
    },

    close(ws, code, message) {
      const s = ws.getUserData();
      // uWS dropped it for a frame over frameCeilingBytes (no close frame could be sent): count it.
      if (!s.closed && code === 1006 && textDecoder.decode(message) === UWS_TOO_BIG) closes.too_big_dropped.inc();
      s.closed = true;
      sockets.delete(ws);
      const w = work.get(s.ip);
      if (w) w.sockets--;
      watched.delete(ws);
      // uWS drops the socket's topics itself; only our counts need to follow.
      for (const [name, spec] of s.subs) fanout.remove(name, spec, s.combined, s.unit);
      subscriptions -= s.subs.size;
      s.subs.clear();
      if (sockets.size === 0) onEmpty?.();
    },
  };

  // uWS hands a GET on these paths to `upgrade` only when its Sec-WebSocket-Key is 24 characters
  // long; any other GET falls through to the handler registered next on the same path.
  const notAHandshake = (res: HttpResponse, req: HttpRequest) => {
    if (handshakeOk(res, req)) refuse(res, UpgradeRefusal.badKey);
  };
  for (const path of ['/ws', '/ws/*', '/stream']) {
    app.ws(path, guardUpgrade(behavior));
    app.get(path, guardRequest(notAHandshake));
  }

  // ---- housekeeping: pings; pong deadline, lifetime, backpressure sweep ----

  const stopPings = timers.every(limits.pingIntervalMs, () => {
    for (const ws of sockets) if (!ws.getUserData().closed) ws.cork(() => ws.ping());
  });
  // Deadlines are checked every tick: at most a quarter of the shorter of the two keep-alive times late.
  const tickMs = Math.max(10, Math.min(250, Math.floor(Math.min(limits.pingIntervalMs, limits.pongTimeoutMs) / 4)));
  let nextSweepMs = now() + limits.connAttemptWindowMs;
  const stopHousekeeping = timers.every(tickMs, () => {
    const t = now();
    if (t >= nextSweepMs) {
      attempts.sweep(t);
      for (const [ip, w] of work) {
        if (w.sockets > 0) continue;
        takeWork(w.bucket, 0, churnPerSec, churnBurst, t); // refill to now
        if (w.bucket.tokens >= churnBurst) work.delete(ip);
      }
      nextSweepMs = t + limits.connAttemptWindowMs;
    }
    sweptAtBytes = fanout.bytesPublished;
    for (const ws of sockets) {
      const s = ws.getUserData();
      if (t - s.openedMs >= limits.maxLifetimeMs) {
        end(ws, 'lifetime', CloseCode.LIFETIME, CloseReason.LIFETIME);
      } else if (t - s.lastPongMs > limits.pongTimeoutMs) {
        end(ws, 'pong_timeout', CloseCode.PONG_TIMEOUT, CloseReason.PONG_TIMEOUT);
      } else {
        checkBackpressure(ws);
      }
    }
  });

  let stopShutdownPoll: (() => void) | undefined;

  return {
    get connections() {
      return sockets.size;
    },
    shutdown() {
      shutdownDone ??= new Promise<void>((resolve) => {
        shuttingDown = true;
        const timeUs = opts.clock.nowUs();
        const raw = { ms: encodeServerShutdown(timeUs, 'ms'), us: encodeServerShutdown(timeUs, 'us') };
        for (const ws of sockets) {
          const s = ws.getUserData();
          ws.cork(() => send(ws, s.combined ? wrapCombined('!serverShutdown', raw[s.unit]) : raw[s.unit]));
        }
        const deadline = now() + SHUTDOWN_DEADLINE_MS;
        const finish = () => {
          stopShutdownPoll?.();
          stopShutdownPoll = undefined;
          onEmpty = undefined;
          resolve();
        };
        // Close each socket once what is queued for it (serverShutdown included) has gone out.
        const sweep = () => {
          const late = now() >= deadline;
          for (const ws of sockets) {
            if (late || ws.getBufferedAmount() === 0) end(ws, 'shutdown', CloseCode.SHUTDOWN, CloseReason.SHUTDOWN);
          }
          // end() runs the close handler at once, so after the deadline nothing is left.
          if (sockets.size === 0) finish();
        };
        onEmpty = finish;
        sweep();
        if (sockets.size > 0) stopShutdownPoll = timers.every(SHUTDOWN_POLL_MS, sweep);
      });
      return shutdownDone;
    },
    close() {
      stopPings();
      stopHousekeeping();
      stopShutdownPoll?.();
      for (const unsubscribe of busSubs) unsubscribe();
      fanout.close();
    },
  };
}
