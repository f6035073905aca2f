// A process's own CPU and memory accounting, read from /proc: works the same for every arm.
import { readFileSync } from 'node:fs';
import { parseProcStatCpus, parseProcStatTicks, parseProcStatusRss, type CpuTimes } from './stats.ts';

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
