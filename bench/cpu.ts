// CPU accounting: a process's share of its cores, CPU per delivered update, and each core's busy
// share between two /proc/stat readings. Unit-tested in test/bench/stats.test.ts.
import type { CpuTimes } from './proc.ts';

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

/** Busy and softirq share of each core between two /proc/stat readings, %. */
export function coreBusyPct(before: readonly CpuTimes[], after: readonly CpuTimes[]): { busy: number; softirq: number }[] {
  return after.map((a, i) => {
    const b = before[i];
    const total = b ? a.total - b.total : 0;
    if (!b || total <= 0) return { busy: 0, softirq: 0 };
    return { busy: ((a.busy - b.busy) / total) * 100, softirq: ((a.softirq - b.softirq) / total) * 100 };
  });
}
