// The bench's arithmetic on pure values: percentiles (histograms.ts), loss by sequence (sequences.ts), CPU (cpu.ts), ratios, the client-bound rule (thresholds.ts), /proc parsing (proc.ts).
import { describe, expect, it } from 'vitest';
import { coreBusyPct, cpuMsPer1k, cpuPct } from '../../bench/cpu.ts';
import { encodeHistogram, latencyCurve, mergeHistograms, newLatencyHistogram, recordLatency, summarize } from '../../bench/histograms.ts';
import { parseProcStatCpus, parseProcStatTicks, parseProcStatusRss } from '../../bench/proc.ts';
import { createSequenceTracker, earlier, eventRate, expectedUpdates, later, lossRate, MIN_RATE_SPAN_US } from '../../bench/sequences.ts';
import { CLIENT_BOUND_PCT, CORE_FULL_PCT, isClientBound } from '../../bench/thresholds.ts';
import { ratio } from '../../bench/report/goals.ts';
import { createRandom } from '../../server/market/random.ts';

const mulberry32 = (seed: number) => { const r = createRandom(seed); return () => r.next(); };

describe('latency percentiles', () => {
  it('match the exact percentiles of a known sample to within the histogram precision (3 digits)', () => {
    const h = newLatencyHistogram();
    const rnd = mulberry32(7);
    const values: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const v = Math.floor(1 + rnd() ** 3 * 200_000);
      values.push(v);
      recordLatency(h, v);
    }
    values.sort((a, b) => a - b);
    const exact = (p: number) => values[Math.ceil((p / 100) * values.length) - 1]!;
    const s = summarize(h)!;
    for (const [got, p] of [[s.p50, 50], [s.p99, 99], [s.p999, 99.9]] as const) {
      expect(Math.abs(got - exact(p)) / exact(p)).toBeLessThan(0.002);
    }
    expect(Math.abs(s.max - values[values.length - 1]!) / values[values.length - 1]!).toBeLessThan(0.002);
    h.destroy();
  });

  it('says nothing rather than zero when no sample was recorded', () => {
    const h = newLatencyHistogram();
    expect(summarize(h)).toBeNull();
    expect(latencyCurve(h)).toEqual([]);
  });

  it('clamps values below 1 µs to 1 instead of dropping them', () => {
    const h = newLatencyHistogram();
    recordLatency(h, -40);
    recordLatency(h, 0);
    expect(h.totalCount).toBe(2);
    expect(summarize(h)!.max).toBe(1);
  });

  it('merges the histograms of several load processes into the distribution of all their samples', () => {
    const a = newLatencyHistogram();
    const b = newLatencyHistogram();
    for (let i = 1; i <= 100; i++) recordLatency(a, i * 10);
    for (let i = 1; i <= 100; i++) recordLatency(b, 1000 + i * 10);
    const all = mergeHistograms([encodeHistogram(a), encodeHistogram(b)]);
    expect(all.totalCount).toBe(200);
    expect(summarize(all)!.p50).toBeGreaterThanOrEqual(990);
    expect(summarize(all)!.p50).toBeLessThanOrEqual(1010);
    expect(summarize(all)!.max).toBeGreaterThanOrEqual(1999);
  });

  it('draws a curve that never goes down as the percentile goes up', () => {
    const h = newLatencyHistogram();
    const rnd = mulberry32(3);
    for (let i = 0; i < 5000; i++) recordLatency(h, 1 + rnd() * 10_000);
    const curve = latencyCurve(h);
    for (let i = 1; i < curve.length; i++) expect(curve[i]![1]).toBeGreaterThanOrEqual(curve[i - 1]![1]);
  });
});

describe('loss by sequence', () => {
  it('counts skipped sequence numbers as missed and duplicates as disordered, not as loss', () => {
    const t = createSequenceTracker();
    for (const s of [10, 11, 12, 15, 16, 16, 14, 20]) t.see(s);
    expect(t.received).toBe(8);
    expect(t.missed).toBe(2 + 3);
    expect(t.disordered).toBe(2);
    expect(expectedUpdates(t)).toBe(11);
    expect(lossRate(t.missed, expectedUpdates(t))).toBeCloseTo(5 / 11, 12);
  });

  it('starts a window afresh: what came before the reset does not count', () => {
    const t = createSequenceTracker();
    t.see(1);
    t.see(5);
    t.reset();
    t.see(100);
    t.see(101);
    expect([t.first, t.last, t.received, t.missed]).toEqual([100, 101, 2, 0]);
  });

  it('with a baseline, counts the trades skipped right after it (a poller that fell behind)', () => {
    const t = createSequenceTracker();
    t.reset(50);
    t.see(54);
    t.see(55);
    expect(t.missed).toBe(3);
    expect(t.first).toBe(51);
    expect(expectedUpdates(t)).toBe(5);
  });

  it('makes a stream that stopped early owe every update up to the newest one published', () => {
    const t = createSequenceTracker();
    t.see(10);
    t.see(11);
    expect(expectedUpdates(t, 30)).toBe(21);
    expect(expectedUpdates(t, 5)).toBe(2);
    expect(expectedUpdates(createSequenceTracker(), 30)).toBe(0);
  });

  it('keeps the loss rate within 0 and 1, and 0 when nothing was expected', () => {
    expect(lossRate(0, 0)).toBe(0);
    expect(lossRate(5, 0)).toBe(0);
    expect(lossRate(12, 10)).toBe(1);
    expect(lossRate(1, 4)).toBe(0.25);
  });
});

