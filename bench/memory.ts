// Server memory per connection as the slope of RSS between connection counts of the same arm:
// RSS ÷ connections at 100 connections is the process's base, not the sockets'. Pure: tested in
// test/bench/repeat.test.ts.
import type { Row } from './row.ts';
import type { Arm } from './arms.ts';

export interface MemorySlope {
  readonly arm: Arm;
  readonly from: number;
  readonly to: number;
  /** (RSS at `to` − RSS at `from`) / (to − from), bytes; null when it cannot be stated (see why). */
  readonly bytesPerConnection: number | null;
  readonly why?: string;
}

/**
 * Between each pair of neighbouring connection counts of an arm's fan-out rows (same rate, raw
 * stream). Pairs run by different numbers of server processes are left out: each process adds its
 * own base. A negative slope is noise bigger than the sockets' memory, so it is not stated.
 */
export function memorySlopes(rows: readonly Row[]): MemorySlope[] {
  const byArm = new Map<string, Row[]>();
  for (const r of rows) {
    if (r.scenario !== 'fanout') continue;
    const k = `${r.arm}|${r.rate}`;
    byArm.set(k, [...(byArm.get(k) ?? []), r]);
  }
  const out: MemorySlope[] = [];
  for (const list of byArm.values()) {
    const sorted = [...list].sort((a, b) => a.connections - b.connections);
    for (let i = 1; i < sorted.length; i++) {
      const a = sorted[i - 1]!;
      const b = sorted[i]!;
      const base = { arm: b.arm, from: a.requestedConnections, to: b.requestedConnections };
      if (a.serverProcesses !== b.serverProcesses) {
        out.push({ ...base, bytesPerConnection: null, why: `${a.serverProcesses} vs ${b.serverProcesses} server processes: each adds its own base` });
        continue;
      }
      const dc = b.connections - a.connections;
      const slope = dc > 0 ? (b.serverRssBytes - a.serverRssBytes) / dc : NaN;
      if (!Number.isFinite(slope)) out.push({ ...base, bytesPerConnection: null, why: 'no more connections at the larger count' });
      else if (slope < 0) out.push({ ...base, bytesPerConnection: null, why: 'RSS fell between the counts: noise (GC, freed buffers) larger than the sockets’ memory' });
      else out.push({ ...base, bytesPerConnection: slope });
    }
  }
  return out;
}

/** The slope an arm's table row is read with: the one ending at the largest count. */
export function slopeFor(slopes: readonly MemorySlope[], arm: Arm): MemorySlope | undefined {
  return slopes.filter((s) => s.arm === arm && s.bytesPerConnection !== null).sort((a, b) => b.to - a.to)[0];
}
