// Rate limits of the gateway (docs/protocol.md#limits-and-keep-alive): incoming frames per connection, connection attempts per IP.
// Plain state and functions, times passed in (ms), so tests step them without a clock.

/**
 * Token bucket of incoming frames for one connection: `perSec` frames in a burst, refilled at
 * `perSec` a second. With perSec = 5, six frames within one second always overflow it, and a client
 * that keeps under 5 frames/s is never closed. Two numbers per connection, nothing allocated.
 */
export interface MessageBucket {
  tokens: number;
  lastMs: number;
}

export function createMessageBucket(perSec: number, nowMs: number): MessageBucket {
  return { tokens: perSec, lastMs: nowMs };
}

/** Take one token; false when the connection is over its rate. */
export function takeMessage(b: MessageBucket, perSec: number, nowMs: number): boolean {
  const elapsed = nowMs - b.lastMs;
  if (elapsed > 0) {
    b.tokens = Math.min(perSec, b.tokens + (elapsed * perSec) / 1000);
    b.lastMs = nowMs;
  }
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

/**
 * Connection attempts per IP in fixed windows that start at an IP's first attempt. Every attempt
 * counts, refused ones too, so hammering does not reopen the door early. `sweep` forgets IPs whose
 * window is over (called from the gateway's housekeeping timer) so memory follows active IPs only.
 */
export interface AttemptLimiter {
  /** Count an attempt from `ip`; false when it is over the limit. */
  attempt(ip: string, nowMs: number): boolean;
  sweep(nowMs: number): void;
  readonly size: number;
}

export function createAttemptLimiter(limit: number, windowMs: number): AttemptLimiter {
  const windows = new Map<string, { startMs: number; count: number }>();
  return {
    attempt(ip, nowMs) {
      let w = windows.get(ip);
      if (!w || nowMs - w.startMs >= windowMs) windows.set(ip, (w = { startMs: nowMs, count: 0 }));
      w.count++;
      return w.count <= limit;
    },
    sweep(nowMs) {
      for (const [ip, w] of windows) if (nowMs - w.startMs >= windowMs) windows.delete(ip);
    },
    get size() {
      return windows.size;
    },
  };
}
