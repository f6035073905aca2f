// The one WebSocket of the page: a combined-stream connection that subscribes to what the feed
// asks for, reconnects with exponential backoff and jitter, and says where it stands.
import { signal, type ReadonlySignal } from '@preact/signals';
import { useEffect, useMemo } from 'preact/hooks';
import type { WireCombined, WireError, WireResult } from '@wire/payloads.ts';
import { createReconnecting, type ReconnectOptions } from './backoff.ts';

export type SocketStatus =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'live' }
  /** Waiting before the next attempt; `inS` counts down each second. */
  | { readonly kind: 'reconnecting'; readonly inS: number; readonly attempt: number }
  /** Stopped on purpose (paused) or closed. */
  | { readonly kind: 'offline' };

/** The part of the WebSocket API used here (the browser's, or `ws` in tests). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export type SocketCtor = new (url: string) => SocketLike;

export interface SocketOptions extends ReconnectOptions {
  /** Combined endpoint, e.g. `ws://127.0.0.1:8080/stream`. */
  readonly url: string;
  readonly WebSocket: SocketCtor;
  /** Control messages sent at most this often (the server closes a socket over 5 incoming/s). */
  readonly controlGapMs?: number;
  /** Every stream payload. `frameBytes`: payload plus WebSocket framing. */
  onMessage(stream: string, data: unknown, frameBytes: number): void;
  /** The subscription of a new connection is confirmed; `reconnect` when an earlier one was live. */
  onSubscribed?(info: { readonly reconnect: boolean }): void;
}

/** Bytes of a server-to-client frame (unmasked) carrying `payload` bytes: header + payload. */
export function wsFrameBytes(payload: number): number {
  return payload + (payload < 126 ? 2 : payload < 65536 ? 4 : 10);
}

export interface Socket {
  readonly status: ReadonlySignal<SocketStatus>;
  /** Stream messages received, and their bytes including framing. */
  readonly messages: ReadonlySignal<number>;
  readonly bytes: ReadonlySignal<number>;
  /** Connections opened after the first. */
  readonly reconnects: ReadonlySignal<number>;
  /** Last control error from the server (`{"error":{code,msg}}`), or null. */
  readonly lastError: ReadonlySignal<string | null>;
  /**
   * The gateway of a fleet serving this connection (GET_PROPERTY "gateway", asked once live), null
   * while not connected or when the server has no name (a single process, or an older server).
   */
  readonly gateway: ReadonlySignal<string | null>;
  /** The gateway of the previous connection, once there was one: shows a move after a gateway died. */
  readonly previousGateway: ReadonlySignal<string | null>;
  /** Replace the subscription (sends SUBSCRIBE then UNSUBSCRIBE when live; used on every new connection). */
  setStreams(streams: readonly string[]): void;
  start(): void;
  stop(): void;
}

