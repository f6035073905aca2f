// Binance's WebSocket API for market data at `/ws-api/v3` (docs/protocol.md#websocket-api): one
// request per text frame, one response per request, answered by the REST endpoint table (answer.ts).
// Keep-alive, lifetime, frame size and slow-consumer rules are the stream gateway's settings
// (config.ws); request weight is REST's per-IP limiter, shared, as on Binance.
import type { HttpResponse, TemplatedApp, WebSocket } from 'uWebSockets.js';
import type { Config } from '../config.ts';
import type { Clock } from '../market/clock.ts';
import type { MarketView } from '../market/types.ts';
import type { Counter, Metrics } from '../metrics.ts';
import { createEndpoints } from '../http/rest-endpoints.ts';
import type { WeightLimiter } from '../http/weights.ts';
import { createAttemptLimiter } from '../gateway/limits.ts';
import { encodeServerShutdown, parseTimeUnit, type TimeUnit } from '../wire/encode.ts';
import { CloseCode, CloseReason, encodeRestError, RestErrorCode, RestErrorMsg, UpgradeRefusal, WsApiErrorMsg } from '../wire/errors.ts';
import { encodeWsApiError } from '../wire/ws-api.ts';
import { createAnswerer } from './answer.ts';
import { guardUpgrade } from '../http/request-guard.ts';

export const WS_API_PATH = '/ws-api/v3';
/** Binance: a WebSocket API handshake costs 2 request weight. */
export const HANDSHAKE_WEIGHT = 2;

export interface WsApiOptions {
  readonly market: MarketView;
  readonly ws: Config['ws'];
  /** REST's limiter: the WebSocket API spends the same per-IP weight. */
  readonly limiter: WeightLimiter;
  readonly metrics: Metrics;
  readonly clock: Clock;
  /** A fleet gateway's "caught up with the market": until then new connections are refused with 503 -1001. */
  readonly ready?: () => boolean;
}

export interface WsApi {
  readonly connections: number;
  /** serverShutdown to every connection, then close 1001; refuse new ones with 503. */
  shutdown(): void;
  close(): void;
}

interface ApiSession {
  readonly ip: string;
  readonly unit: TimeUnit;
  readonly returnRateLimits: boolean;
  readonly openedMs: number;
  lastPongMs: number;
  closed: boolean;
}

type Socket = WebSocket<ApiSession>;
const CLOSE_REASONS = ['lifetime', 'shutdown', 'pong_timeout', 'slow_consumer', 'too_big'] as const;
type CloseKind = (typeof CLOSE_REASONS)[number];
const now = (): number => performance.now();
const decoder = new TextDecoder();

