// /proc: the parsers of its text (pure, unit-tested in test/bench/stats.test.ts) and the readers of
// a process's CPU and memory and of the machine's per-core times. Works the same for every arm.
import { readdirSync, readFileSync } from 'node:fs';

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

/** The soft "Max open files" of /proc/<pid>/limits; null when absent or unlimited. */
export function parseOpenFilesLimit(limits: string): number | null {
  const m = /^Max open files\s+(\d+)\s/m.exec(limits);
  return m ? Number(m[1]) : null;
}

/** USER_HZ: the unit of /proc/<pid>/stat times. 100 on every Linux ABI Node supports. */
const TICK_MS = 10;

/** CPU time (user + system) the process has used so far, ms; null when it is gone. */
export function cpuMs(pid: number): number | null {
  try {
    return parseProcStatTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')) * TICK_MS;
  } catch {
    return null;
  }
}

/** Resident set size, bytes; null when the process is gone. */
export function rssBytes(pid: number): number | null {
  try {
    return parseProcStatusRss(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return null;
  }
}

/** The open-files limit a running process has (ulimit -n as it sees it); null when unknown. */
export function openFilesLimitOf(pid: number): number | null {
  try {
    return parseOpenFilesLimit(readFileSync(`/proc/${pid}/limits`, 'utf8'));
  } catch {
    return null;
  }
}

/** The time on a CPU of /proc/<pid>/task/<tid>/schedstat (its first field, ns); null when not that line. */
export function parseSchedstatNs(schedstat: string): number | null {
  const f = schedstat.trim().split(/\s+/);
  const ns = Number(f[0]);
  return f.length >= 3 && Number.isFinite(ns) ? ns : null;
}

/**
 * CPU time the process has used so far, ms, to the nanosecond: the sum over its threads of the
 * scheduler's run time (/proc/<pid>/task/<tid>/schedstat), where cpuMs has 10 ms ticks. For short
 * windows of a few per cent of a core. A thread that exits takes its time with it, so use it on
 * processes with a fixed set of threads (Node, redis-server, haproxy). Falls back to cpuMs where the
 * kernel has no schedstat; null when the process is gone.
 */
export function runTimeMs(pid: number): number | null {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const t = parseSchedstatNs(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8'));
      if (t === null) return cpuMs(pid);
      ns += t;
    }
    return ns / 1e6;
  } catch {
    return cpuMs(pid);
  }
}

/** Sum of cpuMs over processes; processes that are gone count 0. */
export const totalCpuMs = (pids: readonly number[]): number => pids.reduce((s, p) => s + (cpuMs(p) ?? 0), 0);
export const totalRss = (pids: readonly number[]): number => pids.reduce((s, p) => s + (rssBytes(p) ?? 0), 0);

/** Per-core times of the whole machine (every process and the kernel's interrupt work). */
export function cpuTimes(): CpuTimes[] {
  try {
    return parseProcStatCpus(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return [];
  }
}
