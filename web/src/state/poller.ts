// The polling scheduler: one request round at a time, started every `interval` ms; a slow
// server stretches the period instead of stacking requests.
import { signal, type ReadonlySignal } from '@preact/signals';

export interface Timers {
  now(): number;
  setTimeout(cb: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const browserTimers: Timers = {
  now: () => performance.timeOrigin + performance.now(),
  setTimeout: (cb, ms) => setTimeout(cb, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface PollerOptions {
  /** Read at each scheduling, so a change applies from the next round. */
  intervalMs(): number;
  /** One round. The signal aborts when the poller stops. Errors are counted, not thrown. */
  task(signal: AbortSignal): Promise<void>;
  timers: Timers;
}

export interface Poller {
  readonly running: ReadonlySignal<boolean>;
  /** Rounds started, rounds that failed, rounds that outlasted the interval. */
  readonly rounds: ReadonlySignal<number>;
  readonly failures: ReadonlySignal<number>;
  readonly overruns: ReadonlySignal<number>;
  readonly lastError: ReadonlySignal<string | null>;
  start(): void;
  /** Stop scheduling and abort the round in flight. */
  stop(): void;
}

export function createPoller(opts: PollerOptions): Poller {
  const running = signal(false);
  const rounds = signal(0);
  const failures = signal(0);
  const overruns = signal(0);
  const lastError = signal<string | null>(null);
  let timer: unknown;
  let abort: AbortController | undefined;
  let generation = 0;

  const round = async (gen: number) => {
    timer = undefined;
    const startedAt = opts.timers.now();
    abort = new AbortController();
    rounds.value++;
    try {
      await opts.task(abort.signal);
      if (gen === generation) lastError.value = null;
    } catch (err) {
      if (gen !== generation) return;
      failures.value++;
      lastError.value = err instanceof Error ? err.message : String(err);
    }
    if (gen !== generation) return;
    const interval = opts.intervalMs();
    const elapsed = opts.timers.now() - startedAt;
    if (elapsed > interval) overruns.value++;
    timer = opts.timers.setTimeout(() => void round(gen), Math.max(0, interval - elapsed));
  };

  return {
    running,
    rounds,
    failures,
    overruns,
    lastError,
    start() {
      if (running.value) return;
      running.value = true;
      generation++;
      void round(generation);
    },
    stop() {
      if (!running.value) return;
      running.value = false;
      generation++;
      if (timer !== undefined) opts.timers.clearTimeout(timer);
      timer = undefined;
      abort?.abort();
    },
  };
}
