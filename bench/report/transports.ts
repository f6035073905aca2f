// Each other transport against push: Server-Sent Events, long-polling and the WebSocket API rows
// beside the push row at the same connections and asked-for event rate, and one verdict line per
// transport saying where it stands (delivered share, loss, latency, server CPU and bytes per update),
// flagged where the two rows did not in fact run at one event rate.
import { armSpec, rowLabel, type Arm } from '../arms.ts';
import type { Row } from '../row.ts';
import { deliveredShare, findRow, ratio } from './goals.ts';

/** The arms compared with push here: the stream transports and the WebSocket API (loads other than push's own). */
const TRANSPORT_LOADS = new Set(['sse', 'long-poll', 'ws-api']);
export const isTransportArm = (arm: Arm): boolean => TRANSPORT_LOADS.has(armSpec(arm).load);

export interface TransportComparison {
  readonly arm: Arm;
  /** Arm and variant, e.g. `ws-api every 100 ms`. */
  readonly label: string;
  readonly connections: number;
  /** Share of offered updates delivered, this arm and push. */
  readonly share: number | null;
  readonly pushShare: number | null;
  readonly lossRate: number;
  readonly p50Us: number | null;
  readonly p99Us: number | null;
  readonly pushP50Us: number | null;
  readonly pushP99Us: number | null;
  /** Trades per second on the stream in each row: the same rate was asked of both. */
  readonly eventsPerSec: number;
  readonly pushEventsPerSec: number | null;
  /**
   * The two rows' event rates differ by more than a quarter: a server whose core is full starves the
   * market in its own process, which then falls behind its schedule, so the per-update figures are
   * not compared at one rate (and "of offered" cannot show it: it is measured against that rate).
   */
  readonly rateDiffers: boolean;
  /** This arm ÷ push. */
  readonly cpuPerUpdateRatio: number | null;
  readonly bytesPerUpdateRatio: number | null;
}

/** Transport rows against the push row at the same connections and event rate (raw stream). */
export function compareTransports(rows: readonly Row[]): TransportComparison[] {
  return rows.filter((r) => isTransportArm(r.arm)).map((r) => {
    const push = findRow(rows, 'push', r.requestedConnections, r.rate);
    return {
      arm: r.arm,
      label: rowLabel(r),
      connections: r.connections,
      share: deliveredShare(r),
      pushShare: push ? deliveredShare(push) : null,
      lossRate: r.lossRate,
      p50Us: r.latencyUs?.p50 ?? null,
      p99Us: r.latencyUs?.p99 ?? null,
      pushP50Us: push?.latencyUs?.p50 ?? null,
      pushP99Us: push?.latencyUs?.p99 ?? null,
      eventsPerSec: r.eventsPerSec,
      pushEventsPerSec: push?.eventsPerSec ?? null,
      rateDiffers: push !== undefined && Math.abs(r.eventsPerSec - push.eventsPerSec) > 0.25 * Math.max(r.eventsPerSec, push.eventsPerSec),
      cpuPerUpdateRatio: ratio(r.serverCpuMsPer1kUpdates, push?.serverCpuMsPer1kUpdates),
      bytesPerUpdateRatio: ratio(r.bytesPerUpdate, push?.bytesPerUpdate),
    };
  });
}

const ms = (us: number | null): string => (us === null ? '–' : `${(us / 1000).toFixed(us < 10_000 ? 2 : 0)} ms`);
const x = (v: number | null): string => (v === null ? '–' : `×${v >= 10 ? v.toFixed(0) : v.toFixed(2)}`);
const pct = (v: number | null): string => (v === null ? '–' : `${(v * 100).toFixed(1)}%`);

const rate = (v: number): string => v.toFixed(v < 10 ? 1 : 0);

/** One line per compared row: the figures, this transport first, push in brackets. */
export function transportLine(c: TransportComparison): string {
  return `${c.label} at ${c.connections} conns: delivered ${pct(c.share)} of offered (push ${pct(c.pushShare)}), loss ${pct(c.lossRate)}, ` +
    `p50 ${ms(c.p50Us)} (push ${ms(c.pushP50Us)}), p99 ${ms(c.p99Us)} (push ${ms(c.pushP99Us)}), ` +
    `server CPU per update ${x(c.cpuPerUpdateRatio)} push's, bytes per update ${x(c.bytesPerUpdateRatio)} push's` +
    (c.rateDiffers ? `; NOT AT ONE EVENT RATE: ${rate(c.eventsPerSec)} trades/s here, ${rate(c.pushEventsPerSec!)} in push's row (a full core slows the market in the same process)` : '');
}

/** `×a at 100, ×b at 1000 conns`: one figure per connection count, never averaged across counts (the arms scale differently). */
const perCount = (list: readonly TransportComparison[], f: (c: TransportComparison) => number | null): string => {
  const parts = list.map((c) => `${x(f(c))} at ${c.connections}`);
  return list.length > 1 ? `${parts.join(', ')} conns` : `${x(f(list[0]!))}`;
};

/**
 * Where each transport stands against push on this run: per arm, its ratios to push at each
 * connection count that has a push row beside it, and whether it lost anything. Figures only, read from the rows.
 */
export function transportVerdicts(list: readonly TransportComparison[]): string[] {
  const arms = [...new Set(list.map((c) => c.arm))];
  return arms.flatMap((arm) => {
    const mine = list.filter((c) => c.arm === arm && c.pushP50Us !== null);
    if (mine.length === 0) return [`${arm}: no push row at the same connections and rate in this run, nothing to compare.`];
    const lost = Math.max(...mine.map((c) => c.lossRate));
    const conns = [...new Set(mine.map((c) => c.connections))].join(', ');
    const apart = mine.filter((c) => c.rateDiffers).map((c) => c.connections);
    return [
      `${arm} against push (${conns} conns): ${lost > 0 ? `lost up to ${pct(lost)}` : 'lost nothing'}; ` +
        `latency p50 ${perCount(mine, (c) => (c.p50Us !== null && c.pushP50Us ? c.p50Us / c.pushP50Us : null))}, ` +
        `server CPU per update ${perCount(mine, (c) => c.cpuPerUpdateRatio)}, bytes per update ${perCount(mine, (c) => c.bytesPerUpdateRatio)} push's` +
        (apart.length ? ` (at ${apart.join(', ')} conns not at push's event rate: see above).` : '.'),
    ];
  });
}
