// Latency histograms: one HDR histogram per load process, shipped to the runner encoded and
// merged there. Unit-tested in test/bench/stats.test.ts.
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

/** Latency range the histograms track: 1 µs to 10 minutes, 3 significant digits. */
export const LATENCY_MAX_US = 600_000_000;

export function newLatencyHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 32,
    lowestDiscernibleValue: 1,
    highestTrackableValue: LATENCY_MAX_US,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

/**
 * Record one latency. Values outside [1, LATENCY_MAX_US] are clamped, not dropped: a negative or
 * zero value means the two clocks disagree by less than a microsecond, a huge one is still a sample.
 */
export function recordLatency(h: Histogram, us: number): void {
  h.recordValue(us < 1 ? 1 : us > LATENCY_MAX_US ? LATENCY_MAX_US : Math.round(us));
}

export const encodeHistogram = (h: Histogram): string => hdr.encodeIntoCompressedBase64(h);

/** Merge encoded histograms (one per load process) into one. */
export function mergeHistograms(encoded: readonly string[]): Histogram {
  const total = newLatencyHistogram();
  for (const e of encoded) {
    const h = hdr.decodeFromCompressedBase64(e, 32, false);
    total.add(h);
    h.destroy();
  }
  return total;
}

export interface LatencySummary {
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** p50/p99/p99.9/max in the histogram's unit (µs); null when it holds no sample. */
export function summarize(h: Histogram): LatencySummary | null {
  if (h.totalCount === 0) return null;
  return {
    p50: h.getValueAtPercentile(50),
    p99: h.getValueAtPercentile(99),
    p999: h.getValueAtPercentile(99.9),
    max: h.maxValue,
  };
}

/** Percentiles drawn in the report's latency chart. */
export const CURVE_PERCENTILES = [0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100] as const;

export function latencyCurve(h: Histogram): [percentile: number, us: number][] {
  if (h.totalCount === 0) return [];
  return CURVE_PERCENTILES.map((p) => [p, h.getValueAtPercentile(p)]);
}
