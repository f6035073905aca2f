// The header of latest.json: the machine, the date and the commit a run belongs to.
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import type { Row } from '../row.ts';
import type { Goal } from './goals.ts';
import type { Mode } from '../scenarios.ts';
import type { MemorySlope } from '../memory.ts';
import type { Repeated } from '../repeat.ts';
import type { FleetResults } from '../fleet/figures.ts';

export interface Header {
  readonly date: string;
  readonly mode: Mode;
  readonly commit: string;
  readonly machine: {
    readonly cpuModel: string;
    readonly cores: number;
    readonly memBytes: number;
    readonly node: string;
    readonly platform: string;
    /** Server pinned to core 0 and load to core 1 with taskset. */
    readonly pinned: boolean;
    /** 1, 5 and 15 minute load averages when the run started (other work on a shared machine shows here). */
    readonly loadAverage: readonly number[];
  };
}

export interface Results extends Header {
  readonly durationSec: number;
  /** Repetitions of every step (`--repeat`); rows hold medians when above 1. */
  readonly repeat: number;
  readonly rows: readonly (Row & { readonly repeat?: Repeated })[];
  /** Every repetition's own rows, in the order they ran. */
  readonly runs?: readonly Row[];
  readonly memorySlopes: readonly MemorySlope[];
  /** Load averages when the run ended. */
  readonly loadAverageAtEnd: readonly number[];
  readonly goals: readonly Goal[];
  readonly failures: readonly { readonly step: string; readonly error: string }[];
  /** The fleet scenario (--full): phases, per-gateway figures and the projection. */
  readonly fleet?: FleetResults;
}

export function machineHeader(mode: Mode, pinned: boolean): Header {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (dirty) commit += '-dirty';
  } catch {
    // Not a git checkout: the commit stays unknown.
  }
  return {
    date: new Date().toISOString(),
    mode,
    commit,
    machine: {
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      cores: availableParallelism(),
      memBytes: totalmem(),
      node: process.version,
      platform: `${process.platform}/${process.arch}`,
      pinned,
      loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
    },
  };
}
