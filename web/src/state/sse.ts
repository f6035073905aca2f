// The page's one Server-Sent Events connection (`/sse?streams=…`): the push side's other transport,
// with the same face as the WebSocket (socket.ts) so the push feed does not know which it reads.
// EventSource reconnects by itself and sends Last-Event-ID, so the server replays what was missed
// (docs/protocol.md#server-sent-events); when the browser gives up (an HTTP error, the server gone
// for good) this model reconnects with backoff and `?lastEventId=` carries the cursor instead.
import { signal } from '@preact/signals';
import { createReconnecting, type ReconnectOptions } from './backoff.ts';
import type { Socket, SocketStatus } from './socket.ts';

/** The part of the EventSource API used here (the browser's, or a small reader in tests). */
export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  addEventListener(type: string, fn: (ev: { data: string; lastEventId: string }) => void): void;
  close(): void;
}
export type EventSourceCtor = new (url: string) => EventSourceLike;

/** A gap event: what the server could not replay on resume (reasons in docs/protocol.md). */
export interface SseGap {
  readonly stream: string;
  readonly reason: string;
  readonly missedFrom?: number;
  readonly resumedAt?: number;
}

export interface SseOptions extends ReconnectOptions {
  /** Endpoint without query, e.g. `http://127.0.0.1:8080/sse`. */
  readonly url: string;
  readonly EventSource: EventSourceCtor;
  /** Every stream payload; `frameBytes`: the event's `id:`, `event:` and `data:` lines as sent. */
  onMessage(stream: string, data: unknown, frameBytes: number): void;
  /** A new connection is open; `reconnect` when an earlier one was (resume is the server's job here). */
  onSubscribed?(info: { readonly reconnect: boolean }): void;
  /** The server could not replay everything: the feed fills the hole another way (REST). */
  onGap?(gap: SseGap): void;
}

/** Bytes of one event as the server writes it: `id: …\nevent: …\ndata: …\n\n` (ASCII JSON). */
export function sseEventBytes(id: string, event: string, data: string): number {
  return (id ? 4 + id.length + 1 : 0) + 7 + event.length + 1 + 6 + data.length + 2;
}

export function createSse(opts: SseOptions): Socket {
  const conn = createReconnecting(opts, () => connect());
  const status = signal<SocketStatus>({ kind: 'offline' });
  const messages = signal(0);
  const bytes = signal(0);
  const reconnects = signal(0);
  const lastError = signal<string | null>(null);

  let es: EventSourceLike | undefined;
  let streams: readonly string[] = [];
  /** Cursor of the last event, for a connection this model opens itself (EventSource's own retries send it as a header). */
  let lastId = '';
  let everLive = false;
  let opened = 0;

  const drop = () => {
    const s = es;
    es = undefined;
    if (s) {
      s.onopen = null;
      s.onerror = null;
      s.close();
    }
  };

  const connect = () => {
    if (streams.length === 0) return;
    status.value = { kind: 'connecting' };
    const q = `?streams=${streams.join('/')}${lastId ? `&lastEventId=${encodeURIComponent(lastId)}` : ''}`;
    const src = new opts.EventSource(opts.url + q);
    es = src;
    src.onopen = () => {
      if (es !== src) return;
      if (opened++ > 0) reconnects.value++;
      status.value = { kind: 'live' };
      conn.live();
      const reconnect = everLive;
      everLive = true;
      opts.onSubscribed?.({ reconnect });
    };
    src.onerror = () => {
      if (es !== src) return;
      // CONNECTING (0): the browser retries by itself with Last-Event-ID. CLOSED (2): it gave up.
      if (src.readyState === 0) {
        status.value = { kind: 'reconnecting', inS: 1, attempt: conn.attempt + 1 };
        return;
      }
      drop();
      if (!conn.running) return;
      const delay = conn.retryLater();
      status.value = { kind: 'reconnecting', inS: Math.ceil(delay / 1000), attempt: conn.attempt };
    };
    for (const name of streams) {
      src.addEventListener(name, (ev) => {
        if (es !== src) return;
        if (ev.lastEventId) lastId = ev.lastEventId;
        let msg: { stream?: unknown; data?: unknown };
        try {
          msg = JSON.parse(ev.data) as typeof msg;
        } catch {
          lastError.value = 'server sent an event that is not JSON';
          return;
        }
        const n = sseEventBytes(ev.lastEventId, name, ev.data);
        messages.value++;
        bytes.value += n;
        opts.onMessage(typeof msg.stream === 'string' ? msg.stream : name, msg.data, n);
      });
    }
    src.addEventListener('gap', (ev) => {
      if (es !== src) return;
      try {
        const g = JSON.parse(ev.data) as SseGap;
        lastError.value = `gap on ${g.stream}: ${g.reason}`;
        opts.onGap?.(g);
      } catch {
        lastError.value = 'server sent a gap event that is not JSON';
      }
    });
  };

  return {
    status,
    messages,
    bytes,
    reconnects,
    lastError,
    // EventSource shows no response headers, so an SSE stream cannot name its gateway.
    gateway: signal(null),
    previousGateway: signal(null),
    setStreams(next) {
      const changed = next.join('/') !== streams.join('/');
      streams = [...next];
      if (!changed) return;
      // The cursor has one slot per stream: it does not carry over to another list.
      lastId = '';
      if (conn.running) {
        drop();
        conn.cancelRetry();
        connect();
      }
    },
    start: conn.start,
    stop() {
      conn.stop();
      drop();
      status.value = { kind: 'offline' };
    },
  };
}