describe('event rate', () => {
  it('counts events per second of event time between two sightings', () => {
    expect(eventRate([100, 5_000_000], [300, 7_000_000])).toBe(100);
  });

  it('states no rate over too short a span, a missing sighting or a sequence going back', () => {
    expect(eventRate([100, 5_000_000], [101, 5_000_000 + MIN_RATE_SPAN_US - 1])).toBeNull();
    expect(eventRate(null, [300, 7_000_000])).toBeNull();
    expect(eventRate([300, 5_000_000], [100, 7_000_000])).toBeNull();
  });

  it('keeps the earliest and the latest sighting by time, whichever process saw them', () => {
    expect(earlier([5, 50], [3, 30])).toEqual([3, 30]);
    expect(later([5, 50], [3, 30])).toEqual([5, 50]);
    expect(earlier(null, [3, 30])).toEqual([3, 30]);
  });
});

describe('ratios and CPU', () => {
  it('refuses to state a ratio over zero or over a missing figure', () => {
    expect(ratio(3, 0)).toBeNull();
    expect(ratio(null, 2)).toBeNull();
    expect(ratio(3, undefined)).toBeNull();
    expect(ratio(Number.NaN, 2)).toBeNull();
    expect(ratio(3, 12)).toBe(0.25);
  });

  it('states CPU per 1,000 delivered updates, and nothing when none was delivered', () => {
    expect(cpuMsPer1k(250, 500_000)).toBe(0.5);
    expect(cpuMsPer1k(250, 0)).toBeNull();
  });

  it('expresses CPU time as a share of the cores a process may use', () => {
    expect(cpuPct(900, 1000, 1)).toBe(90);
    expect(cpuPct(900, 1000, 2)).toBe(45);
    expect(cpuPct(5, 0, 1)).toBe(0);
  });
});

describe('the client-bound rule', () => {
  it('flags a run when the load generator used at least its threshold of its cores', () => {
    expect(isClientBound(CLIENT_BOUND_PCT)).toBe(true);
    expect(isClientBound(cpuPct(990, 1000, 1))).toBe(true);
  });

  it('does not flag a generator with headroom, even when it was busy', () => {
    expect(isClientBound(CLIENT_BOUND_PCT - 0.1)).toBe(false);
    expect(isClientBound(cpuPct(990, 1000, 2))).toBe(false);
  });

  it('flags a run whose load core was full while the server core had room', () => {
    expect(isClientBound(50, { loadCoreBusyPct: CORE_FULL_PCT, serverCoreBusyPct: 70 })).toBe(true);
  });

  it('does not blame the generator when both cores were full, or when its core had room', () => {
    expect(isClientBound(50, { loadCoreBusyPct: 99, serverCoreBusyPct: CORE_FULL_PCT })).toBe(false);
    expect(isClientBound(50, { loadCoreBusyPct: CORE_FULL_PCT - 1, serverCoreBusyPct: 10 })).toBe(false);
  });
});

describe('/proc parsing', () => {
  it('sums utime and stime of a stat line whose command name holds spaces and parentheses', () => {
    const line = '4242 (node (tick) x) S 1 4242 4242 0 -1 4194304 1234 0 0 0 157 43 0 0 20 0 11 0 987654 1024000 5000 18446744073709551615';
    expect(parseProcStatTicks(line)).toBe(200);
  });

  it('throws on something that is not a stat line', () => {
    expect(() => parseProcStatTicks('garbage')).toThrow(/stat/);
  });

  it('turns two /proc/stat readings into how busy each core was, softirq apart', () => {
    const before = parseProcStatCpus('cpu  1 2 3 4 5 6 7 8 0 0\ncpu0 100 0 50 800 50 0 0 0 0 0\ncpu1 10 0 10 980 0 0 0 0 0 0\nintr 1\n');
    const after = parseProcStatCpus('cpu  1 2 3 4 5 6 7 8 0 0\ncpu0 160 0 70 810 50 0 10 0 0 0\ncpu1 60 0 20 1000 0 0 20 0 0 0\nintr 1\n');
    const [c0, c1] = coreBusyPct(before, after);
    expect(c0!.busy).toBeCloseTo(90, 9);
    expect(c0!.softirq).toBeCloseTo(10, 9);
    expect(c1!.busy).toBeCloseTo(80, 9);
    expect(c1!.softirq).toBeCloseTo(20, 9);
  });

  it('reads VmRSS in bytes, and 0 when the process has none', () => {
    expect(parseProcStatusRss('Name:\tnode\nVmPeak:\t  900 kB\nVmRSS:\t   81234 kB\nThreads: 11\n')).toBe(81234 * 1024);
    expect(parseProcStatusRss('Name:\tzombie\nState:\tZ\n')).toBe(0);
  });
});