export function attachWsApi(app: TemplatedApp, opts: WsApiOptions): WsApi {
  const { ws: limits, metrics, limiter } = opts;
  const sockets = new Set<Socket>();
  const attempts = createAttemptLimiter(limits.connAttemptsPerIp, limits.connAttemptWindowMs);
  let shuttingDown = false;

  metrics.gauge('tickwire_ws_api_connections', 'Open WebSocket API connections.', () => sockets.size);
  const bytesOut = metrics.counter('tickwire_ws_api_bytes_out_total', 'Bytes of WebSocket API responses sent.');
  const slowCloses = metrics.counter('tickwire_ws_api_slow_consumer_closes_total', `WebSocket API connections closed with ${CloseCode.SLOW_CONSUMER} "${CloseReason.SLOW_CONSUMER}".`);
  const closes = Object.fromEntries(CLOSE_REASONS.map((r) => [r,
    metrics.counter('tickwire_ws_api_server_closes_total', 'WebSocket API connections the server closed, by reason.', { reason: r })])) as Record<CloseKind, Counter>;
  const upgradesRefused = metrics.counter('tickwire_ws_api_upgrades_refused_total', 'WebSocket API upgrades refused (429, 400, 503).');
  const requestCounters = new Map<string, Counter>();
  const requests = (method: string, status: number): Counter => {
    const key = `${method} ${status}`;
    let c = requestCounters.get(key);
    if (!c) {
      c = metrics.counter('tickwire_ws_api_requests_total', 'WebSocket API requests answered, by method and status (method ? when unreadable or unknown).', { method, status: String(status) });
      requestCounters.set(key, c);
    }
    return c;
  };

  const answerer = createAnswerer({
    endpoints: createEndpoints(opts.market, { weightPerMinute: limiter.limit }),
    limiter,
    clock: opts.clock,
    onFailure: (method, err) => console.error(JSON.stringify({
      level: 'error', msg: 'WebSocket API handler failed', method,
      error: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined,
    })),
  });

  function end(ws: Socket, kind: CloseKind, code: number, reason: string): void {
    const s = ws.getUserData();
    if (s.closed) return;
    closes[kind].inc();
    ws.cork(() => ws.end(code, reason));
  }

  function send(ws: Socket, text: string): void {
    ws.send(text, false);
    bytesOut.inc(text.length); // responses are ASCII: REST bodies and echoed ids are JSON-escaped
    if (ws.getBufferedAmount() >= limits.maxBackpressureBytes) {
      slowCloses.inc();
      end(ws, 'slow_consumer', CloseCode.SLOW_CONSUMER, CloseReason.SLOW_CONSUMER);
    }
  }

  function refuse(res: HttpResponse, status: string, body: string): void {
    upgradesRefused.inc();
    res.writeStatus(status).writeHeader('Content-Type', 'application/json').end(body);
  }

  app.ws<ApiSession>(WS_API_PATH, guardUpgrade({
    maxPayloadLength: limits.maxPayloadBytes * 2,
    maxBackpressure: limits.maxBackpressureBytes * 2,
    idleTimeout: 0,
    maxLifetime: 0,
    sendPingsAutomatically: false,

    upgrade(res, req, context) {
      const query = req.getQuery() ?? '';
      const key = req.getHeader('sec-websocket-key');
      const protocol = req.getHeader('sec-websocket-protocol');
      const extensions = req.getHeader('sec-websocket-extensions');
      const ip = decoder.decode(res.getRemoteAddressAsText());
      if (shuttingDown) return refuse(res, UpgradeRefusal.shuttingDown.status, UpgradeRefusal.shuttingDown.body);
      if (opts.ready && !opts.ready()) return refuse(res, UpgradeRefusal.catchingUp.status, UpgradeRefusal.catchingUp.body);
      if (!attempts.attempt(ip, now())) return refuse(res, UpgradeRefusal.tooManyAttempts.status, UpgradeRefusal.tooManyAttempts.body);
      const params = new URLSearchParams(query);
      const unit = parseTimeUnit(params.get('timeUnit') ?? '');
      if (unit === undefined) return refuse(res, UpgradeRefusal.badTimeUnit.status, UpgradeRefusal.badTimeUnit.body);
      const rl = params.get('returnRateLimits');
      if (rl !== null && rl !== 'true' && rl !== 'false') {
        return refuse(res, '400 Bad Request', encodeRestError(RestErrorCode.INVALID_PARAMETER, RestErrorMsg.invalid('returnRateLimits')));
      }
      if (limiter.charge(ip, HANDSHAKE_WEIGHT) > limiter.limit) {
        return refuse(res, '429 Too Many Requests', encodeRestError(RestErrorCode.TOO_MANY_REQUESTS, RestErrorMsg.tooMuchWeight(limiter.limit)));
      }
      const t = now();
      const session: ApiSession = { ip, unit, returnRateLimits: rl !== 'false', openedMs: t, lastPongMs: t, closed: false };
      res.upgrade(session, key, protocol, extensions, context);
    },

    open(ws) {
      sockets.add(ws);
    },

    message(ws, data, isBinary) {
      const s = ws.getUserData();
      if (data.byteLength > limits.maxPayloadBytes) return end(ws, 'too_big', CloseCode.TOO_BIG, CloseReason.TOO_BIG);
      if (isBinary) {
        requests('?', 400).inc();
        return send(ws, encodeWsApiError({ id: null, status: 400, code: RestErrorCode.MANDATORY_PARAM_EMPTY_OR_MALFORMED, msg: WsApiErrorMsg.binaryFrame }, undefined));
      }
      const a = answerer.answer(decoder.decode(data), s.ip, s.unit, s.returnRateLimits);
      requests(a.method, a.status).inc();
      send(ws, a.text);
    },

    pong(ws) {
      ws.getUserData().lastPongMs = now();
    },

    close(ws) {
      ws.getUserData().closed = true;
      sockets.delete(ws);
    },
  }));

  // Keep-alive and lifetime on one timer, as the stream gateway does (docs/protocol.md#limits-and-keep-alive).
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
    for (const ws of sockets) {
      const s = ws.getUserData();
      if (t - s.openedMs >= limits.maxLifetimeMs) end(ws, 'lifetime', CloseCode.LIFETIME, CloseReason.LIFETIME);
      else if (t - s.lastPongMs > limits.pongTimeoutMs) end(ws, 'pong_timeout', CloseCode.PONG_TIMEOUT, CloseReason.PONG_TIMEOUT);
      else if (pingNow) ws.cork(() => ws.ping());
    }
  }, tickMs);
  housekeeping.unref();

  return {
    get connections() {
      return sockets.size;
    },
    shutdown() {
      shuttingDown = true;
      const timeUs = opts.clock.nowUs();
      for (const ws of [...sockets]) {
        const s = ws.getUserData();
        ws.cork(() => ws.send(encodeServerShutdown(timeUs, s.unit), false));
        end(ws, 'shutdown', CloseCode.SHUTDOWN, CloseReason.SHUTDOWN);
      }
    },
    close() {
      clearInterval(housekeeping);
    },
  };
}
