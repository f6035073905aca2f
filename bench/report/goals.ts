// The bench's goals (the targets README states), judged on the rows of one run, and the
// polling-versus-push ratios. Pure: tested in test/bench/row.test.ts.
import type { Row } from '../row.ts';
import { armSpec, isCalibration, isPolling, type Arm } from '../arms.ts';
import { BUSY_PCT, CLIENT_BOUND_PCT, CORE_FULL_PCT } from '../thresholds.ts';
import { isNoisy, spread, type Spread } from '../repeat.ts';

export interface Goal {
  readonly id: string;
  readonly text: string;
  /** What was measured, as a number (null when the rows needed are missing). */
  readonly measured: number | null;
  readonly target: string;
  /** true met, false not met, null cannot say (rows missing). */
  readonly met: boolean | null;
  /** Why it is not met (or why it cannot be judged), from the rows themselves. */
  readonly note: string;
  /** Repeated runs: the measured figure of each repetition, and whether it moved more than ±10%. */
  readonly spread?: Spread | null;
  readonly noisy?: boolean;
}

/**
 * Goals judged on the median rows, each with the spread of its figure over the repetitions
 * (judged on each repetition's own rows): a ratio that moved more than ±10% is flagged noisy.
 */
export function judgeRepeated(medianRows: readonly Row[], perRepetition: readonly (readonly Row[])[], mode?: string): Goal[] {
  const goals = evaluateGoals(medianRows, mode);
  if (perRepetition.length < 2) return goals;
  const each = perRepetition.map((rows) => evaluateGoals(rows, mode));
  return goals.map((g, i) => {
    const s = spread(each.map((e) => e[i]?.measured));
    return { ...g, spread: s, noisy: isNoisy(s) };
  });
}

/** The fan-out row of an arm at `connections` on one raw trade stream at `rate`. */
export function findRow(rows: readonly Row[], arm: Arm, connections: number, rate: number, scenario?: string): Row | undefined {
  return rows.find((r) => r.arm === arm && r.requestedConnections === connections && r.rate === rate &&
    (scenario ? r.scenario === scenario : r.scenario !== 'combined' && r.stream !== 'combined'));
}

/**
 * Updates one load process can read, parse and sequence-check per second of its own CPU (the
 * calibration step: delivered/s ÷ the share of its core it used, so other work on a shared
 * machine does not lower it), or null when the run had no calibration step.
 */
export function generatorCeiling(rows: readonly Row[]): number | null {
  const c = rows.filter((r) => isCalibration(r.arm) && r.deliveredPerSec > 0 && r.clientCpuPct > 0);
  if (c.length === 0) return null;
  return Math.max(...c.map((r) => r.deliveredPerSec / (r.clientCpuPct / 100)));
}

const fmtCeiling = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${Math.round(n / 1e3)}k`);

/** What holds a row back, read from its own figures (and the generator's ceiling, when calibrated). */
export function holdBack(r: Row, ceiling: number | null = null): string {
  const why: string[] = [];
  const cap = ceiling ? `; the generator reads up to ${fmtCeiling(ceiling)} updates per CPU-second (calibration), here ${fmtCeiling(r.deliveredPerSec / Math.max(0.01, r.clientCpuPct / 100))}: the gap is per-socket work (a wake-up and a read per socket per event), not parsing` : '';
  if (r.clientBound) {
    why.push(r.clientCpuPct >= CLIENT_BOUND_PCT
      ? `the load generator was saturated (${r.clientCpuPct.toFixed(0)}% of its core${cap}): the figure is a floor for the server`
      : `the load's core was full (${r.cores?.loadBusyPct.toFixed(0)}% busy, ${r.cores?.loadSoftirqPct.toFixed(0)}% of it kernel softirq) while the generator itself used ${r.clientCpuPct.toFixed(0)}%: the figure is a floor for the server`);
  }
  if (r.serverCpuPct >= CLIENT_BOUND_PCT) why.push(`the server used ${r.serverCpuPct.toFixed(0)}% of its core`);
  else if (r.cores && r.cores.serverBusyPct >= CORE_FULL_PCT) {
    why.push(`the server's core was full (${r.cores.serverBusyPct.toFixed(0)}% busy, ${r.cores.serverSoftirqPct.toFixed(0)}% softirq) though the server process used ${r.serverCpuPct.toFixed(0)}%`);
  }
  if (!r.clientBound && r.clientCpuPct >= BUSY_PCT) {
    why.push(`the load generator was busy (${r.clientCpuPct.toFixed(0)}% of its core): reading every socket after each event queues behind itself`);
  }
  if (r.serverCpuPct >= BUSY_PCT && r.serverCpuPct < CLIENT_BOUND_PCT) {
    why.push(`the server was busy (${r.serverCpuPct.toFixed(0)}% of its core): one write per socket per event, most of it kernel loopback work`);
  }
  if (r.closedConnections > 0) why.push(`${r.closedConnections} slow connections were closed by the server`);
  if (r.connections < r.requestedConnections) why.push(`only ${r.connections} of ${r.requestedConnections} connections opened`);
  if (why.length === 0) why.push('neither process nor core was saturated in this window');
  return why.join('; ');
}

