// The fleet scenario in the terminal (at most 120 columns) and in report.html: the phases side by
// side, each process's sockets, CPU and memory, the market's and Redis's CPU per batch, and the
// projection to N cores with its formula. Pure: tested in test/bench/fleet-figures.test.ts.
import type { FleetResults, PhaseFigures, Projection } from '../fleet/figures.ts';
import { barChart, esc, lineChart } from './svg.ts';
import { fmtBytes, fmtNum, fmtPct, fmtRate } from './format.ts';
import { TABLE_WIDTH, wrap } from './table.ts';

const int = (x: number): string => Math.round(x).toLocaleString('en');
const ms = (x: number | null | undefined, digits = 3): string => (x == null ? '–' : fmtNum(x, digits));
const ratio = (a: number | null | undefined, b: number | null | undefined): string => (a != null && b != null && b > 0 ? `×${fmtNum(a / b, 3)}` : '–');
const bytes = (b: number | null | undefined): string => (b == null ? '–' : fmtBytes(b));
const pct = (x: number | null | undefined): string => (x == null ? '–' : `${x.toFixed(x < 10 ? 1 : 0)}%`);

/** One phase as a table row: sockets, offered, delivered, loss, latency, CPU per 1,000 updates (as measured and above idle). */
function phaseCells(p: PhaseFigures, html = false): string[] {
  return [
    p.name, int(p.sockets) + (p.failed ? ` (${int(p.failed)} failed)` : ''),
    p.offeredPerSec === null ? '–' : fmtRate(p.offeredPerSec) + (p.tradesPerSecFrom === 'clients' ? '?' : ''), fmtRate(p.deliveredPerSec),
    p.deliveredShare === null ? '–' : `${(p.deliveredShare * 100).toFixed(1)}%`,
    int(p.missedIds) + (html && p.missedIds ? ` (${fmtPct(p.lossRate)})` : ''),
    p.latencyMs ? (html ? `${fmtNum(p.latencyMs.p50)} / ${fmtNum(p.latencyMs.p99)}` : fmtNum(p.latencyMs.p99)) : '–',
    ms(p.cpuMsPer1k.serving), ms(p.cpuMsPer1k.all), ms(p.cpuMsPer1kAboveIdle.serving), ms(p.cpuMsPer1kAboveIdle.haproxy),
  ];
}

const PHASE_HEAD = ['phase', 'sockets', 'offered/s', 'delivered/s', 'of offered', 'ids lost', 'p99 ms', 'serving', 'all', 'serving', 'haproxy'];
const PHASE_HEAD_HTML = ['phase', 'sockets', 'offered updates/s', 'delivered updates/s', 'of offered', 'trade ids lost', 'p50 / p99 ms',
  'CPU ms per 1k: serving', 'all processes', 'above idle: serving', 'above idle: haproxy'];

/** The largest direct phase, and the phases at the side-by-side count. */
function pick(f: FleetResults) {
  const direct = f.phases.filter((p) => p.setup === 'direct').sort((a, b) => a.sockets - b.sockets);
  return { big: direct.at(-1), directCompare: direct[0], single: f.phases.find((p) => p.setup === 'single'), proxied: f.phases.find((p) => p.setup === 'haproxy') };
}

/** Sentences comparing the phases at the side-by-side count. */
export function comparisons(f: FleetResults): string[] {
  const { single, proxied, directCompare } = pick(f);
  const out: string[] = [];
  if (single && directCompare) {
    out.push(`One process against the fleet at ${int(single.sockets)} sockets, CPU ms per 1,000 updates: one process ${ms(single.cpuMsPer1k.serving)}, ` +
      `the gateways ${ms(directCompare.cpuMsPer1k.serving)} (${ratio(directCompare.cpuMsPer1k.serving, single.cpuMsPer1k.serving)}), the whole fleet ` +
      `${ms(directCompare.cpuMsPer1k.all)} (${ratio(directCompare.cpuMsPer1k.all, single.cpuMsPer1k.serving)}); above each process's idle CPU: one process ` +
      `${ms(single.cpuMsPer1kAboveIdle.serving)}, the gateways ${ms(directCompare.cpuMsPer1kAboveIdle.serving)} ` +
      `(${ratio(directCompare.cpuMsPer1kAboveIdle.serving, single.cpuMsPer1kAboveIdle.serving)}).`);
  }
  if (proxied && directCompare) {
    const sum = (p: PhaseFigures, k: 'cpuMsPer1k' | 'cpuMsPer1kAboveIdle') => (p[k].serving === null ? null : p[k].serving + (p[k].haproxy ?? 0));
    out.push(`haproxy in the path at ${int(proxied.sockets)} sockets, CPU ms per 1,000 updates: gateways ${ms(proxied.cpuMsPer1k.serving)} + haproxy ` +
      `${ms(proxied.cpuMsPer1k.haproxy)} = ${ms(sum(proxied, 'cpuMsPer1k'))} against ${ms(directCompare.cpuMsPer1k.serving)} with the clients on the gateways ` +
      `(${ratio(sum(proxied, 'cpuMsPer1k'), directCompare.cpuMsPer1k.serving)}); above idle ${ms(proxied.cpuMsPer1kAboveIdle.serving)} + ` +
      `${ms(proxied.cpuMsPer1kAboveIdle.haproxy)} = ${ms(sum(proxied, 'cpuMsPer1kAboveIdle'))} against ${ms(directCompare.cpuMsPer1kAboveIdle.serving)} ` +
      `(${ratio(sum(proxied, 'cpuMsPer1kAboveIdle'), directCompare.cpuMsPer1kAboveIdle.serving)}).`);
  }
  return out;
}

