// The fleet scenario in the terminal (at most 120 columns) and in report.html: the phases side by
// side, each gateway's sockets, CPU and memory, the market's and Redis's CPU per batch, and the
// projection to N cores with its formula. Pure: tested in test/bench/fleet-figures.test.ts.
import type { FleetResults, PhaseFigures, Projection } from '../fleet/figures.ts';
import { barChart, esc, lineChart } from './svg.ts';
import { fmtBytes, fmtNum, fmtPct, fmtRate } from './format.ts';
import { TABLE_WIDTH, wrap } from './table.ts';

const int = (x: number): string => Math.round(x).toLocaleString('en');
const ms = (x: number | null | undefined, digits = 3): string => (x == null ? '–' : fmtNum(x, digits));
const ratio = (a: number | null | undefined, b: number | null | undefined): string => (a != null && b != null && b > 0 ? `×${fmtNum(a / b, 3)}` : '–');
const gib = (b: number | null): string => (b === null ? '–' : fmtBytes(b));

/** The phase rows both outputs show: name, sockets, offered, delivered, loss, latency, CPU per 1k updates by role. */
function phaseCells(p: PhaseFigures, html = false): string[] {
  return [
    p.name, int(p.sockets) + (p.failed ? ` (${int(p.failed)} failed)` : ''),
    p.offeredPerSec === null ? '–' : fmtRate(p.offeredPerSec), fmtRate(p.deliveredPerSec),
    p.deliveredShare === null ? '–' : `${(p.deliveredShare * 100).toFixed(1)}%`,
    int(p.missedIds) + (html && p.missedIds ? ` (${fmtPct(p.lossRate)})` : ''),
    p.latencyMs ? (html ? `${fmtNum(p.latencyMs.p50)} / ${fmtNum(p.latencyMs.p99)}` : fmtNum(p.latencyMs.p99)) : '–',
    ms(p.cpuMsPer1k.serving), ms(p.cpuMsPer1k.haproxy), ms(p.cpuMsPer1k.market), ms(p.cpuMsPer1k.redis), ms(p.cpuMsPer1k.all),
  ];
}

const PHASE_HEAD = ['phase', 'sockets', 'offered/s', 'delivered/s', 'of offered', 'ids lost', 'p99 ms', 'serving', 'haproxy', 'market', 'redis', 'all'];
const PHASE_HEAD_HTML = PHASE_HEAD.map((h) => (h === 'p99 ms' ? 'p50 / p99 ms' : h === 'ids lost' ? 'trade ids lost' : h));

/** The largest direct phase (its gateways are the per-gateway table), and the phases at the comparison count. */
function pick(f: FleetResults) {
  const big = f.phases.filter((p) => p.setup === 'direct').sort((a, b) => b.sockets - a.sockets)[0];
  const single = f.phases.find((p) => p.setup === 'single');
  const proxied = f.phases.find((p) => p.setup === 'haproxy');
  // The smallest direct phase: the one at the side-by-side count (the only one when a run has one).
  const directCompare = f.phases.filter((p) => p.setup === 'direct').sort((a, b) => a.sockets - b.sockets)[0];
  return { big, single, proxied, directCompare };
}

/** Sentences comparing the phases at the side-by-side count. */
export function comparisons(f: FleetResults): string[] {
  const { single, proxied, directCompare } = pick(f);
  const out: string[] = [];
  if (single && directCompare && directCompare !== single) {
    out.push(`One process against the fleet at ${int(single.sockets)} sockets: ${ms(single.cpuMsPer1k.serving)} ms CPU per 1,000 updates against the gateways' ` +
      `${ms(directCompare.cpuMsPer1k.serving)} (${ratio(directCompare.cpuMsPer1k.serving, single.cpuMsPer1k.serving)}), the whole fleet's ` +
      `${ms(directCompare.cpuMsPer1k.all)} with the market and Redis (${ratio(directCompare.cpuMsPer1k.all, single.cpuMsPer1k.serving)}).`);
  }
  if (proxied && directCompare) {
    const withIt = (proxied.cpuMsPer1k.serving ?? 0) + (proxied.cpuMsPer1k.haproxy ?? 0);
    out.push(`haproxy in the path at ${int(proxied.sockets)} sockets: gateways ${ms(proxied.cpuMsPer1k.serving)} + haproxy ${ms(proxied.cpuMsPer1k.haproxy)} = ` +
      `${ms(withIt)} ms per 1,000 updates, against ${ms(directCompare.cpuMsPer1k.serving)} with the clients on the gateways directly ` +
      `(${ratio(withIt, directCompare.cpuMsPer1k.serving)}).`);
  }
  return out;
}