/** a / b, or null when either is missing or b is not positive (a ratio that cannot be stated). */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b <= 0) return null;
  return a / b;
}

/** Delivered updates as a share of those offered (events/s in × connections); null when none were offered. */
export function deliveredShare(r: Row): number | null {
  return ratio(r.deliveredPerSec, r.eventsPerSec * r.connections);
}

const BIG = 10_000;
const MID = 1_000;

/**
 * Judge the goals on a run's rows (medians when repeated). `mode` only words why a goal cannot be
 * judged: a smoke run never has the steps, a quick or full run lacks them when filtered or failed.
 */
export function evaluateGoals(rows: readonly Row[], mode?: string): Goal[] {
  const goals: Goal[] = [];
  const push10k = findRow(rows, 'push', BIG, 100);
  const ceiling = generatorCeiling(rows);
  const missing = (what: string) => mode === 'smoke'
    ? `cannot judge: the smoke run has no ${what} step`
    : `cannot judge: no ${what} row in this run (left out with --only/--conns, or the step failed)`;

  goals.push(push10k
    ? {
        id: 'push-1m',
        text: 'push delivers at least 1,000,000 updates/s with no loss at 10,000 connections on one trade stream',
        measured: push10k.deliveredPerSec,
        target: '≥ 1,000,000 /s and loss 0',
        met: push10k.deliveredPerSec >= 1_000_000 && push10k.lossRate === 0,
        note: push10k.deliveredPerSec >= 1_000_000 && push10k.lossRate === 0 ? '' :
          `${Math.round(push10k.deliveredPerSec)} /s at ${push10k.eventsPerSec.toFixed(0)} events/s in, loss ${(push10k.lossRate * 100).toFixed(3)}%: ${holdBack(push10k, ceiling)}`,
      }
    : { id: 'push-1m', text: 'push delivers ≥ 1,000,000 updates/s with no loss at 10,000 connections', measured: null, target: '≥ 1,000,000 /s', met: null, note: missing('push 10,000-connection') });

  const ws10k = findRow(rows, 'peer-ws', BIG, 100);
  const cpuRatio = ratio(push10k?.serverCpuMsPer1kUpdates, ws10k?.serverCpuMsPer1kUpdates);
  goals.push({
    id: 'push-cpu-vs-ws',
    text: 'push costs at most a tenth of the server CPU per delivered update of peer-ws (10,000 connections, same run)',
    measured: cpuRatio,
    target: '≤ 0.10',
    met: cpuRatio === null ? null : cpuRatio <= 0.1,
    note: cpuRatio === null ? missing('push and peer-ws 10,000-connection') : cpuRatio <= 0.1 ? '' :
      `push ${push10k!.serverCpuMsPer1kUpdates!.toFixed(3)} ms vs peer-ws ${ws10k!.serverCpuMsPer1kUpdates!.toFixed(3)} ms per 1k updates; ${ws10k!.clientBound || push10k!.clientBound ? 'a client-bound row understates the gap' : holdBack(push10k!)}`,
  });

  const limit10k = findRow(rows, 'limit', BIG, 100);
  // Each arm runs its own market for its own window, so their event counts differ by chance
  // (Poisson orders, several trades each): compare the share of offered updates delivered.
  const ofLimit = push10k && limit10k ? ratio(deliveredShare(push10k), deliveredShare(limit10k)) : null;
  goals.push({
    id: 'push-vs-limit',
    text: "push reaches at least 90% of the limit arm's delivered rate (10,000 connections; each as a share of the updates its own events/s in offered)",
    measured: ofLimit,
    target: '≥ 0.90',
    met: ofLimit === null ? null : ofLimit >= 0.9,
    note: ofLimit === null ? missing('push and limit 10,000-connection') : ofLimit >= 0.9 ? '' : holdBack(push10k!, ceiling),
  });

  const push1k = findRow(rows, 'push', MID, 100);
  const limit1k = findRow(rows, 'limit', MID, 100);
  // Judged on the probes: a few connections in their own process, as a client with its own CPU
  // sees it. The bulk reader's p99 is its own queue as much as the server's.
  const p99 = push1k?.probeLatencyUs?.p99 ?? null;
  const bulkP99 = push1k?.latencyUs?.p99;
  const limitP99 = limit1k?.probeLatencyUs?.p99;
  const b = push1k?.breakdown;
  const context = [
    bulkP99 !== undefined ? `the bulk reader's p99 was ${Math.round(bulkP99)} µs` : '',
    limitP99 !== undefined ? `the limit arm's probes (bare uWS) had p99 ${Math.round(limitP99)} µs at the same point` : '',
    b?.latenessUs ? `the market timer woke late by up to ${Math.round(b.latenessUs.p99Us)} µs at p99 (before E, so not in these figures)` : '',
    b?.toLastUs ? `fan-out span p99 ${Math.round(b.toLastUs.p99Us)} µs` : '',
  ].filter(Boolean).join('; ');
  goals.push({
    id: 'push-p99',
    text: 'push latency p99 under 5 ms at 1,000 connections and 100 orders/s, on the probe connections',
    measured: p99,
    target: '< 5,000 µs',
    met: p99 === null ? null : p99 < 5_000,
    note: !push1k ? missing('push 1,000-connection') : p99 === null ? 'cannot judge: the probes received nothing' :
      p99 < 5_000 ? context : `${holdBack(push1k)}${context ? `; ${context}` : ''}`,
  });
  return goals;
}

