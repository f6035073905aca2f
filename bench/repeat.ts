// `--repeat N`: the steps of every repetition, merged into one row per step with the median of
// each figure and its spread. Pure: tested in test/bench/repeat.test.ts.
import type { Row } from './row.ts';
import type { LatencySummary } from './histograms.ts';

/** A ratio or figure whose half-range exceeds this share of its median is flagged noisy. */
export const NOISY_SHARE = 0.1;

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** (max − min) / 2 / |median|: ±share around the median; 0 for one value, Infinity for a median of 0 with a range. */
  readonly halfRange: number;
  readonly n: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** Median and range of the finite values; null when there is none. */
export function spread(values: readonly (number | null | undefined)[]): Spread | null {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  if (v.length === 0) return null;
  const m = median(v);
  const min = Math.min(...v);
  const max = Math.max(...v);
  const half = (max - min) / 2;
  return { median: m, min, max, n: v.length, halfRange: half === 0 ? 0 : m === 0 ? Infinity : half / Math.abs(m) };
}

/** More than ±10% around the median: the figure moved with the machine more than with the code. */
export const isNoisy = (s: Spread | null): boolean => s !== null && s.n > 1 && s.halfRange > NOISY_SHARE;

/** The figures whose spread a repeated row keeps (the ones the table and goals read). */
export const SPREAD_FIGURES = ['deliveredPerSec', 'probeP99', 'bulkP99', 'serverCpuMsPer1kUpdates', 'serverRssBytes'] as const;
export type SpreadFigure = (typeof SPREAD_FIGURES)[number];

export interface Repeated {
  readonly n: number;
  readonly spread: Partial<Record<SpreadFigure, Spread>>;
}

/** What identifies a step across repetitions. */
export const stepKey = (r: Pick<Row, 'scenario' | 'arm' | 'requestedConnections' | 'rate' | 'stream' | 'pollIntervalMs'> & { requestRate?: number }): string =>
  [r.scenario, r.arm, r.requestedConnections, r.rate, r.stream ?? '', r.pollIntervalMs ?? ''].join('|');

const figure = (r: Row, f: SpreadFigure): number | null => {
  switch (f) {
    case 'probeP99': return r.probeLatencyUs?.p99 ?? null;
    case 'bulkP99': return r.latencyUs?.p99 ?? null;
    default: return r[f];
  }
};

const med = (rows: readonly Row[], f: (r: Row) => number | null | undefined): number | null => spread(rows.map(f))?.median ?? null;

function medianSummary(rows: readonly Row[], pick: (r: Row) => LatencySummary | null | undefined): LatencySummary | null {
  const xs = rows.map(pick).filter((x): x is LatencySummary => !!x);
  if (xs.length === 0) return null;
  return { p50: median(xs.map((x) => x.p50)), p99: median(xs.map((x) => x.p99)), p999: median(xs.map((x) => x.p999)), max: median(xs.map((x) => x.max)) };
}

/**
 * One row per step: the figures are medians over the repetitions (each independently), curves and
 * notes come from the repetition whose bulk p99 is the median one, and `repeat` holds the spread.
 * With one repetition the row is returned as it was, with n = 1.
 */
export function mergeRepeats(rows: readonly Row[]): (Row & { readonly repeat: Repeated })[] {
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const k = stepKey(r);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return [...groups.values()].map((g) => {
    const spreadOf: Partial<Record<SpreadFigure, Spread>> = {};
    for (const f of SPREAD_FIGURES) {
      const s = spread(g.map((r) => figure(r, f)));
      if (s) spreadOf[f] = s;
    }
    if (g.length === 1) return { ...g[0]!, repeat: { n: 1, spread: spreadOf } };
    const byP99 = [...g].sort((a, b) => (a.latencyUs?.p99 ?? 0) - (b.latencyUs?.p99 ?? 0));
    const typical = byP99[(byP99.length - 1) >> 1]!;
    const n = (f: (r: Row) => number | null | undefined) => med(g, f);
    return {
      ...typical,
      connections: n((r) => r.connections) ?? typical.connections,
      eventsPerSec: n((r) => r.eventsPerSec) ?? typical.eventsPerSec,
      deliveredPerSec: n((r) => r.deliveredPerSec) ?? typical.deliveredPerSec,
      lossRate: n((r) => r.lossRate) ?? typical.lossRate,
      latencyUs: medianSummary(g, (r) => r.latencyUs),
      probeLatencyUs: medianSummary(g, (r) => r.probeLatencyUs),
      serverCpuMsPer1kUpdates: n((r) => r.serverCpuMsPer1kUpdates),
      serverRssBytes: n((r) => r.serverRssBytes) ?? typical.serverRssBytes,
      bytesPerUpdate: n((r) => r.bytesPerUpdate),
      clientCpuPct: n((r) => r.clientCpuPct) ?? typical.clientCpuPct,
      serverCpuPct: n((r) => r.serverCpuPct) ?? typical.serverCpuPct,
      rssPerConnectionBytes: n((r) => r.rssPerConnectionBytes),
      // Client-bound when most repetitions were.
      clientBound: g.filter((r) => r.clientBound).length * 2 > g.length,
      notes: [...new Set(g.flatMap((r) => r.notes))],
      repeat: { n: g.length, spread: spreadOf },
    };
  });
}