/** The projection's formula with its measured inputs, and where the market and Redis become the limit. */
export function projectionText(p: Projection): string[] {
  const i = p.input;
  return [
    `updates/s(N) = (N − B·m/1000 − N·B·r/(1000·G₀)) × 1,000,000 / g; sockets(N) = updates/s(N) / s — one gateway per core, the market and ` +
      `Redis take their measured share. Measured: g = ${ms(i.gatewayMsPer1k)} ms gateway CPU per 1,000 updates, s = ${fmtNum(i.updatesPerSocket)} ` +
      `updates per socket per second, B = ${fmtNum(i.batchesPerSec)} batches/s, m = ${ms(i.marketMsPerBatch)} ms market CPU per batch, ` +
      `r = ${ms(i.redisMsPerBatch)} ms redis-server CPU per batch with G₀ = ${i.gateways} gateways reading` +
      `${i.haproxyMsPer1k !== null ? `; behind haproxy g becomes g + ${ms(i.haproxyMsPer1k)}` : ''}.`,
    `One core of gateway delivers ${fmtRate(p.updatesPerCore)} updates/s${p.updatesPerCoreViaHaproxy !== null ? ` (${fmtRate(p.updatesPerCoreViaHaproxy)} behind haproxy)` : ''}. ` +
      `The market fills its core at ${fmtRate(p.marketMaxBatchesPerSec)} batches/s (${fmtNum(p.marketMaxBatchesPerSec / Math.max(i.batchesPerSec, 1e-9))} × this stream). ` +
      `Redis (one core) fills at ${fmtRate(p.redisMaxBatchesPerSec)} batches/s with ${i.gateways} gateways, or at ${fmtRate(p.redisMaxGateways)} gateways at ` +
      `${fmtNum(i.batchesPerSec)} batches/s: all of its CPU per batch is counted as growing with the gateways (it does not all), so that gateway count is a floor.`,
  ];
}

/** The terminal section. */
export function fleetLines(f: FleetResults): string[] {
  const out: string[] = [];
  const head = `Fleet (npm run fleet -- --proxy): ${int(f.sockets)} sockets over ${f.gateways} gateways, ${f.symbol}@trade at ${f.rate} orders/s, ` +
    `${Math.round(f.durationSec)} s, load average ${f.loadAverageAtStart.join(' ')} at the start, ${f.loadAverageAtEnd.join(' ')} at the end` +
    `${f.pinned ? '; servers on core 0, load on core 1' : ''}; open-files limit ${f.openFilesLimit ?? '?'}:`;
  out.push(...wrap(head, TABLE_WIDTH, 2));
  const rows = [PHASE_HEAD, ...f.phases.map((p) => phaseCells(p))];
  const widths = PHASE_HEAD.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: readonly string[]) => r.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join(' ').trimEnd();
  out.push(' '.repeat(widths.slice(0, 7).reduce((a, w) => a + w + 1, 0)) + 'CPU ms per 1,000 updates delivered');
  for (const r of rows) out.push(line(r));
  const { big } = pick(f);
  if (big) {
    out.push(...wrap(`each process at ${int(big.sockets)} sockets (RSS before any client → peak in the window; per socket: the slope of a gateway's ` +
      'peak RSS between the smallest and the largest direct phase):', TABLE_WIDTH, 2));
    for (const p of big.processes) {
      const mem = f.gatewayMemory.find((m) => m.name === p.name);
      const slope = mem ? `, ${mem.perSocketBytes === null ? `no per-socket figure (${mem.why})` : `${fmtBytes(mem.perSocketBytes)} per socket`}` : '';
      out.push(...wrap(`  ${p.name.padEnd(10)} ${p.sockets === null ? '' : `${int(p.sockets)} sockets, `}CPU ${p.cpuPct.toFixed(0)}% of a core, ${ms(p.cpuMsPer1k)} ms ` +
        `per 1k updates, RSS ${gib(p.rssBaseBytes)} → ${gib(p.rssPeakBytes)}${slope}`, TABLE_WIDTH, 13));
    }
  }
  for (const b of f.batches) {
    out.push(...wrap(`${b.role === 'redis' ? 'redis-server' : 'market'}: ${ms(b.msPerBatch)} ms CPU per batch (${int(b.batches)} batches in ${Math.round(b.spanSec)} s, ` +
      `${b.cpuPct.toFixed(1)}% of a core, over the fleet's whole run)`, TABLE_WIDTH, 4));
  }
  for (const c of comparisons(f)) out.push(...wrap(c, TABLE_WIDTH, 2));
  if (f.projection) {
    out.push(...projectionText(f.projection).flatMap((t) => wrap(t, TABLE_WIDTH, 2)));
    const s = fmtNum(f.projection.input.updatesPerSocket);
    out.push(`  cores  updates/s  sockets at ${s}/s  behind haproxy  gateway memory  Redis core`);
    for (const r of f.projection.rows) {
      out.push(`  ${String(r.cores).padStart(5)}  ${fmtRate(r.updatesPerSec).padStart(9)}  ${fmtRate(r.sockets).padStart(11 + s.length)}  ` +
        `${(r.viaHaproxy ? fmtRate(r.viaHaproxy.sockets) : '–').padStart(14)}  ${gib(r.memoryBytes).padStart(14)}  ${`${r.redisCorePct.toFixed(1)}%${r.redisBound ? ' FULL' : ''}`.padStart(10)}`);
    }
  } else if (f.projectionMissing) out.push(`no projection: ${f.projectionMissing}`);
  for (const p of f.phases) for (const note of p.notes) out.push(...wrap(`  ${p.name}: ${note}`, TABLE_WIDTH, 4));
  for (const note of f.notes) out.push(...wrap(`  ${note}`, TABLE_WIDTH, 4));
  return out.map((l) => (l.length > TABLE_WIDTH ? l.slice(0, TABLE_WIDTH - 1) + '…' : l));
}

