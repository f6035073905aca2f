// The WebSocket gateway: Binance stream paths on uWS, control messages, limits, keep-alive, fan-out.
//
// Routes: `/ws`, `/ws/*` (raw framing) and `/stream` (combined), docs/protocol.md#websocket-paths-and-framing. Market batches come
// from the bus (one channel per symbol) and go out through uWS topics (fanout.ts). Keep-alive,
// lifetime and slow-consumer checks run on one housekeeping timer of our own: uWS's automatic pings
// and maxLifetime cannot express 20 s / 60 s / 24 h exactly (idleTimeout is in 4 s steps, at most
// 960 s; maxLifetime stops at 4 h). Close codes and their reasons are documented in wire/errors.ts.
import type { HttpResponse, TemplatedApp, WebSocket, WebSocketBehavior } from 'uWebSockets.js';
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
import type { StreamSpec } from '../wire/streams.ts';
import { parseConnect } from './connect.ts';
import { createFanout } from './fanout.ts';
import { createAttemptLimiter, createMessageBucket, takeMessage, type MessageBucket } from './limits.ts';

export interface GatewayOptions {
  readonly bus: Bus;
  readonly symbols: readonly string[];
  readonly ws: Config['ws'];
  readonly metrics: Metrics;
  /** The market's clock: `E` of serverShutdown. Limits and keep-alive run on real time. */
  readonly clock: Clock;
  /** This gateway's name in a fleet (GET_PROPERTY "gateway" answers it; null when unnamed). */
  readonly gatewayId?: string;
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
  /** Streams by the name the client used, in subscription order (LIST_SUBSCRIPTIONS). */
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
const CLOSE_REASONS = ['lifetime', 'shutdown', 'too_many_messages', 'pong_timeout', 'slow_consumer', 'too_big'] as const;
type CloseKind = (typeof CLOSE_REASONS)[number];

const now = (): number => performance.now();
const textDecoder = new TextDecoder();

export function attachGateway(app: TemplatedApp, opts: GatewayOptions): Gateway {
  const { ws: limits, metrics } = opts;
  const symbols: ReadonlySet<string> = new Set(opts.symbols.map((s) => s.toUpperCase()));
  const sockets = new Set<Socket>();
  /** Sockets that had bytes waiting at the last sweep: checked again after every bus batch. */
  const watched = new Set<Socket>();
  const attempts = createAttemptLimiter(limits.connAttemptsPerIp, limits.connAttemptWindowMs);
  let subscriptions = 0;
  let shuttingDown = false;
  let shutdownDone: Promise<void> | undefined;
  let onEmpty: (() => void) | undefined;

  metrics.gauge('tickwire_ws_connections', 'Open WebSocket connections.', () => sockets.size);
  metrics.gauge('tickwire_ws_subscriptions', 'Stream subscriptions over all open connections.', () => subscriptions);
  const bytesOut = metrics.counter('tickwire_ws_bytes_out_total', 'Bytes of WebSocket text frames sent (payloads times subscribers, and replies).');
  const slowCloses = metrics.counter('tickwire_ws_slow_consumer_closes_total', `Connections closed with ${CloseCode.SLOW_CONSUMER} "${CloseReason.SLOW_CONSUMER}".`);
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

  function unsubscribe(ws: Socket, s: Session, name: string): void {
    const spec = s.subs.get(name);
    if (!spec) return;
    s.subs.delete(name);
    ws.unsubscribe(fanout.remove(name, spec, s.combined, s.unit));
    subscriptions--;
  }

  /** Count one incoming frame; closes the socket and returns false when it is over the rate. */
  function countFrame(ws: Socket): boolean {
    const s = ws.getUserData();
    if (takeMessage(s.bucket, limits.maxMessagesPerSec, now())) return true;
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
        const fresh = new Set(req.streams.filter((st) => !s.subs.has(st.name)).map((st) => st.name));
        if (s.subs.size + fresh.size > limits.maxStreams) {
          return fail(ws, WsErrorCode.INVALID_REQUEST, WsErrorMsg.overStreamLimit(limits.maxStreams), req.id);
        }
        for (const st of req.streams) subscribe(ws, s, st.name, st.spec);
        return send(ws, encodeWsResult(null, req.id));
      }
      case 'UNSUBSCRIBE':
        for (const st of req.streams) unsubscribe(ws, s, st.name);
        return send(ws, encodeWsResult(null, req.id));
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

  function refuse(res: HttpResponse, refusal: { readonly status: string; readonly body: string }): void {
    res.writeStatus(refusal.status).writeHeader('Content-Type', 'application/json').end(refusal.body);
  }

  // ---- the uWS behaviour: options first, handlers second ----

  const keepAliveS = Math.ceil((limits.pingIntervalMs + limits.pongTimeoutMs) / 1000);
  const behavior: WebSocketBehavior<Session> = {
    maxPayloadLength: limits.maxPayloadBytes * 2,
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
      if (!attempts.attempt(ip, t)) {
        attemptsRejected.inc();
        return refuse(res, UpgradeRefusal.tooManyAttempts);
      }
      const parsed = parseConnect(url, query, symbols, limits.maxStreams);
      if (!parsed.ok) return refuse(res, UpgradeRefusal.badTimeUnit);
      const session: Session = {
        ip,
        unit: parsed.request.unit,
        combined: parsed.request.combined,
        subs: new Map(),
        bucket: createMessageBucket(limits.maxMessagesPerSec, t),
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
      for (const st of s.initial) subscribe(ws, s, st.name, st.spec);
      s.initial = [];
    },

    message(ws, data, isBinary) {
      if (!countFrame(ws)) return;
      if (data.byteLength > limits.maxPayloadBytes) {
        return end(ws, 'too_big', CloseCode.TOO_BIG, CloseReason.TOO_BIG);
      }
      if (isBinary) return fail(ws, WsErrorCode.INVALID_JSON, WsErrorMsg.binaryFrame, null);
      const parsed = parseControl(textDecoder.decode(data), symbols);
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

    close(ws) {
      const s = ws.getUserData();
      s.closed = true;
      sockets.delete(ws);
      watched.delete(ws);
      // uWS drops the socket's topics itself; only our counts need to follow.
      for (const [name, spec] of s.subs) fanout.remove(name, spec, s.combined, s.unit);
      subscriptions -= s.subs.size;
      s.subs.clear();
      if (sockets.size === 0) onEmpty?.();
    },
  };

  app.ws('/ws', behavior);
  app.ws('/ws/*', behavior);
  app.ws('/stream', behavior);

  // ---- housekeeping: pings, pong deadline, lifetime, backpressure sweep ----

  const tickMs = Math.max(10, Math.min(250, Math.floor(Math.min(limits.pingIntervalMs, limits.pongTimeoutMs) / 4)));
  let nextPingMs = now() + limits.pingIntervalMs;
  let nextSweepMs = now() + limits.connAttemptWindowMs;
  const housekeeping = setInterval(() => {
    const t = now();
    const pingNow = t >= nextPingMs;
    if (pingNow) nextPingMs = t + limits.pingIntervalMs;
    if (t >= nextSweepMs) {
      attempts.sweep(t);
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
        if (pingNow && !s.closed) ws.cork(() => ws.ping());
      }
    }
  }, tickMs);
  housekeeping.unref();

  let shutdownTimer: ReturnType<typeof setInterval> | undefined;

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
          if (shutdownTimer) clearInterval(shutdownTimer);
          shutdownTimer = undefined;
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
        if (sockets.size > 0) shutdownTimer = setInterval(sweep, SHUTDOWN_POLL_MS);
      });
      return shutdownDone;
    },
    close() {
      clearInterval(housekeeping);
      if (shutdownTimer) clearInterval(shutdownTimer);
      for (const unsubscribe of busSubs) unsubscribe();
      fanout.close();
    },
  };
}
