// The server's clock as seen from the page: offset = serverTime − local midpoint of the request,
// from the sample with the shortest round trip (its midpoint guess has the smallest error).
import { signal, type ReadonlySignal } from '@preact/signals';

export interface OffsetSample {
  /** Local epoch ms when the request left and when the answer arrived. */
  readonly sentMs: number;
  readonly receivedMs: number;
  /** `serverTime` from /api/v3/time, epoch ms. */
  readonly serverMs: number;
}

/** Offset (server − local, ms) and its error bound (half the round trip) of the best sample. */
export function bestOffset(samples: readonly OffsetSample[]): { offsetMs: number; errorMs: number } | null {
  let best: OffsetSample | undefined;
  for (const s of samples) {
    if (s.receivedMs < s.sentMs) continue;
    if (!best || s.receivedMs - s.sentMs < best.receivedMs - best.sentMs) best = s;
  }
  if (!best) return null;
  return {
    offsetMs: best.serverMs - (best.sentMs + best.receivedMs) / 2,
    errorMs: (best.receivedMs - best.sentMs) / 2,
  };
}

export interface ClockOffset {
  /** server − local, ms; 0 until the first sample. */
  readonly offsetMs: ReadonlySignal<number>;
  readonly errorMs: ReadonlySignal<number | null>;
  /** Take `n` samples one after another (default 5) and keep the best of the newest 16. */
  sync(n?: number): Promise<void>;
}

export function createClockOffset(fetchServerTime: () => Promise<number>, now: () => number): ClockOffset {
  const offsetMs = signal(0);
  const errorMs = signal<number | null>(null);
  const samples: OffsetSample[] = [];
  return {
    offsetMs,
    errorMs,
    async sync(n = 5) {
      for (let i = 0; i < n; i++) {
        const sentMs = now();
        const serverMs = await fetchServerTime();
        const receivedMs = now();
        samples.push({ sentMs, receivedMs, serverMs });
        if (samples.length > 16) samples.shift();
      }
      const best = bestOffset(samples);
      if (best) {
        offsetMs.value = best.offsetMs;
        errorMs.value = best.errorMs;
      }
    },
  };
}
