// The bench's arithmetic: latency histograms, loss by sequence, ratios, the client-bound rule and
// the /proc parsers. Pure functions and small value objects, unit-tested in test/bench/stats.test.ts.
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

/**
 * Loss on one stream, judged by its per-stream sequence number (the trade id `t`, +1 per trade).
 * Counted apart from throughput: a gap is a loss even when the rate looks fine.
 */
export interface SequenceTracker {
  /** First and last sequence seen since the last reset (0 before any). */
  readonly first: number;
  readonly last: number;
  /** Updates received, duplicates included. */
  readonly received: number;
  /** Sequence numbers skipped between consecutive updates. */
  readonly missed: number;
  /** Updates whose sequence was not above the previous one (duplicate or out of order). */
  readonly disordered: number;
  see(seq: number): void;
  /**
   * Start a new window. Without a baseline the next update is the first one and nothing before
   * it counts; with one (the newest sequence already held, e.g. by a poller) the window expects
   * baseline + 1 next and counts anything skipped after it as missed.
   */
  reset(baseline?: number): void;
}

export function createSequenceTracker(): SequenceTracker {
  let first = 0;
  let last = 0;
  let received = 0;
  let missed = 0;
  let disordered = 0;
  return {
    get first() { return first; },
    get last() { return last; },
    get received() { return received; },
    get missed() { return missed; },
    get disordered() { return disordered; },
    see(seq) {
      received++;
      if (last === 0) {
        first = last = seq;
      } else if (seq > last) {
        if (first === 0) first = last + 1;
        missed += seq - last - 1;
        last = seq;
      } else {
        disordered++;
      }
    },
    reset(baseline = 0) {
      first = received = missed = disordered = 0;
      last = baseline;
    },
  };
}

/**
 * Updates a stream should have carried in a window, from what its tracker saw. `endSeq`, when
 * given, is the newest sequence published (known from the other streams): a stream that stopped
 * early (its connection was closed) owes everything after its last update.
 */
export function expectedUpdates(t: Pick<SequenceTracker, 'first' | 'last'>, endSeq?: number): number {
  if (t.first === 0) return 0;
  const last = endSeq !== undefined && endSeq > t.last ? endSeq : t.last;
  return last - t.first + 1;
}

/** Fraction of expected updates that never arrived, in [0, 1]; 0 when nothing was expected. */
export function lossRate(missed: number, expected: number): number {
  if (!(expected > 0)) return 0;
  const r = missed / expected;
  return r < 0 ? 0 : r > 1 ? 1 : r;
}

/** a / b, or null when either is missing or b is not positive (a ratio that cannot be stated). */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b <= 0) return null;
  return a / b;
}

/** Server CPU milliseconds spent per 1,000 delivered updates; null when nothing was delivered. */
export function cpuMsPer1k(cpuMs: number, delivered: number): number | null {
  return delivered > 0 ? (cpuMs / delivered) * 1000 : null;
}

/**
 * A process's CPU use as a share of the cores it may run on, in percent (100 = all of them busy).
 */
export function cpuPct(cpuMs: number, wallMs: number, cores: number): number {
  if (!(wallMs > 0) || !(cores > 0)) return 0;
  return (cpuMs / (wallMs * cores)) * 100;
}

/** The load generator at or above this share of its cores set the pace, not the server. */
export const CLIENT_BOUND_PCT = 85;

/** A core this busy (user, system, irq and softirq of every process on it) has no room left. */
export const CORE_FULL_PCT = 95;

/**
 * The client-bound rule. A run is client-bound when
 * - the load generator used at least CLIENT_BOUND_PCT of the CPU it may use (its cores: 1 when
 *   pinned to a core of its own), even if the server was busy too: then we cannot say which one
 *   set the pace, so the row does not claim the server's; or
 * - pinned, the load's core was full (the kernel's loopback work and other processes count there
 *   but not in the generator's own accounting) while the server's core still had room.
 * A generator that reads late makes the latency and the rate describe itself, not the server.
 */
export function isClientBound(clientCpuPct: number, cores?: { readonly loadCoreBusyPct: number; readonly serverCoreBusyPct: number }): boolean {
  if (clientCpuPct >= CLIENT_BOUND_PCT) return true;
  return cores !== undefined && cores.loadCoreBusyPct >= CORE_FULL_PCT && cores.serverCoreBusyPct < CORE_FULL_PCT;
}

/** Jiffies per CPU from /proc/stat (`cpuN` lines): busy (all but idle and iowait), softirq, total. */
export interface CpuTimes {
  readonly busy: number;
  readonly softirq: number;
  readonly total: number;
}

export function parseProcStatCpus(stat: string): CpuTimes[] {
  const out: CpuTimes[] = [];
  for (const line of stat.split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const f = m[2]!.trim().split(/\s+/).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already inside user).
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
    const busy = user + nice + system + irq + softirq + steal;
    out[Number(m[1])] = { busy, softirq, total: busy + idle + iowait };
  }
  return out;
}

/** Busy and softirq share of each core between two /proc/stat readings, %. */
export function coreBusyPct(before: readonly CpuTimes[], after: readonly CpuTimes[]): { busy: number; softirq: number }[] {
  return after.map((a, i) => {
    const b = before[i];
    const total = b ? a.total - b.total : 0;
    if (!b || total <= 0) return { busy: 0, softirq: 0 };
    return { busy: ((a.busy - b.busy) / total) * 100, softirq: ((a.softirq - b.softirq) / total) * 100 };
  });
}

/** utime + stime of /proc/<pid>/stat in clock ticks (fields 14 and 15; the name may hold spaces). */
export function parseProcStatTicks(stat: string): number {
  const close = stat.lastIndexOf(')');
  if (close < 0) throw new Error(`not a /proc/<pid>/stat line: ${JSON.stringify(stat.slice(0, 80))}`);
  // After ") " comes field 3 (state); utime is field 14, stime field 15.
  const fields = stat.slice(close + 2).trim().split(/\s+/);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('no utime/stime in /proc/<pid>/stat');
  return utime + stime;
}

/** VmRSS of /proc/<pid>/status, in bytes (0 when the line is absent, e.g. a zombie). */
export function parseProcStatusRss(status: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

/** A trade seen at some point: its sequence (trade id) and its event time, µs. */
export type SeqAt = readonly [seq: number, us: number];

/** Shortest span of event time a rate is stated over, µs (below it the rate is mostly noise). */
export const MIN_RATE_SPAN_US = 1_000_000;

/**
 * Events per second between two sightings, in event time: (Δseq) / (Δtime). Event time, not the
 * time we looked, so a server that answers late (busy broadcasting) still gives its true rate.
 * Null when the sightings are missing or closer than MIN_RATE_SPAN_US.
 */
export function eventRate(a: SeqAt | null | undefined, b: SeqAt | null | undefined): number | null {
  if (!a || !b) return null;
  const dt = b[1] - a[1];
  if (!(dt >= MIN_RATE_SPAN_US) || b[0] < a[0]) return null;
  return (b[0] - a[0]) / (dt / 1e6);
}

/** The earlier (or later) of two sightings by event time. */
export const earlier = (a: SeqAt | null, b: SeqAt | null): SeqAt | null => (!a ? b : !b ? a : b[1] < a[1] ? b : a);
export const later = (a: SeqAt | null, b: SeqAt | null): SeqAt | null => (!a ? b : !b ? a : b[1] > a[1] ? b : a);