/** The projection's formula with its measured inputs, and where the market and Redis become the limit. */
export function projectionText(p: Projection): string[] {
  const i = p.input;
  return [
    'updates/s(N) = (N − B·m/1000 − N·B·r/(1000·G₀) − N·a) × 1,000,000 / b, sockets(N) = updates/s(N) / s: one gateway per core; the market, Redis ' +
      `and each gateway's idle work take their measured share. Measured: b = ${ms(i.gatewayMsPer1k)} ms gateway CPU per 1,000 updates above idle, ` +
      `a = ${fmtNum(i.gatewayIdleCores * 100)}% of a core per gateway with no client, s = ${fmtNum(i.updatesPerSocket)} updates per socket per second ` +
      `(${i.updatesPerSocketFrom === 'run' ? "the stream's mean over the fleet's run" : "the largest phase's window"}), ` +
      `B = ${fmtNum(i.batchesPerSec)} batches/s, m = ${ms(i.marketMsPerBatch)} ms market CPU per batch, r = ${ms(i.redisMsPerBatch)} ms redis-server CPU ` +
      `per batch with G₀ = ${i.gateways} gateways reading${i.haproxyMsPer1k !== null ? `; behind haproxy b becomes b + ${ms(i.haproxyMsPer1k)}` : ''}.`,
    `One core of gateway work delivers ${fmtRate(p.updatesPerCore)} updates/s${p.updatesPerCoreViaHaproxy !== null ? ` (${fmtRate(p.updatesPerCoreViaHaproxy)} behind haproxy)` : ''}. ` +
      `The market fills its one core at ${fmtRate(p.marketMaxBatchesPerSec)} batches/s (${fmtNum(p.marketMaxBatchesPerSec / Math.max(i.batchesPerSec, 1e-9))} × this stream's). ` +
      `Redis fills its one core at ${fmtRate(p.redisMaxBatchesPerSec)} batches/s with ${i.gateways} gateways reading, or at ${fmtRate(p.redisMaxGateways)} gateways at ` +
      `${fmtNum(i.batchesPerSec)} batches/s: all of its CPU per batch is counted as growing with the gateways (the append does not), so that count is a floor.`,
  ];
}

/** Columns of a small fixed-width table, the first left-aligned. */
function columns(rows: readonly (readonly string[])[], indent = 0): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => ' '.repeat(indent) + r.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join('  ').trimEnd());
}

