// The page's WebSocket API connection (`/ws-api/v3`, docs/protocol.md#websocket-api): requests
// `{id, method, params}` answered `{id, status, result | error}` over one open socket, reconnected
// with the same backoff as the stream socket. `wsApiRest` dresses it as the REST client, so the
// polled side's rounds (poll-feed.ts) run unchanged over it: each REST path maps to its twin method.
import { signal, type ReadonlySignal } from '@preact/signals';
import { createReconnecting, type ReconnectOptions } from './backoff.ts';
import { RestFailure, type Rest, type RestResult } from './rest.ts';
import { wsFrameBytes, type SocketCtor, type SocketLike, type SocketStatus } from './socket.ts';

export interface WsApi {
  readonly status: ReadonlySignal<SocketStatus>;
  /** Requests sent and bytes of the responses received (payload + frame header). */
  readonly requests: ReadonlySignal<number>;
  readonly bytes: ReadonlySignal<number>;
  /** Resolves with the result and its frame's bytes; rejects with RestFailure on an error answer, or when the socket is not open or closes first. */
  request<T>(method: string, params: Record<string, unknown>, signal?: AbortSignal): Promise<RestResult<T>>;
  start(): void;
  stop(): void;
}

export interface WsApiOptions extends ReconnectOptions {
  /** e.g. `ws://127.0.0.1:8080/ws-api/v3`. */
  readonly url: string;
  readonly WebSocket: SocketCtor;
}

interface Waiting {
  resolve(r: RestResult<unknown>): void;
  reject(e: unknown): void;
}

export function createWsApi(opts: WsApiOptions): WsApi {
  const conn = createReconnecting(opts, () => connect());
  const status = signal<SocketStatus>({ kind: 'offline' });
  const requests = signal(0);
  const bytes = signal(0);
  const waiting = new Map<number, Waiting>();
  /** Requests made while the socket was still opening: sent when it opens, failed if it closes first. */
  let queued: { text: string; id: number }[] = [];
  let ws: SocketLike | undefined;
  let nextId = 1;

  const failAll = (why: string) => {
    for (const w of waiting.values()) w.reject(new RestFailure(0, null, why));
    waiting.clear();
    queued = [];
  };

  const connect = () => {
    status.value = { kind: 'connecting' };
    const sock = new opts.WebSocket(opts.url);
    ws = sock;
    sock.onopen = () => {
      if (ws !== sock) return;
      conn.live();
      status.value = { kind: 'live' };
      for (const q of queued) if (waiting.has(q.id)) sock.send(q.text);
      queued = [];
    };
    sock.onerror = () => {};
    sock.onmessage = (ev) => {
      if (ws !== sock) return;
      const text = typeof ev.data === 'string' ? ev.data : String(ev.data);
      const n = wsFrameBytes(text.length);
      bytes.value += n;
      let msg: { id?: unknown; status?: number; result?: unknown; error?: { code: number; msg: string } };
      try {
        msg = JSON.parse(text) as typeof msg;
      } catch {
        return;
      }
      const w = typeof msg.id === 'number' ? waiting.get(msg.id) : undefined;
      if (!w) return;
      waiting.delete(msg.id as number);
      if (msg.error) w.reject(new RestFailure(msg.status ?? 400, msg.error.code, msg.error.msg));
      else w.resolve({ data: msg.result, bytes: n });
    };
    sock.onclose = () => {
      if (ws !== sock) return;
      ws = undefined;
      failAll('the WebSocket API connection closed');
      if (!conn.running) {
        status.value = { kind: 'offline' };
        return;
      }
      const delay = conn.retryLater();
      status.value = { kind: 'reconnecting', inS: Math.ceil(delay / 1000), attempt: conn.attempt };
    };
  };

  return {
    status,
    requests,
    bytes,
    request<T>(method: string, params: Record<string, unknown>, abort?: AbortSignal) {
      if (!ws || ws.readyState > 1) return Promise.reject(new RestFailure(0, null, 'the WebSocket API is not connected'));
      const id = nextId++;
      requests.value++;
      const text = JSON.stringify({ id, method, params });
      if (ws.readyState === 1) ws.send(text);
      else queued.push({ text, id });
      return new Promise<RestResult<T>>((resolve, reject) => {
        waiting.set(id, { resolve: resolve as Waiting['resolve'], reject });
        // An abandoned round forgets its answer (the socket stays: other requests share it).
        abort?.addEventListener('abort', () => {
          if (waiting.delete(id)) reject(new RestFailure(0, null, 'aborted'));
        });
      });
    },
    start: conn.start,
    stop() {
      conn.stop();
      const sock = ws;
      ws = undefined;
      failAll('stopped');
      if (sock) {
        sock.onclose = null;
        sock.onmessage = null;
        sock.close(1000, 'paused');
      }
      status.value = { kind: 'offline' };
    },
  };
}

/** REST path → WebSocket API method (docs/protocol.md's table of twins), for what the polled side asks. */
const TWINS: Record<string, string> = {
  '/api/v3/aggTrades': 'trades.aggregate',
  '/api/v3/ticker/bookTicker': 'ticker.book',
  '/api/v3/ticker/24hr': 'ticker.24hr',
  '/api/v3/time': 'time',
};

/** `/api/v3/aggTrades?symbol=X&fromId=5&limit=1000` → `trades.aggregate {symbol:"X", fromId:5, limit:1000}`. */
export function toWsApiRequest(path: string): { method: string; params: Record<string, unknown> } {
  const [base = '', query = ''] = path.split('?');
  const method = TWINS[base];
  if (!method) throw new Error(`no WebSocket API twin for ${base}`);
  const params: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(query)) params[k] = /^-?\d+$/.test(v) && k !== 'symbol' ? Number(v) : v;
  return { method, params };
}

/** The REST client's face over the WebSocket API: the polled side's rounds run over the open socket. */
export function wsApiRest(api: WsApi): Rest {
  return {
    // The WebSocket API carries no gateway name; the badge shows the HTTP polls' only.
    gateway: signal(null),
    async get<T>(path: string, o: { signal?: AbortSignal; onBytes?: (delta: number) => void } = {}) {
      const { method, params } = toWsApiRequest(path);
      const r = await api.request<T>(method, params, o.signal);
      o.onBytes?.(r.bytes);
      return r;
    },
    close() {},
  };
}