const td = (s: string, cls = '') => `<td${cls ? ` class="${cls}"` : ''}>${s}</td>`;
const table = (head: readonly string[], body: readonly string[]) =>
  `<div class="scroll"><table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${body.join('')}</tbody></table></div>`;

/** report.html's fleet section. */
export function fleetHtml(f: FleetResults): string {
  const phaseRows = f.phases.map((p) => `<tr>${phaseCells(p, true).map((c, i) => td(esc(c), i === 0 ? 'l' : '')).join('')}<td>${esc(p.loadAverage.join(' / '))}</td></tr>`);
  const { big, single, proxied, directCompare } = pick(f);
  const procRows = (big?.processes ?? []).map((p) => {
    const mem = f.gatewayMemory.find((m) => m.name === p.name);
    const slope = !mem ? '–' : mem.perSocketBytes === null ? `– (${esc(mem.why ?? '')})` : `${fmtBytes(mem.perSocketBytes)} (${int(mem.from!.sockets)} → ${int(mem.to.sockets)} sockets: ${gib(mem.from!.rssBytes)} → ${gib(mem.to.rssBytes)})`;
    return `<tr>${td(esc(p.name), 'l')}${td(p.sockets === null ? '–' : int(p.sockets))}${td(`${p.cpuPct.toFixed(0)}%`)}` +
      `${td(ms(p.cpuMsPer1k))}${td(gib(p.rssBaseBytes))}${td(gib(p.rssPeakBytes))}${td(slope, 'l')}</tr>`;
  });
  const batchRows = f.batches.map((b) => `<tr>${td(b.role === 'redis' ? 'redis-server' : 'market', 'l')}${td(ms(b.msPerBatch))}${td(int(b.batches))}${td(`${Math.round(b.spanSec)} s`)}${td(`${b.cpuPct.toFixed(1)}%`)}</tr>`);
  const bars = [
    single && { name: 'one process', value: single.cpuMsPer1k.serving, colour: '#000000' },
    directCompare && { name: 'fleet: gateways', value: directCompare.cpuMsPer1k.serving, colour: '#0072B2' },
    directCompare && { name: 'fleet: all processes', value: directCompare.cpuMsPer1k.all, colour: '#56B4E9' },
    proxied && { name: 'haproxy: gateways', value: proxied.cpuMsPer1k.serving, colour: '#E69F00' },
    proxied && { name: 'haproxy: gateways + haproxy', value: (proxied.cpuMsPer1k.serving ?? 0) + (proxied.cpuMsPer1k.haproxy ?? 0), colour: '#D55E00' },
  ].filter((b): b is { name: string; value: number; colour: string } => !!b && b.value !== null && b.value > 0)
    .map((b) => ({ ...b, label: `${fmtNum(b.value)} ms` }));
  const at = directCompare ? `${int(directCompare.sockets)} sockets` : '';
  const cpuChart = barChart(`CPU per 1,000 delivered updates, side by side at ${at} (lower is cheaper)`, bars, 'CPU ms per 1,000 updates');
  const pr = f.projection;
  const projChart = pr
    ? lineChart(
      `Sockets an N-core machine carries at ${fmtNum(pr.input.updatesPerSocket)} updates/s each, by the measured CPU per update`,
      [
        { name: 'clients on the gateways', colour: '#0072B2', marker: 'circle' as const, points: pr.rows.map((r) => [r.cores, r.sockets] as const) },
        ...(pr.rows.some((r) => r.viaHaproxy) ? [{ name: 'through haproxy (on the same cores)', colour: '#D55E00', dash: '6 3', marker: 'square' as const, points: pr.rows.filter((r) => r.viaHaproxy).map((r) => [r.cores, r.viaHaproxy!.sockets] as const) }] : []),
      ],
      { label: 'cores', log: true, ticks: pr.rows.map((r) => [r.cores, String(r.cores)] as const) },
      { label: 'sockets', log: true, format: (v) => fmtRate(v) },
    )
    : '';
  const projRows = (pr?.rows ?? []).map((r) => `<tr>${td(String(r.cores))}${td(fmtRate(r.gatewayCores))}${td(fmtRate(r.updatesPerSec))}${td(fmtRate(r.sockets))}` +
    `${td(r.viaHaproxy ? fmtRate(r.viaHaproxy.sockets) : '–')}${td(gib(r.memoryBytes))}${td(`${r.redisCorePct.toFixed(1)}%${r.redisBound ? ' (full)' : ''}`)}</tr>`);
  const notes = [...f.phases.flatMap((p) => p.notes.map((x) => `${p.name}: ${x}`)), ...f.notes];
  return `<h2 id="fleet">Fleet: ${int(f.sockets)} sockets across ${f.gateways} gateways</h2>
<p><code>npm run fleet -- --proxy</code> (a private redis-server, the market, ${f.gateways} gateways each on its own 127.0.0.x address, haproxy in front) and one process (<code>npm start</code>), each with ${esc(f.symbol)}:${f.rate} (mean taker orders per second) and the bench's raised limits, delivering <code>${esc(f.symbol.toLowerCase())}@trade</code> to the bench's load processes (at most ${int(f.perLoad)} sockets each, each from its own source address), one phase after the other in one run of ${Math.round(f.durationSec)} s.
Load average ${esc(f.loadAverageAtStart.join(' / '))} at the start, ${esc(f.loadAverageAtEnd.join(' / '))} at the end (each phase's at its end is in the last column); ${f.pinned ? 'every server process (market, gateways, redis-server, haproxy) shares core 0, the load core 1' : 'not pinned'}; open-files limit ${f.openFilesLimit ?? '?'} per process.
Offered is the stream's trades per second (in event time, from what the clients saw) × sockets; ids lost are trade ids missing on the sockets; CPU is /proc utime + stime over the window per 1,000 updates delivered, by role ("serving": the process that writes the sockets, the lone one or the gateways; "all": every server process).</p>
${table([...PHASE_HEAD_HTML, 'load average'], phaseRows)}
<p>${comparisons(f).map(esc).join('<br>')}</p>
<div class="charts">${cpuChart}${projChart}</div>
<h3>Each process at ${big ? int(big.sockets) : '–'} sockets</h3>
<p>Sockets are each process's own count (<code>tickwire_ws_connections</code>). RSS per socket is the slope of a gateway's peak RSS between the smallest and the largest direct phase (the same process at two socket counts), as the bench states memory per connection for the arms. It is not base-subtracted: right after start-up a gateway's RSS still holds the garbage of restoring the market's snapshot, which is collected later, so with a few hundred sockets its RSS can be below its RSS before any client.</p>
${table(['process', 'sockets', 'CPU', 'CPU ms per 1k updates', 'RSS before clients', 'RSS peak', 'RSS per socket (slope)'], procRows)}
<p>The market's and Redis's CPU per batch, over the fleet's whole run (every phase; their work does not depend on the clients):</p>
${table(['process', 'CPU ms per batch', 'batches', 'over', 'of a core'], batchRows)}
<h3>What N cores would carry</h3>
${pr ? `<p>${projectionText(pr).map(esc).join('</p><p>')}</p>${table(['cores', 'gateway cores', 'updates/s', 'sockets', 'sockets through haproxy', 'gateway memory', 'Redis core'], projRows)}` : `<p class="empty">no projection: ${esc(f.projectionMissing ?? 'unknown')}</p>`}
<p>What these figures do not show: clients on other machines (here the load shares the machine, and loopback TCP's kernel work is in the processes' system time); a network between haproxy and the gateways; more symbols or streams per socket (CPU per update at another per-socket rate differs: a gateway's per-batch work is spread over fewer or more updates); haproxy at ${int(f.sockets)} sockets (one haproxy process holds two files per client, so it was measured at ${proxied ? int(proxied.sockets) : 'a smaller count'}).</p>
${notes.length ? `<ul>${notes.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>` : ''}
`;
}
