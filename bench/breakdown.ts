// Where a push update's time goes on the server, read from the server's own /metrics histograms
// before and after the window: the market timer's lateness, and a batch's arrival on the bus to
// its first and last frame handed to uWS (the fan-out span). Pure parsing and arithmetic are
// unit-tested in test/bench/breakdown.test.ts; servers without these histograms give null.

/** The /metrics histograms the bench reads (server/app.ts and server/gateway/fanout.ts define them). */
export const BREAKDOWN_METRICS = {
  latenessUs: 'tickwire_market_timer_lateness_seconds',
  toFirstUs: 'tickwire_fanout_first_publish_seconds',
  toLastUs: 'tickwire_fanout_last_publish_seconds',
} as const;

export type BreakdownPart = keyof typeof BREAKDOWN_METRICS;

/** One histogram as scraped: cumulative counts at each upper bound (seconds; Infinity last). */
export interface ScrapedHistogram {
  readonly le: readonly number[];
  readonly cumulative: readonly number[];
  readonly sum: number;
  readonly count: number;
}

/** Quantiles of one part in the window, µs, interpolated inside buckets (as Prometheus does). */
export interface PartSummary {
  readonly count: number;
  readonly meanUs: number;
  readonly p50Us: number;
  readonly p99Us: number;
}

export type Breakdown = Readonly<Record<BreakdownPart, PartSummary | null>>;

/** The unlabelled histograms named in the Prometheus text, by name. */
export function parseHistograms(text: string, names: readonly string[]): Map<string, ScrapedHistogram> {
  const out = new Map<string, ScrapedHistogram>();
  for (const name of names) {
    const le: number[] = [];
    const cumulative: number[] = [];
    let sum = NaN;
    let count = NaN;
    for (const line of text.split('\n')) {
      if (!line.startsWith(name + '_')) continue;
      const bucket = /^\S+_bucket\{le="([^"]+)"\} (\S+)$/.exec(line);
      if (bucket && line.startsWith(name + '_bucket{')) {
        le.push(bucket[1] === '+Inf' ? Infinity : Number(bucket[1]));
        cumulative.push(Number(bucket[2]));
      } else if (line.startsWith(name + '_sum ')) sum = Number(line.slice(name.length + 5));
      else if (line.startsWith(name + '_count ')) count = Number(line.slice(name.length + 7));
    }
    if (le.length > 0 && Number.isFinite(count)) out.set(name, { le, cumulative, sum, count });
  }
  return out;
}

/** after − before, bucket by bucket (the observations made between two scrapes). */
export function diffHistogram(before: ScrapedHistogram | undefined, after: ScrapedHistogram): ScrapedHistogram {
  if (!before || before.le.length !== after.le.length) return after;
  return {
    le: after.le,
    cumulative: after.cumulative.map((c, i) => c - (before.cumulative[i] ?? 0)),
    sum: after.sum - before.sum,
    count: after.count - before.count,
  };
}

/**
 * The q-quantile (0..1) of a bucketed histogram, in its unit, interpolated linearly inside the
 * bucket that holds it (from 0 for the first). A quantile in the +Inf bucket is the last finite
 * bound: a floor. NaN when it holds nothing.
 */
export function bucketQuantile(h: ScrapedHistogram, q: number): number {
  const total = h.cumulative[h.cumulative.length - 1] ?? 0;
  if (!(total > 0)) return NaN;
  const rank = q * total;
  for (let i = 0; i < h.le.length; i++) {
    if (h.cumulative[i]! >= rank) {
      const hi = h.le[i]!;
      const lo = i === 0 ? 0 : h.le[i - 1]!;
      if (!Number.isFinite(hi)) return lo;
      const below = i === 0 ? 0 : h.cumulative[i - 1]!;
      const inBucket = h.cumulative[i]! - below;
      return inBucket > 0 ? lo + ((hi - lo) * (rank - below)) / inBucket : hi;
    }
  }
  return h.le[h.le.length - 2] ?? NaN;
}

export function summarizePart(h: ScrapedHistogram): PartSummary | null {
  if (!(h.count > 0)) return null;
  return {
    count: h.count,
    meanUs: (h.sum / h.count) * 1e6,
    p50Us: bucketQuantile(h, 0.5) * 1e6,
    p99Us: bucketQuantile(h, 0.99) * 1e6,
  };
}

/** The breakdown between two scrapes of the same server; null when it has none of the histograms. */
export function breakdownBetween(before: string | null, after: string | null): Breakdown | null {
  if (after === null) return null;
  const names = Object.values(BREAKDOWN_METRICS);
  const a = parseHistograms(after, names);
  if (a.size === 0) return null;
  const b = before === null ? new Map<string, ScrapedHistogram>() : parseHistograms(before, names);
  const part = (name: string) => {
    const h = a.get(name);
    return h ? summarizePart(diffHistogram(b.get(name), h)) : null;
  };
  return {
    latenessUs: part(BREAKDOWN_METRICS.latenessUs),
    toFirstUs: part(BREAKDOWN_METRICS.toFirstUs),
    toLastUs: part(BREAKDOWN_METRICS.toLastUs),
  };
}

/** GET /metrics as text, or null when the server has none (the peers) or does not answer in time. */
export async function scrapeMetrics(host: string, port: number): Promise<string | null> {
  try {
    const res = await fetch(`http://${host}:${port}/metrics`, { signal: AbortSignal.timeout(5_000) });
    return res.ok ? await res.text() : null;
  } catch {
    return null;
  }
}

/** A counter's or gauge's value in the Prometheus text, summed over its labels; null when absent. */
export function metricTotal(text: string, name: string): number | null {
  let sum: number | null = null;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^(\S+?)(?:\{[^}]*\})? (\S+)$/.exec(line);
    if (m && m[1] === name) sum = (sum ?? 0) + Number(m[2]);
  }
  return sum;
}