export function createSocket(opts: SocketOptions): Socket {
  const { timers } = opts;
  const conn = createReconnecting(opts, () => connect());
  const controlGapMs = opts.controlGapMs ?? 300;

  const status = signal<SocketStatus>({ kind: 'offline' });
  const messages = signal(0);
  const bytes = signal(0);
  const reconnects = signal(0);
  const lastError = signal<string | null>(null);
  const gateway = signal<string | null>(null);
  const previousGateway = signal<string | null>(null);
  /** Id of the GET_PROPERTY "gateway" of this connection. */
  let gatewayQueryId: number | null = null;

  let ws: SocketLike | undefined;
  let wanted: readonly string[] = [];
  let subscribed: readonly string[] = [];
  let everLive = false;
  let opened = 0;
  let nextId = 1;
  /** Id of the SUBSCRIBE that makes a new connection live. */
  let firstSubId: number | null = null;
  let tickTimer: unknown;
  let connectTimer: unknown;
  const outbox: string[] = [];
  let outTimer: unknown;
  let lastSentMs = -Infinity;

  const clear = (h: unknown) => {
    if (h !== undefined) timers.clearTimeout(h);
  };

  const flushOutbox = () => {
    outTimer = undefined;
    if (!ws || ws.readyState !== 1) return;
    const now = timers.now();
    const wait = lastSentMs + controlGapMs - now;
    if (wait > 0) {
      outTimer = timers.setTimeout(flushOutbox, wait);
      return;
    }
    const msg = outbox.shift();
    if (msg === undefined) return;
    ws.send(msg);
    lastSentMs = now;
    if (outbox.length > 0) outTimer = timers.setTimeout(flushOutbox, controlGapMs);
  };
  const send = (method: 'SUBSCRIBE' | 'UNSUBSCRIBE' | 'GET_PROPERTY', params: readonly string[]): number => {
    const id = nextId++;
    outbox.push(JSON.stringify({ method, params, id }));
    if (outTimer === undefined) flushOutbox();
    return id;
  };

  const goLive = () => {
    status.value = { kind: 'live' };
    conn.live();
    const reconnect = everLive;
    everLive = true;
    gatewayQueryId = send('GET_PROPERTY', ['gateway']);
    opts.onSubscribed?.({ reconnect });
  };

  const onText = (text: string) => {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      lastError.value = 'server sent a frame that is not JSON';
      return;
    }
    if (msg === null || typeof msg !== 'object') return;
    if ('stream' in msg && 'data' in msg) {
      const m = msg as WireCombined<unknown>;
      messages.value++;
      bytes.value += wsFrameBytes(text.length);
      opts.onMessage(m.stream, m.data, wsFrameBytes(text.length));
      return;
    }
    if ('id' in msg && (msg as { id: unknown }).id === gatewayQueryId && gatewayQueryId !== null) {
      // A server without gateway names answers an error (unknown property): no name to show.
      gatewayQueryId = null;
      const result = 'result' in msg ? (msg as { result: unknown }).result : null;
      gateway.value = typeof result === 'string' ? result : null;
      return;
    }
    if ('error' in msg) {
      const e = msg as WireError;
      lastError.value = `code ${e.error.code}: ${e.error.msg}`;
      if (e.id === firstSubId) {
        firstSubId = null;
        goLive();
      }
      return;
    }
    if ('result' in msg && (msg as WireResult).id === firstSubId && firstSubId !== null) {
      firstSubId = null;
      goLive();
    }
  };

  const scheduleReconnect = () => {
    const at = timers.now() + conn.retryLater();
    const tick = () => {
      const left = at - timers.now();
      status.value = { kind: 'reconnecting', inS: Math.max(0, Math.ceil(left / 1000)), attempt: conn.attempt };
      // Wake just after the shown number of seconds drops by one.
      if (left > 1000) tickTimer = timers.setTimeout(tick, left - (Math.ceil(left / 1000) - 1) * 1000 + 1);
    };
    tick();
  };

  const connect = () => {
    clear(tickTimer); // the countdown to this attempt
    status.value = { kind: 'connecting' };
    const sock = new opts.WebSocket(opts.url);
    ws = sock;
    outbox.length = 0;
    subscribed = [];
    firstSubId = null;
    connectTimer = timers.setTimeout(() => sock.close(), 10_000);
    sock.onopen = () => {
      clear(connectTimer);
      if (opened++ > 0) reconnects.value++;
      subscribed = wanted;
      if (wanted.length === 0) goLive();
      else firstSubId = send('SUBSCRIBE', wanted);
    };
    sock.onmessage = (ev) => {
      if (ws !== sock) return;
      if (typeof ev.data === 'string') onText(ev.data);
      else if (ev.data != null) onText(String(ev.data));
    };
    sock.onerror = () => {};
    sock.onclose = () => {
      clear(connectTimer);
      if (ws !== sock) return;
      ws = undefined;
      if (gateway.value !== null) previousGateway.value = gateway.value;
      gateway.value = null;
      gatewayQueryId = null;
      clear(outTimer);
      outTimer = undefined;
      if (conn.running) scheduleReconnect();
      else status.value = { kind: 'offline' };
    };
  };

  return {
    status,
    messages,
    bytes,
    reconnects,
    lastError,
    gateway,
    previousGateway,
    setStreams(streams) {
      wanted = [...streams];
      if (!ws || ws.readyState !== 1) return;
      const drop = subscribed.filter((s) => !wanted.includes(s));
      const add = wanted.filter((s) => !subscribed.includes(s));
      // New streams first: control messages go out one per gap, and the new symbol's trades
      // should start flowing at once, not a gap later (polling is counting from the switch too).
      if (add.length) send('SUBSCRIBE', add);
      if (drop.length) send('UNSUBSCRIBE', drop);
      subscribed = wanted;
    },
    start: conn.start,
    stop() {
      conn.stop();
      clear(tickTimer);
      clear(outTimer);
      clear(connectTimer);
      tickTimer = outTimer = connectTimer = undefined;
      const sock = ws;
      ws = undefined;
      if (sock) {
        sock.onclose = null;
        sock.onmessage = null;
        sock.close(1000, 'paused');
      }
      status.value = { kind: 'offline' };
    },
  };
}

/** Component-side handle: the socket made once for the component, started on mount, stopped on unmount. */
export function useSocket(make: () => Socket): Socket {
  const socket = useMemo(make, []);
  useEffect(() => {
    socket.start();
    return () => socket.stop();
  }, [socket]);
  return socket;
}
