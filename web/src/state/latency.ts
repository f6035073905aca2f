// Latency from event time to screen: samples in a ring, percentiles over the newest ones.
import { signal, type ReadonlySignal } from '@preact/signals';

/** Nearest-rank percentile (q in 0..100) of already sorted values; null when there are none. */
export function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((q / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/**
 * Event-to-screen latency in ms: the local frame time, moved onto the server's clock by the
 * measured offset (server − local), minus the event time the server stamped.
 */
export function latencyMs(eventTimeMs: number, frameTimeLocalMs: number, offsetMs: number): number {
  return frameTimeLocalMs + offsetMs - eventTimeMs;
}

export interface LatencyStats {
  readonly p50: ReadonlySignal<number | null>;
  readonly p99: ReadonlySignal<number | null>;
  readonly count: ReadonlySignal<number>;
  add(ms: number): void;
  /** Recompute p50/p99 from the window (call once per frame at most). */
  publish(): void;
  reset(): void;
}

/** Percentiles over the newest `window` samples (default 2048). */
export function createLatencyStats(window = 2048): LatencyStats {
  const ring = new Float64Array(window);
  let n = 0;
  let total = 0;
  let dirty = false;
  const p50 = signal<number | null>(null);
  const p99 = signal<number | null>(null);
  const count = signal(0);
  return {
    p50,
    p99,
    count,
    add(ms) {
      ring[total % window] = ms;
      total++;
      n = Math.min(window, n + 1);
      dirty = true;
    },
    publish() {
      if (!dirty) return;
      dirty = false;
      const sorted = Array.from(ring.subarray(0, n)).sort((a, b) => a - b);
      p50.value = percentile(sorted, 50);
      p99.value = percentile(sorted, 99);
      count.value = total;
    },
    reset() {
      n = total = 0;
      dirty = false;
      p50.value = p99.value = null;
      count.value = 0;
    },
  };
}
