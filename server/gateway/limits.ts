// Rate limits of the gateway (docs/protocol.md#limits-and-keep-alive): incoming frames per connection, connection attempts per IP.
// Plain state and functions, times passed in (ms), so tests step them without a clock.

/** The smallest announced frame length uWS drops without reading it (see frameCeilingBytes). */
export const FRAME_CEILING_MIN_BYTES = 1024 * 1024;

/**
 * uWS's maxPayloadLength for a given ws.maxPayloadBytes: the largest frame uWS reads whole and
 * hands to the gateway, which closes anything over the limit with 1009. uWS refuses a frame whose
 * header announces more than this at once, before reading its payload, and drops the TCP
 * connection without a close frame (it has no way to send one there): that refusal is what keeps
 * a header announcing 2^63 bytes from costing memory. 1 MiB (or twice the limit, if larger)
 * lets every plausible client mistake (a SUBSCRIBE of thousands of names) get its 1009 while a
 * connection can make uWS hold at most that much, a quarter of what a slow consumer may queue
 * outbound by default. docs/security.md, "Frame size".
 */
export function frameCeilingBytes(maxPayloadBytes: number): number {
  return Math.max(2 * maxPayloadBytes, FRAME_CEILING_MIN_BYTES);
}

/**
 * Token bucket of incoming frames for one connection: `perSec` frames in a burst, refilled at
 * `perSec` a second. With perSec = 5, six frames within one second always overflow it, and a client
 * that keeps under 5 frames/s is never closed. Three numbers per connection, nothing allocated.
 *
 * Frames are charged as the client sent them, not as a stalled server happens to read them: while
 * the event loop is busy, a client's frames wait in the kernel and are read together afterwards.
 * So the burst a refill may build up to grows by the stall: the time the loop spent busy since this
 * connection's last frame, beyond the time it spent waiting (`busyMs` is the loop's busy-time
 * clock, Timers.busyMs). Tokens still come back at `perSec` a second of real time, so no client
 * gets more than the rate over time; only the moment of reading stops counting against it.
 */
export interface MessageBucket {
  tokens: number;
  lastMs: number;
  busyMs: number;
}

export function createMessageBucket(perSec: number, nowMs: number, busyMs = 0): MessageBucket {
  return { tokens: perSec, lastMs: nowMs, busyMs };
}

/** Take one token; false when the connection is over its rate. */
export function takeMessage(b: MessageBucket, perSec: number, nowMs: number, busyMs = b.busyMs): boolean {
  const elapsed = nowMs - b.lastMs;
  if (elapsed > 0) {
    const stallMs = Math.max(0, 2 * (busyMs - b.busyMs) - elapsed); // busy minus waiting
    const cap = perSec * (1 + stallMs / 1000);
    if (b.tokens < cap) b.tokens = Math.min(cap, b.tokens + (elapsed * perSec) / 1000);
    b.lastMs = nowMs;
    b.busyMs = busyMs;
  }
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

/**
 * Subscription work per IP: every stream added or removed by SUBSCRIBE/UNSUBSCRIBE costs one unit.
 * Each control message is cheap on its own and capped at 5/s, but 300 connections of one IP
 * swapping 1,024 streams 4 times a second ask for 1.2 million subscription changes a second, which
 * no single thread serves without stalling everyone. An IP gets `burst` units at once and `perSec`
 * back a second (CHURN_BURST and CHURN_PER_SEC streams-per-connection limits' worth): far more than
 * connecting, subscribing or switching symbols needs, and a bound on what churn can cost
 * (docs/security.md, "Message rate and subscription churn").
 */
export interface WorkBucket {
  tokens: number;
  lastMs: number;
}

/** Units an IP gets back per second, in multiples of ws.maxStreams. */
export const CHURN_PER_SEC = 4;
/** Units an IP may spend at once, in multiples of ws.maxStreams. */
export const CHURN_BURST = 16;

export function createWorkBucket(burst: number, nowMs: number): WorkBucket {
  return { tokens: burst, lastMs: nowMs };
}

function refill(b: WorkBucket, perSec: number, burst: number, nowMs: number): void {
  const elapsed = nowMs - b.lastMs;
  if (elapsed > 0) {
    b.tokens = Math.min(burst, b.tokens + (elapsed * perSec) / 1000);
    b.lastMs = nowMs;
  }
}

/** Spend `units` if the bucket holds them; false (nothing spent) otherwise. */
export function takeWork(b: WorkBucket, units: number, perSec: number, burst: number, nowMs: number): boolean {
  refill(b, perSec, burst, nowMs);
  if (b.tokens < units) return false;
  b.tokens -= units;
  return true;
}

/** Spend `units` whatever the balance (work that is always done, like UNSUBSCRIBE), down to -burst. */
export function chargeWork(b: WorkBucket, units: number, perSec: number, burst: number, nowMs: number): void {
  refill(b, perSec, burst, nowMs);
  b.tokens = Math.max(-burst, b.tokens - units);
}

/** Milliseconds until the bucket holds `units` (0 when it does now). */
export function workWaitMs(b: WorkBucket, units: number, perSec: number): number {
  return b.tokens >= units ? 0 : Math.ceil(((units - b.tokens) * 1000) / perSec);
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