/** The terminal section. */
export function fleetLines(f: FleetResults): string[] {
  const out: string[] = [];
  out.push(...wrap(`Fleet (npm run fleet -- --proxy): ${int(f.sockets)} sockets over ${f.gateways} gateways, ${f.symbol}@trade at ${f.rate} orders/s, ` +
    `${Math.round(f.durationSec)} s, load average ${f.loadAverageAtStart.join(' ')} at the start, ${f.loadAverageAtEnd.join(' ')} at the end` +
    `${f.pinned ? '; servers on core 0, load on core 1' : ''}; open-files limit ${f.openFilesLimit ?? '?'}.`, TABLE_WIDTH, 2));
  out.push('  (last four columns: CPU ms per 1,000 updates, serving and all processes as measured, then serving and haproxy above idle)');
  out.push(...columns([PHASE_HEAD, ...f.phases.map((p) => phaseCells(p))]));
  const busy = f.phases.filter((p) => p.cores).map((p) => `${p.name} ${p.cores!.serverBusyPct.toFixed(0)}% / ${p.cores!.loadBusyPct.toFixed(0)}%`);
  if (busy.length) out.push(...wrap(`  core 0 (servers) / core 1 (load) busy in the window, every process on them: ${busy.join('; ')}`, TABLE_WIDTH, 4));
  const { big } = pick(f);
  if (big) {
    out.push(`each process at ${int(big.sockets)} sockets (RSS per socket: a gateway's slope over 0, ¼ and all of its sockets):`);
    const rows = [['', 'sockets', 'CPU', 'idle CPU', 'ms per 1k', 'above idle', 'RSS no clients', 'RSS peak', 'RSS per socket'], ...big.processes.map((p) => {
      const mem = f.gatewayMemory.find((m) => m.name === p.name);
      const perSocket = !mem ? '' : mem.perSocketBytes !== null ? bytes(mem.perSocketBytes) : mem.ceilingPerSocketBytes !== null ? `≤ ${bytes(mem.ceilingPerSocketBytes)}` : '–';
      return [p.name, p.sockets === null ? '' : int(p.sockets), pct(p.cpuPct), pct(p.idlePct), ms(p.cpuMsPer1k), ms(p.cpuMsPer1kAboveIdle),
        bytes(p.rssBaseBytes), bytes(p.rssPeakBytes), perSocket];
    })];
    out.push(...columns(rows, 2));
    for (const m of f.gatewayMemory) {
      if (m.why) out.push(...wrap(`  ${m.name}: no RSS per socket (${m.why}; RSS at ${m.steps.map((x) => `${int(x.sockets)} sockets ${bytes(x.rssBytes)}`).join(', ')}); ≤ shows peak RSS ÷ sockets, a ceiling`, TABLE_WIDTH, 4));
    }
  }
  for (const b of f.batches) {
    out.push(...wrap(`${b.role === 'redis' ? 'redis-server' : 'market'}: ${ms(b.msPerBatch)} ms CPU per batch (${int(b.batches)} batches in ${Math.round(b.spanSec)} s ` +
      `while the fleet ran, ${pct(b.cpuPct)} of a core)`, TABLE_WIDTH, 4));
  }
  for (const c of comparisons(f)) out.push(...wrap(c, TABLE_WIDTH, 2));
  if (f.projection) {
    out.push(...projectionText(f.projection).flatMap((t) => wrap(t, TABLE_WIDTH, 2)));
    const s = fmtNum(f.projection.input.updatesPerSocket);
    out.push(...columns([['cores', 'updates/s', `sockets at ${s}/s`, 'behind haproxy', 'gateway RSS', 'Redis core'], ...f.projection.rows.map((r) => [
      String(r.cores), fmtRate(r.updatesPerSec), fmtRate(r.sockets), r.viaHaproxy ? fmtRate(r.viaHaproxy.sockets) : '–', bytes(r.memoryBytes),
      `${r.redisCorePct.toFixed(1)}%${r.redisBound ? ' FULL' : ''}`,
    ])], 2));
  } else if (f.projectionMissing) out.push(`no projection: ${f.projectionMissing}`);
  for (const p of f.phases) for (const note of p.notes) out.push(...wrap(`  ${p.name}: ${note}`, TABLE_WIDTH, 4));
  for (const note of f.notes) out.push(...wrap(`  ${note}`, TABLE_WIDTH, 4));
  for (const x of f.failures) out.push(...wrap(`  FAILED ${x.phase}: ${x.error.slice(0, 400)}`, TABLE_WIDTH, 4));
  return out.map((l) => (l.length > TABLE_WIDTH ? l.slice(0, TABLE_WIDTH - 1) + '…' : l));
}

const td = (s: string, cls = '') => `<td${cls ? ` class="${cls}"` : ''}>${s}</td>`;
const table = (head: readonly string[], body: readonly string[]) =>
  `<div class="scroll"><table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${body.join('')}</tbody></table></div>`;

