// The bench's scenarios, as data: which arm, how many connections, what event rate, how long.
// The runner (bench/run.ts) walks the list of the chosen mode in order. The arms are in arms.ts.
import { variant, type Arm } from './arms.ts';

export interface Scenario {
  /** Group the row belongs to (`fanout`, `rate`, `combined`, `polling`, `rest`, `calibration`). */
  readonly scenario: string;
  readonly arm: Arm;
  readonly connections: number;
  /** Mean taker orders per second (`--symbols SOLUSDT:<rate>`); each makes one or more trades. */
  readonly rate: number;
  /** push only: `/ws/solusdt@trade` (raw) or `/stream?streams=solusdt@trade` (combined). */
  readonly stream?: 'raw' | 'combined';
  /** polling only: interval between one client's requests, ms. */
  readonly pollIntervalMs?: number;
  /** rest-capacity only: the fixed overall request rate (autocannon -R). */
  readonly requestRate?: number;
  /** Time connected before the window opens, s. */
  readonly warmupSec: number;
  /** Measurement window, s. */
  readonly windowSec: number;
}

export type Mode = 'smoke' | 'quick' | 'full';

/** Server processes needed for `connections` (one process may hold at most 20,000 open files). */
export const CONNS_PER_SERVER = 15_000;
/** Load processes: several sockets per process, each process on its own source address. */
export const CONNS_PER_LOAD = 8_000;

const fanout = (arms: readonly Arm[], conns: readonly number[], rate: number, warmupSec: number, windowSec: number): Scenario[] =>
  arms.flatMap((arm) => conns.map((connections) => ({ scenario: 'fanout', arm, connections, rate, stream: 'raw' as const, warmupSec, windowSec })));

export function scenarios(mode: Mode): Scenario[] {
  if (mode === 'smoke') {
    const w = { warmupSec: 0.5, windowSec: 1.5 };
    return [
      { scenario: 'smoke', arm: 'push', connections: 4, rate: 20, stream: 'raw', ...w },
      { scenario: 'smoke', arm: 'push', connections: 4, rate: 20, stream: 'combined', ...w },
      { scenario: 'smoke', arm: 'polling', connections: 4, rate: 20, pollIntervalMs: 100, ...w },
      { scenario: 'smoke', arm: 'rest-capacity', connections: 2, rate: 20, requestRate: 100, ...w },
      { scenario: 'smoke', arm: 'peer-ws', connections: 4, rate: 20, stream: 'raw', ...w },
      { scenario: 'smoke', arm: 'peer-socketio', connections: 4, rate: 20, stream: 'raw', ...w },
      { scenario: 'smoke', arm: 'limit', connections: 4, rate: 20, stream: 'raw', ...w },
      { scenario: 'calibration', arm: 'calibrate', connections: 4, rate: 20, ...w },
    ];
  }
  if (mode === 'quick') {
    const w = { warmupSec: 1, windowSec: 4 };
    return [
      ...fanout(['push', 'limit', 'peer-ws', 'peer-socketio'], [100, 1_000, 10_000], 100, w.warmupSec, w.windowSec),
      { scenario: 'rate', arm: 'push', connections: 1_000, rate: 10, stream: 'raw', ...w },
      { scenario: 'rate', arm: 'push', connections: 1_000, rate: 1_000, stream: 'raw', ...w },
      { scenario: 'combined', arm: 'push', connections: 1_000, rate: 100, stream: 'combined', ...w },
      { scenario: 'polling', arm: 'polling', connections: 1_000, rate: 100, pollIntervalMs: 100, ...w },
      { scenario: 'polling', arm: 'polling', connections: 1_000, rate: 100, pollIntervalMs: 1_000, ...w },
      { scenario: 'rest', arm: 'rest-capacity', connections: 50, rate: 100, requestRate: 2_000, ...w },
      // One generator process against a firehose: the ceiling the client-bound rows are read against.
      { scenario: 'calibration', arm: 'calibrate', connections: 1_000, rate: 100, warmupSec: 1, windowSec: 3 },
    ];
  }
  const w = { warmupSec: 2, windowSec: 10 };
  return [
    ...fanout(['push', 'limit'], [100, 1_000, 10_000, 20_000, 40_000], 100, w.warmupSec, w.windowSec),
    // The peers run in one Node process each (no shared-port mode), so they stop below 20,000 files.
    ...fanout(['peer-ws', 'peer-socketio'], [100, 1_000, 10_000], 100, w.warmupSec, w.windowSec),
    ...[10, 1_000].flatMap((rate) =>
      [1_000, 10_000].map((connections) => ({ scenario: 'rate', arm: 'push' as const, connections, rate, stream: 'raw' as const, ...w })),
    ),
    { scenario: 'combined', arm: 'push', connections: 1_000, rate: 100, stream: 'combined', ...w },
    { scenario: 'combined', arm: 'push', connections: 10_000, rate: 100, stream: 'combined', ...w },
    ...[100, 1_000].flatMap((connections) =>
      [100, 1_000].map((pollIntervalMs) => ({ scenario: 'polling', arm: 'polling' as const, connections, rate: 100, pollIntervalMs, ...w })),
    ),
    ...[1_000, 5_000, 20_000].map((requestRate) => ({ scenario: 'rest', arm: 'rest-capacity' as const, connections: 100, rate: 100, requestRate, ...w })),
    ...[1_000, 8_000].map((connections) => ({ scenario: 'calibration', arm: 'calibrate' as const, connections, rate: 100, warmupSec: 1, windowSec: 4 })),
  ];
}

/**
 * Fan-out steps ordered by connection count, then arm: at each count the arms run one after the
 * other, so a burst of noise on the shared machine lands on all of them, not on one arm's series.
 * The other scenarios keep their place after them.
 */
export function interleave(list: readonly Scenario[]): Scenario[] {
  const fan = list.filter((s) => s.scenario === 'fanout');
  const rest = list.filter((s) => s.scenario !== 'fanout');
  return [...[...fan].sort((a, b) => a.connections - b.connections), ...rest];
}

/** A short label for progress lines and tables. */
export function label(s: Scenario): string {
  const extra = variant(s);
  return `${s.arm} ${s.scenario} ${s.connections} conns @${s.rate}/s${extra ? ` ${extra}` : ''}`;
}

/** Rough seconds a step takes (start, connect, warm up, measure, stop): for the ETA. */
export function estimateSec(s: Scenario): number {
  return 2 + s.connections / 4_000 + s.warmupSec + s.windowSec + 0.5;
}
