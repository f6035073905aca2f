// Reconnecting with exponential backoff and jitter: one policy for the page's long-lived
// connections (the stream socket, socket.ts; the SSE stream, sse.ts; the WebSocket API, ws-api.ts)
// and the long-poll feed's retries.
import type { Timers } from './poller.ts';

/** Backoff delay for attempt n (0-based), `r` uniform in [0, 1). */
export function backoffDelay(attempt: number, r: number, baseMs: number, maxMs: number): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return cap / 2 + (r * cap) / 2;
}

export interface ReconnectOptions {
  readonly timers: Timers;
  /** Uniform in [0, 1); Math.random by default. */
  readonly random?: () => number;
  /** Delay before attempt n (0-based) is drawn from [cap/2, cap), cap = min(maxMs, baseMs·2ⁿ); 500 ms and 8 s by default. */
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
}

/** A connection kept up between start and stop: whether to reconnect, and when. */
export interface Reconnecting {
  /** Between start and stop: a lost connection is to be made again. */
  readonly running: boolean;
  /** Attempts since the connection was last live (or started). */
  readonly attempt: number;
  /** Connect now and keep at it until stop; nothing when running already. */
  start(): void;
  /** No further attempt; the one waiting is dropped. */
  stop(): void;
  /** Connect again after the next attempt's delay (attempt counts up); returns the delay, ms. */
  retryLater(): number;
  /** Drop the attempt waiting, if any (the caller connects at once instead). */
  cancelRetry(): void;
  /** The connection is live: the next delay is the shortest again. */
  live(): void;
}

export function createReconnecting(opts: ReconnectOptions, connect: () => void): Reconnecting {
  const { timers } = opts;
  const random = opts.random ?? Math.random;
  const { baseMs, maxMs } = opts.backoff ?? { baseMs: 500, maxMs: 8000 };
  let running = false;
  let attempt = 0;
  let timer: unknown;
  const cancelRetry = () => {
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = undefined;
  };
  return {
    get running() {
      return running;
    },
    get attempt() {
      return attempt;
    },
    start() {
      if (running) return;
      running = true;
      attempt = 0;
      connect();
    },
    stop() {
      running = false;
      cancelRetry();
    },
    retryLater() {
      const delay = backoffDelay(attempt++, random(), baseMs, maxMs);
      timer = timers.setTimeout(() => {
        timer = undefined;
        connect();
      }, delay);
      return delay;
    },
    cancelRetry,
    live() {
      attempt = 0;
    },
  };
}