/** The side-by-side chart: CPU per 1,000 updates of each setup, as measured and above idle. */
function cpuChart(f: FleetResults): string {
  const { single, proxied, directCompare } = pick(f);
  const bar = (name: string, v: number | null | undefined, colour: string) => (v != null && v > 0 ? [{ name, value: v, label: `${fmtNum(v)} ms`, colour }] : []);
  const withProxy = (p: PhaseFigures | undefined, k: 'cpuMsPer1k' | 'cpuMsPer1kAboveIdle') => (p && p[k].serving !== null ? p[k].serving + (p[k].haproxy ?? 0) : null);
  const bars = [
    ...bar('one process', single?.cpuMsPer1k.serving, '#000000'),
    ...bar('fleet: gateways', directCompare?.cpuMsPer1k.serving, '#0072B2'),
    ...bar('fleet: all processes', directCompare?.cpuMsPer1k.all, '#56B4E9'),
    ...bar('haproxy: gateways + haproxy', withProxy(proxied, 'cpuMsPer1k'), '#D55E00'),
    ...bar('one process, above idle', single?.cpuMsPer1kAboveIdle.serving, '#000000'),
    ...bar('fleet: gateways, above idle', directCompare?.cpuMsPer1kAboveIdle.serving, '#0072B2'),
    ...bar('haproxy: both, above idle', withProxy(proxied, 'cpuMsPer1kAboveIdle'), '#D55E00'),
  ];
  return barChart(`CPU per 1,000 delivered updates side by side at ${directCompare ? int(directCompare.sockets) : '–'} sockets (lower is cheaper)`, bars, 'CPU ms per 1,000 updates');
}

function projectionChart(p: Projection): string {
  return lineChart(
    `Sockets an N-core machine would carry at ${fmtNum(p.input.updatesPerSocket)} updates/s each, by the measured CPU`,
    [
      { name: 'clients on the gateways', colour: '#0072B2', marker: 'circle', points: p.rows.map((r) => [r.cores, r.sockets] as const) },
      ...(p.rows.some((r) => r.viaHaproxy) ? [{ name: 'through haproxy (on the same cores)', colour: '#D55E00', dash: '6 3', marker: 'square' as const, points: p.rows.filter((r) => r.viaHaproxy).map((r) => [r.cores, r.viaHaproxy!.sockets] as const) }] : []),
    ],
    { label: 'cores', log: true, ticks: p.rows.map((r) => [r.cores, String(r.cores)] as const) },
    { label: 'sockets', log: true, format: (v) => fmtRate(v) },
  );
}

