// The header of latest.json: the machine, the date and the commit a run belongs to.
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, totalmem } from 'node:os';
import type { Row } from '../row.ts';
import type { Goal } from './goals.ts';
import type { Mode } from '../scenarios.ts';

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
  };
}

export interface Results extends Header {
  readonly durationSec: number;
  readonly rows: readonly Row[];
  readonly goals: readonly Goal[];
  readonly failures: readonly { readonly step: string; readonly error: string }[];
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
    },
  };
}
