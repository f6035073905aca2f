// The gateway's time source and timers: real ones in production, a manual set that tests step.
//
// Everything in the gateway that depends on time (the message-rate bucket, the attempt limiter,
// ping/pong deadlines, lifetime, the slow-consumer sweep, the shutdown poll, the ticker arrays'
// wait) reads `now()` and schedules through this interface, so a test moves time by calling
// `advance()` instead of sleeping. Kept apart from the market's Clock (µs since the epoch, the
// time printed in payloads): this one is monotonic milliseconds from any origin.

import { performance as loopPerformance } from 'node:perf_hooks';

export interface Timers {
  /** Monotonic time in milliseconds, any origin. Never goes backwards. */
  now(): number;
  /** Call `fn` every `ms` until the returned function is called. Never keeps the process alive. */
  every(ms: number, fn: () => void): () => void;
  /** Call `fn` once, `ms` from now, unless the returned function is called first. Never keeps the process alive. */
  after(ms: number, fn: () => void): () => void;
  /**
   * Milliseconds the event loop has spent busy (running callbacks, not waiting for I/O) since
   * some origin. The message rate uses it to tell a client's burst from frames the server read
   * late because it was busy.
   */
  busyMs(): number;
}

/** performance.now(), Node's timers (unref'd) and the event loop's utilization. */
export const realTimers: Timers = {
  now: () => performance.now(),
  busyMs: () => loopPerformance.eventLoopUtilization().active,
  every(ms, fn) {
    const t = setInterval(fn, ms);
    t.unref();
    return () => clearInterval(t);
  },
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref();
    return () => clearTimeout(t);
  },
};

export interface ManualTimers extends Timers {
  /**
   * Move time forward by `ms` (≥ 0), running every timer that falls due on the way, in time order,
   * each with `now()` reading its due time; an interval due several times runs several times.
   */
  advance(ms: number): void;
  /** Like advance, with the loop busy all along (busyMs grows by `ms` too): a stall. */
  stall(ms: number): void;
  /** Timers scheduled and not cancelled. */
  readonly pending: number;
}

interface Scheduled {
  dueMs: number;
  readonly periodMs: number | undefined;
  readonly fn: () => void;
  readonly seq: number;
}

export function createManualTimers(startMs = 0): ManualTimers {
  let now = startMs;
  let busy = 0;
  let seq = 0;
  const scheduled = new Set<Scheduled>();

  function schedule(ms: number, fn: () => void, periodMs: number | undefined): () => void {
    const s: Scheduled = { dueMs: now + Math.max(0, ms), periodMs, fn, seq: seq++ };
    scheduled.add(s);
    return () => void scheduled.delete(s);
  }

  /** The earliest timer due at or before `limit` (ties in scheduling order). */
  function nextDue(limit: number): Scheduled | undefined {
    let best: Scheduled | undefined;
    for (const s of scheduled) {
      if (s.dueMs > limit) continue;
      if (!best || s.dueMs < best.dueMs || (s.dueMs === best.dueMs && s.seq < best.seq)) best = s;
    }
    return best;
  }

  const timers: ManualTimers = {
    now: () => now,
    busyMs: () => busy,
    every: (ms, fn) => schedule(ms, fn, Math.max(1, ms)),
    after: (ms, fn) => schedule(ms, fn, undefined),
    advance(ms) {
      if (!(ms >= 0)) throw new RangeError(`timers.advance: expected a non-negative number of ms, got ${ms}`);
      const target = now + ms;
      for (let s = nextDue(target); s; s = nextDue(target)) {
        now = s.dueMs;
        if (s.periodMs === undefined) scheduled.delete(s);
        else s.dueMs += s.periodMs;
        s.fn();
      }
      now = target;
    },
    stall(ms) {
      busy += ms;
      timers.advance(ms);
    },
    get pending() {
      return scheduled.size;
    },
  };
  return timers;
}