/** report.html's fleet section. */
export function fleetHtml(f: FleetResults): string {
  const { big, proxied } = pick(f);
  const phaseRows = f.phases.map((p) => `<tr>${phaseCells(p, true).map((c, i) => td(esc(c), i === 0 ? 'l' : '')).join('')}` +
    `${td(p.cores ? `${p.cores.serverBusyPct.toFixed(0)}% / ${p.cores.loadBusyPct.toFixed(0)}%` : '–')}${td(`${p.loadCpuPct.toFixed(0)}%`)}<td>${esc(p.loadAverage.join(' / '))}</td></tr>`);
  const procRows = (big?.processes ?? []).map((p) => {
    const mem = f.gatewayMemory.find((m) => m.name === p.name);
    const steps = mem ? mem.steps.map((x) => `${int(x.sockets)}: ${bytes(x.rssBytes)}`).join(', ') : '';
    const ceiling = mem?.ceilingPerSocketBytes != null ? `; at most ${fmtBytes(mem.ceilingPerSocketBytes)}: peak RSS ÷ sockets` : '';
    const slope = !mem ? '–' : mem.perSocketBytes === null ? `– (${esc(mem.why ?? '')}; ${steps}${ceiling})` : `${fmtBytes(mem.perSocketBytes)} (${steps})`;
    return `<tr>${td(esc(p.name), 'l')}${td(p.sockets === null ? '–' : int(p.sockets))}${td(pct(p.cpuPct))}${td(pct(p.idlePct))}` +
      `${td(ms(p.cpuMsPer1k))}${td(ms(p.cpuMsPer1kAboveIdle))}${td(bytes(p.rssBaseBytes))}${td(bytes(p.rssPeakBytes))}${td(slope, 'l')}</tr>`;
  });
  const batchRows = f.batches.map((b) => `<tr>${td(b.role === 'redis' ? 'redis-server' : 'market', 'l')}${td(ms(b.msPerBatch))}${td(int(b.batches))}${td(`${Math.round(b.spanSec)} s`)}${td(pct(b.cpuPct))}</tr>`);
  const pr = f.projection;
  const projRows = (pr?.rows ?? []).map((r) => `<tr>${td(String(r.cores))}${td(fmtNum(r.gatewayCores))}${td(fmtRate(r.updatesPerSec))}${td(fmtRate(r.sockets))}` +
    `${td(r.viaHaproxy ? fmtRate(r.viaHaproxy.sockets) : '–')}${td(bytes(r.memoryBytes))}${td(`${r.redisCorePct.toFixed(1)}%${r.redisBound ? ' (full)' : ''}`)}</tr>`);
  const notes = [...f.failures.map((x) => `FAILED ${x.phase}: ${x.error}`), ...f.phases.flatMap((p) => p.notes.map((x) => `${p.name}: ${x}`)), ...f.notes];
  return `<h2 id="fleet">Fleet: ${int(f.sockets)} sockets across ${f.gateways} gateways</h2>
<p><code>npm run fleet -- --proxy</code> (a private redis-server, the market, ${f.gateways} gateways each on its own 127.0.0.x address, haproxy in front) and one process (<code>npm start</code>), each with ${esc(f.symbol)}:${f.rate} (mean taker orders per second) and the bench's raised limits, delivering <code>${esc(f.symbol.toLowerCase())}@trade</code> to the bench's load processes (at most ${int(f.perLoad)} sockets each, each from its own source address), one phase after the other in one run of ${Math.round(f.durationSec)} s.
Load average ${esc(f.loadAverageAtStart.join(' / '))} at the start, ${esc(f.loadAverageAtEnd.join(' / '))} at the end (each phase's at its end is in the last column); ${f.pinned ? 'every server process (market, gateways, redis-server, haproxy) shares core 0, the load core 1' : 'not pinned'}; open-files limit ${f.openFilesLimit ?? '?'} per process.</p>
<p>Offered is the trades the market published in the window (the newest trade id over REST at its start and end; "?" when it came from the clients' event times) × sockets; trade ids lost are ids missing on the sockets (skipped, or owed by a socket the server closed). CPU is each process's run time over the window (the scheduler's, summed over its threads: /proc/&lt;pid&gt;/task/*/schedstat, to the nanosecond) per 1,000 updates delivered: "serving" is the process that writes the sockets (the lone one, or the gateways), "all" every server process. "Above idle" takes off what each process spends with no client (measured over ${f.idleSec} s before the first phase of each setup): applying the market's batches, timers, health checks.</p>
${table([...PHASE_HEAD_HTML, 'core 0 / core 1 busy', 'load processes CPU', 'load average'], phaseRows)}
<p>${comparisons(f).map(esc).join('<br>')}</p>
<div class="charts">${cpuChart(f)}${pr ? projectionChart(pr) : ''}</div>
<h3>Each process at ${big ? int(big.sockets) : '–'} sockets</h3>
<p>Sockets are each process's own count (<code>tickwire_ws_connections</code>). RSS per socket is the least-squares slope of a gateway's RSS over three steps of this phase: none of its clients, a first wave (a quarter of its sockets), all of them (the lowest RSS over 2 s at each step; sockets: RSS in brackets), as the bench states memory per connection for the arms. It is not base-subtracted: right after start-up a gateway's RSS still holds the garbage of restoring the market's snapshot, collected later, so with a few thousand sockets its RSS can be below its RSS before any client.</p>
${table(['process', 'sockets', 'CPU', 'idle CPU', 'CPU ms per 1k updates', 'above idle', 'RSS before clients', 'RSS peak', 'RSS per socket (slope)'], procRows)}
<p>The market's and Redis's CPU per batch while the fleet ran (its idle window and every phase; their work does not depend on the clients):</p>
${table(['process', 'CPU ms per batch', 'batches', 'over', 'of a core'], batchRows)}
<h3>What N cores would carry</h3>
${pr ? `<p>${projectionText(pr).map(esc).join('</p><p>')}</p>${table(['cores', 'gateway cores for updates', 'updates/s', 'sockets', 'sockets through haproxy', 'gateway RSS', 'Redis core'], projRows)}` : `<p class="empty">no projection: ${esc(f.projectionMissing ?? 'unknown')}</p>`}
<p>What these figures do not show: clients on other machines (here the load shares the machine, and loopback TCP's kernel work lands in the processes' system time); a network between haproxy and the gateways; more symbols or streams per socket (CPU per update is measured at this stream's rate: at other rates a gateway's per-batch work is spread over more or fewer updates); haproxy at ${int(f.sockets)} sockets (one haproxy process holds two files per client, so it was measured at ${proxied ? int(proxied.sockets) : 'a smaller count'}).</p>
${notes.length ? `<ul>${notes.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>` : ''}
`;
}
