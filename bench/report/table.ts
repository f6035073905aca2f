// The terminal summary, at most 120 columns: one line per step with the few figures that decide
// (headers in words over two lines), then the goals and the polling ratios, wrapped. Everything
// else is in latest.json and report.html. Tested in test/bench/table.test.ts.
import type { Results } from './header.ts';
import { closingSentence, comparePolling, deliveredShare, generatorCeiling } from './goals.ts';
import { fmtNum, fmtPct, fmtRate } from './format.ts';
import { isCalibration, isCapacity, rowLabel } from '../arms.ts';
import type { Row } from '../row.ts';
import type { Repeated, Spread } from '../repeat.ts';
import { isNoisy } from '../repeat.ts';
import { compareTransports, transportLine, transportVerdicts } from './transports.ts';

export const TABLE_WIDTH = 120;

type MergedRow = Row & { readonly repeat?: Repeated };

/** A latency to show: none below 1 µs (a clamped clock difference, or a coarse clock's 0). */
export const shownUs = (us: number | null | undefined): string => {
  if (us == null || !(us >= 1)) return '–';
  const [v, unit] = us >= 1e6 ? [us / 1e6, 's'] : us >= 1e3 ? [us / 1e3, 'ms'] : [us, 'µs'];
  return `${Number(v.toPrecision(3))} ${unit}`;
};

const pm = (s: Spread | undefined): string => (s && s.n > 1 && Number.isFinite(s.halfRange) ? ` ±${Math.round(s.halfRange * 100)}%` : '');

interface Column {
  readonly head: readonly [string, string];
  readonly left?: boolean;
  readonly cell: (r: MergedRow) => string;
}

const COLUMNS: readonly Column[] = [
  // The rate scenario's rows differ from the fan-out rows only by their order rate: say it.
  { head: ['', 'arm'], left: true, cell: (r) => rowLabel(r) + (r.scenario === 'rate' ? ` ${r.rate} orders/s` : '') },
  { head: ['connec-', 'tions'], cell: (r) => r.connections.toLocaleString('en') },
  { head: ['updates', 'per second'], cell: (r) => fmtRate(r.deliveredPerSec) + (r.clientBound ? '*' : '') + pm(r.repeat?.spread.deliveredPerSec) },
  { head: ['share of', 'offered'], cell: (r) => (isCapacity(r.arm) || isCalibration(r.arm) ? '–' : fmtPct(deliveredShare(r) ?? 0).replace(/(\.\d)\d%$/, '$1%')) },
  { head: ['probe', 'p99'], cell: (r) => shownUs(r.probeLatencyUs?.p99) + pm(r.repeat?.spread.probeP99) },
  { head: ['bulk', 'p99'], cell: (r) => shownUs(r.latencyUs?.p99) },
  { head: ['CPU ms per', '1k updates'], cell: (r) => fmtNum(r.serverCpuMsPer1kUpdates) },
  { head: ['bytes per', 'update'], cell: (r) => (r.bytesPerUpdate == null ? '–' : Math.round(r.bytesPerUpdate).toString()) },
  { head: ['', 'read with'], left: true, cell: (r) => flags(r) },
];

function flags(r: MergedRow): string {
  const f: string[] = [];
  if (r.lossRate > 0) f.push(`lost ${r.lossRate >= 0.01 ? Math.round(r.lossRate * 100) : Number((r.lossRate * 100).toPrecision(2))}%`);
  const s = r.repeat?.spread;
  if (s && (isNoisy(s.deliveredPerSec ?? null) || isNoisy(s.probeP99 ?? null))) f.push('noisy');
  return f.join(', ');
}

/** Words wrapped to `width`, continuation lines indented by `indent` spaces. */
export function wrap(text: string, width: number, indent = 4): string[] {
  const lead = /^\s*/.exec(text)![0];
  const out: string[] = [];
  let line = lead;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line.trim() && (line + ' ' + word).length > width) {
      out.push(line);
      line = ' '.repeat(indent) + word;
    } else line = line.trim() ? `${line} ${word}` : line + word;
  }
  if (line.trim()) out.push(line);
  return out.map((l) => (l.length > width ? l.slice(0, width - 1) + '…' : l));
}

