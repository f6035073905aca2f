// The fleet's process table as text: one row per process (role, pid, address, ready, detail).
import type { Health } from './role-process.ts';

export interface TableRow {
  readonly role: string;
  readonly pid: number | undefined;
  /** Where clients (or the gateways, for Redis) reach it. */
  readonly address: string;
  /** Where its own /healthz and /metrics answer, when that is not `address`. */
  readonly admin?: string | undefined;
  readonly ready: boolean;
  /** Short state: "caught up, lag 0 events / 2 ms", "starting", "exited (SIGKILL), restarting"… */
  readonly detail: string;
}

const HEADER = ['role', 'pid', 'address', 'admin (/healthz, /metrics)', 'ready', 'detail'];

export function renderTable(rows: readonly TableRow[]): string {
  const cells = rows.map((r) => [r.role, r.pid === undefined ? '-' : String(r.pid), r.address, r.admin ?? '-', r.ready ? 'yes' : 'no', r.detail]);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) => c.map((x, i) => (i === c.length - 1 ? x : x.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(HEADER), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** A /healthz answer in a few words: status, and lag when the body reports it. */
export function describeHealth(h: Health): string {
  if (h.status === 0) return `no answer (${h.error ?? 'unknown'})`;
  const b = h.body ?? {};
  const lagEvents = b.lagEvents;
  const lagMs = b.lagMs;
  const lag = typeof lagEvents === 'number' || typeof lagMs === 'number' ? `, lag ${String(lagEvents ?? '?')} events / ${String(lagMs ?? '?')} ms` : '';
  const state = typeof b.status === 'string' ? ` ${b.status}` : '';
  return `/healthz ${h.status}${state}${lag}`;
}