/**
 * The closing sentence of a run: how many goals were judged and met. It never says every goal is
 * met when some (or all) could not be judged.
 */
export function closingSentence(goals: readonly Goal[]): string {
  const judged = goals.filter((g) => g.met !== null);
  const met = judged.filter((g) => g.met);
  const open = goals.length - judged.length;
  const noisy = judged.filter((g) => g.noisy).length;
  const tail = open > 0 ? `; ${open} could not be judged by this run (see why above)` : '';
  const noise = noisy > 0 ? ` ${noisy} of the judged figures moved more than ±10% between repetitions (noisy).` : '';
  if (judged.length === 0) return `No goal was judged: this run has none of the steps they need (${goals.length} goals).`;
  if (met.length === judged.length && open === 0) return `Every goal was met (${met.length} of ${goals.length}).${noise}`;
  return `${met.length} of ${judged.length} judged goals met${tail}.${noise}`;
}

export interface PollingComparison {
  readonly pollIntervalMs: number;
  readonly connections: number;
  /** Requests per second the pollers made. */
  readonly requestsPerSec: number;
  /** Polling CPU per delivered update ÷ push CPU per delivered update. */
  readonly cpuPerUpdateRatio: number | null;
  /** Polling bytes per delivered update ÷ push bytes per delivered update. */
  readonly bytesPerUpdateRatio: number | null;
  /** Polling latency p50 ÷ push latency p50 (how much staler polling is). */
  readonly p50Ratio: number | null;
  /** Requests/s polling would need for a mean staleness equal to push's p50 latency (one poll per 2×p50 per client). */
  readonly requestsPerSecForPushFreshness: number | null;
  readonly lossRate: number;
}

/** Polling rows against the push row at the same connections and event rate. */
export function comparePolling(rows: readonly Row[]): PollingComparison[] {
  const out: PollingComparison[] = [];
  // REST polling only: the WebSocket API arm also polls, and is compared in transports.ts.
  for (const poll of rows.filter((r) => isPolling(r.arm) && armSpec(r.arm).load === 'poll')) {
    const push = findRow(rows, 'push', poll.requestedConnections, poll.rate);
    const p50 = push?.latencyUs?.p50 ?? null;
    out.push({
      pollIntervalMs: poll.pollIntervalMs ?? 0,
      connections: poll.connections,
      requestsPerSec: poll.requestsPerSec ?? 0,
      cpuPerUpdateRatio: ratio(poll.serverCpuMsPer1kUpdates, push?.serverCpuMsPer1kUpdates),
      bytesPerUpdateRatio: ratio(poll.bytesPerUpdate, push?.bytesPerUpdate),
      p50Ratio: ratio(poll.latencyUs?.p50, p50),
      requestsPerSecForPushFreshness: p50 && p50 > 0 ? poll.connections / ((2 * p50) / 1e6) : null,
      lossRate: poll.lossRate,
    });
  }
  return out;
}
