// One render per animation frame: feeds enqueue work as ticks arrive, the loop flushes it all
// in one signals batch when the browser is about to paint.
import { batch } from '@preact/signals';

export interface FrameScheduler {
  /** Run `cb` before the next paint (requestAnimationFrame in the page). Returns a cancel. */
  frame(cb: () => void): () => void;
  /** Fallback when frames stop (hidden tab): run `cb` after `ms`. Returns a cancel. */
  later(cb: () => void, ms: number): () => void;
  /** Wall-clock now, epoch ms with sub-ms resolution. */
  now(): number;
}

export function browserScheduler(): FrameScheduler {
  return {
    frame(cb) {
      const id = requestAnimationFrame(() => cb());
      return () => cancelAnimationFrame(id);
    },
    later(cb, ms) {
      const id = setTimeout(cb, ms);
      return () => clearTimeout(id);
    },
    now: () => performance.timeOrigin + performance.now(),
  };
}

/** A flusher receives the local wall-clock time (epoch ms) of the frame it renders in. */
export type Flusher = (frameTimeMs: number) => void;

export interface FrameLoop {
  /** Register a flusher; returns its removal. */
  add(flush: Flusher): () => void;
  /** Ask for a flush; many requests before the frame make one flush. */
  request(): void;
  /** How many flushes ran (one per frame that had work). */
  readonly flushes: number;
  close(): void;
}

/**
 * `hiddenFallbackMs`: a hidden tab gets no frames, so queued ticks would pile up; after this long
 * without a frame the loop flushes on a timer instead (default 500 ms).
 */
export function createFrameLoop(sched: FrameScheduler, hiddenFallbackMs = 500): FrameLoop {
  const flushers = new Set<Flusher>();
  let cancelFrame: (() => void) | undefined;
  let cancelLater: (() => void) | undefined;
  let flushes = 0;
  let closed = false;

  const run = () => {
    cancelFrame?.();
    cancelLater?.();
    cancelFrame = cancelLater = undefined;
    flushes++;
    const t = sched.now();
    batch(() => {
      for (const f of flushers) f(t);
    });
  };

  return {
    add(flush) {
      flushers.add(flush);
      return () => flushers.delete(flush);
    },
    request() {
      if (closed || cancelFrame) return;
      cancelFrame = sched.frame(run);
      cancelLater = sched.later(run, hiddenFallbackMs);
    },
    get flushes() {
      return flushes;
    },
    close() {
      closed = true;
      cancelFrame?.();
      cancelLater?.();
      cancelFrame = cancelLater = undefined;
      flushers.clear();
    },
  };
}