export function formatTable(r: Results): string {
  const rows = r.rows as readonly MergedRow[];
  const cells = rows.map((x) => COLUMNS.map((c) => c.cell(x)));
  const widths = COLUMNS.map((c, i) => Math.max(c.head[0].length, c.head[1].length, ...cells.map((l) => l[i]!.length)));
  // The last column (what to read a row with) is free text: it is as wide as the room left, and a
  // row whose flags do not fit gets them on a line of their own below it.
  const last = COLUMNS.length - 1;
  const before = widths.slice(0, last).reduce((n, w) => n + w + 2, 0);
  widths[last] = Math.max(COLUMNS[last]!.head[1].length, Math.min(widths[last]!, TABLE_WIDTH - before));
  const line = (l: readonly string[]) => l.map((c, i) => (COLUMNS[i]!.left ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const body = cells.flatMap((l) => {
    const one = line(l);
    if (one.length <= TABLE_WIDTH) return [one];
    return [line([...l.slice(0, last), '']), ...wrap(`${' '.repeat(before)}${l[last]}`, TABLE_WIDTH, before)];
  });
  const out: string[] = [
    line(COLUMNS.map((c) => c.head[0])),
    line(COLUMNS.map((c) => c.head[1])),
    widths.map((w) => '-'.repeat(w)).join('  ').trimEnd(),
    ...body,
  ].map((l) => (l.length > TABLE_WIDTH ? l.slice(0, TABLE_WIDTH - 1) + '…' : l));
  const rep = r.repeat > 1 ? `medians of ${r.repeat} runs, ± half their range; ` : '';
  out.push(...wrap(`(${rep}* client-bound: the load generator set the pace, the rate is a floor for the server; probe p99: three connections in their own process, on which the latency goal is judged; bulk p99: every other connection, read by the load generator in turn. Breakdown, memory slopes and the rest: report.html.)`, TABLE_WIDTH, 1));
  const ceiling = generatorCeiling(r.rows);
  if (ceiling) out.push(...wrap(`Generator ceiling (calibration): one load process reads, parses and sequence-checks up to ${fmtRate(ceiling)} updates per second of its own CPU.`, TABLE_WIDTH, 1));
  out.push('', ...wrap(`goals (${r.machine.cpuModel} × ${r.machine.cores}, load average ${r.machine.loadAverage.join(' ')}, ${r.date}, commit ${r.commit}):`, TABLE_WIDTH));
  for (const g of r.goals) {
    const mark = g.met === null ? 'n/a ' : g.met ? 'MET ' : 'MISS';
    const spread = g.spread && g.spread.n > 1 ? ` (${fmtNum(g.spread.min)}–${fmtNum(g.spread.max)} over ${g.spread.n} runs${g.noisy ? ', NOISY' : ''})` : '';
    out.push(...wrap(`  [${mark}] ${g.text}: ${fmtNum(g.measured)}${spread}, target ${g.target}${g.note ? ` — ${g.note}` : ''}`, TABLE_WIDTH, 9));
  }
  const polls = comparePolling(r.rows);
  if (polls.length) {
    out.push('', 'polling against push (same connections, same event rate):');
    for (const p of polls) {
      out.push(...wrap(`  every ${p.pollIntervalMs} ms: ${fmtRate(p.requestsPerSec)} req/s, CPU/update ×${fmtNum(p.cpuPerUpdateRatio)}, bytes/update ×${fmtNum(p.bytesPerUpdateRatio)}, ` +
        `p50 latency ×${fmtNum(p.p50Ratio)}, missed ${fmtPct(p.lossRate)}; push's freshness by polling needs ${p.requestsPerSecForPushFreshness ? fmtRate(p.requestsPerSecForPushFreshness) : '–'} req/s`, TABLE_WIDTH));
    }
  }
  const transports = compareTransports(r.rows);
  if (transports.length) {
    out.push('', 'other transports against push (same connections, same event rate asked):');
    for (const c of transports) out.push(...wrap(`  ${transportLine(c)}`, TABLE_WIDTH, 4));
    for (const v of transportVerdicts(transports)) out.push(...wrap(`  ${v}`, TABLE_WIDTH, 4));
  }
  out.push('', ...wrap(closingSentence(r.goals), TABLE_WIDTH, 0));
  for (const f of r.failures) out.push(...wrap(`FAILED ${f.step}: ${f.error.slice(0, 300)}`, TABLE_WIDTH));
  return out.join('\n');
}
