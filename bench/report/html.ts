// report.html: one self-contained page: the verdicts first, then where latency goes (probes, bulk,
// the server's breakdown), the charts, memory per connection, polling against push, every row.
// Fits a 1280 px screen and a 390 px phone: tables scroll inside their own box, charts scale.
import type { Results } from './header.ts';
import type { Row } from '../row.ts';
import { closingSentence, comparePolling, deliveredShare, generatorCeiling } from './goals.ts';
import { barChart, esc, lineChart, type Series } from './svg.ts';
import { fmtBytes, fmtNum, fmtPct, fmtRate } from './format.ts';
import { armSpec, isCalibration, isCapacity, rowLabel, type Arm } from '../arms.ts';
import { shownUs } from './table.ts';
import type { Repeated, Spread } from '../repeat.ts';
import type { PartSummary } from '../breakdown.ts';
import { compareTransports, transportLine, transportVerdicts } from './transports.ts';
import { fleetHtml } from './fleet.ts';

type MergedRow = Row & { readonly repeat?: Repeated };

/** x position of a percentile on a "nines" axis: p50 → 0.3, p90 → 1, p99 → 2, p99.9 → 3; max at 5. */
export const nines = (p: number): number => (p >= 100 ? 5 : -Math.log10(1 - p / 100));

const style = (arm: Arm) => ({ colour: armSpec(arm).colour, dash: armSpec(arm).dash, marker: armSpec(arm).marker });

/** One line per arm over the fan-out rows, in the arm's colour, dash and marker. */
const fanoutSeries = (rows: readonly Row[], y: (r: Row) => number | null): Series[] => {
  const byArm = new Map<Arm, Row[]>();
  for (const r of rows) if (r.scenario === 'fanout' && y(r) !== null) byArm.set(r.arm, [...(byArm.get(r.arm) ?? []), r]);
  return [...byArm].map(([arm, armRows]) => ({
    name: armSpec(arm).label,
    ...style(arm),
    points: armRows.sort((a, b) => a.connections - b.connections).map((r) => [r.connections, y(r)!] as const),
  }));
};

/** The rows the latency and bytes charts compare: every arm at the same point (most often 1,000 connections, 100/s). */
function comparisonRows(rows: readonly Row[]): Row[] {
  const counts = new Map<number, number>();
  rows = rows.filter((r) => !isCalibration(r.arm));
  for (const r of rows) if (!isCapacity(r.arm)) counts.set(r.requestedConnections, (counts.get(r.requestedConnections) ?? 0) + 1);
  const conns = [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]?.[0];
  const rate = rows.find((r) => r.requestedConnections === conns)?.rate;
  return rows.filter((r) => !isCapacity(r.arm) && r.requestedConnections === conns && r.rate === rate);
}

const td = (s: string, cls = '') => `<td${cls ? ` class="${cls}"` : ''}>${s}</td>`;
const table = (head: readonly string[], body: readonly string[]) =>
  `<div class="scroll"><table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${body.join('')}</tbody></table></div>`;
const pm = (s: Spread | undefined) => (s && s.n > 1 && Number.isFinite(s.halfRange) ? ` <span class="pm">±${Math.round(s.halfRange * 100)}%</span>` : '');
const part = (p: PartSummary | null | undefined) => (p ? `${shownUs(p.p50Us)} / ${shownUs(p.p99Us)}` : '–');
const name = (r: Row) => `${esc(rowLabel(r))} · ${r.connections.toLocaleString('en')} conns · ${r.rate}/s`;

export function renderHtml(res: Results): string {
  const rows = res.rows as readonly MergedRow[];
  const cmp = comparisonRows(rows);
  const at = cmp[0] ? `${cmp[0].requestedConnections.toLocaleString('en')} connections, ${cmp[0].rate} orders/s` : '';
  const curve = (pick: (r: Row) => [number, number][]) => {
    // An arm's second row at the comparison point (combined stream, other poll interval) is dashed.
    const drawn = new Set<Arm>();
    return cmp.filter((r) => pick(r).length > 0).map((r) => {
      const again = drawn.has(r.arm);
      drawn.add(r.arm);
      return { name: rowLabel(r), ...style(r.arm), dashed: again, points: pick(r).map(([p, us]) => [nines(p), us] as const) };
    });
  };
  const ninesAxis = { label: 'percentile', ticks: [[nines(50), 'p50'], [1, 'p90'], [2, 'p99'], [3, 'p99.9'], [4, 'p99.99'], [5, 'max']] as [number, string][], format: (v: number) => v.toFixed(2) };
  const usAxis = { label: 'latency', log: true, format: (v: number) => shownUs(v) };
  const probeChart = lineChart(`Probe latency per arm: event stamp to receipt on the probe connections (${at})`, curve((r) => r.probeLatencyCurve), ninesAxis, usAxis);
  const bulkChart = lineChart(`Bulk latency per arm: every other connection, read in turn by the load generator (${at})`, curve((r) => r.latencyCurve), ninesAxis, usAxis);
  const delivered = lineChart(
    'Delivered updates/s as connections grow (one trade stream, 100 orders/s)',
    fanoutSeries(rows, (r) => r.deliveredPerSec),
    { label: 'connections', log: true, format: (v) => fmtRate(v) },
    { label: 'updates/s', log: true, format: (v) => fmtRate(v) },
  );
  const cpu = lineChart(
    'Server CPU per 1,000 delivered updates as connections grow (lower is better)',
    fanoutSeries(rows, (r) => r.serverCpuMsPer1kUpdates),
    { label: 'connections', log: true, format: (v) => fmtRate(v) },
    { label: 'CPU ms per 1k updates', log: true, format: (v) => fmtNum(v, 2) },
  );
  const bytes = barChart(
    `Bytes on the wire per delivered update, framing and headers included (${at})`,
    cmp.filter((r) => r.bytesPerUpdate !== null).map((r) => ({ name: rowLabel(r), value: r.bytesPerUpdate!, label: `${fmtNum(r.bytesPerUpdate, 4)} B`, colour: armSpec(r.arm).colour })),
    'bytes per update',
  );

  const verdict = (met: boolean | null) => (met === null ? 'cannot judge' : met ? 'met' : 'not met');
  const goals = res.goals.map((g) => `<li class="${g.met === null ? 'na' : g.met ? 'met' : 'miss'}"><b>${verdict(g.met)}</b> — ${esc(g.text)}. ` +
    `Measured ${fmtNum(g.measured, 4)}${g.spread && g.spread.n > 1 ? ` (${fmtNum(g.spread.min, 3)}–${fmtNum(g.spread.max, 3)} over ${g.spread.n} runs${g.noisy ? ', <b>noisy</b>: more than ±10%' : ''})` : ''}, target ${esc(g.target)}.` +
    `${g.note ? ` <span class="note">${esc(g.note)}</span>` : ''}</li>`).join('');

  const streamRows = rows.filter((r) => !isCalibration(r.arm) && (r.probeLatencyUs || r.breakdown));
  const latencyRows = streamRows.map((r) => `<tr>${td(name(r), 'l')}` +
    `${td(`${shownUs(r.probeLatencyUs?.p50)} / ${shownUs(r.probeLatencyUs?.p99)}${pm(r.repeat?.spread.probeP99)} / ${shownUs(r.probeLatencyUs?.p999)}`)}` +
    `${td(r.probePositions.map((p) => `${p.position} ${shownUs(p.latencyUs?.p99)}`).join(', ') || '–', 'l')}` +
    `${td(`${shownUs(r.latencyUs?.p50)} / ${shownUs(r.latencyUs?.p99)}${pm(r.repeat?.spread.bulkP99)} / ${shownUs(r.latencyUs?.p999)}`)}` +
    `${td(part(r.breakdown?.latenessUs))}${td(part(r.breakdown?.toFirstUs))}${td(part(r.breakdown?.toLastUs))}</tr>`);

  const slopes = res.memorySlopes.map((s) => `<tr>${td(esc(armSpec(s.arm).label), 'l')}${td(`${s.from.toLocaleString('en')} → ${s.to.toLocaleString('en')}`)}` +
    `${td(s.bytesPerConnection === null ? '–' : fmtBytes(s.bytesPerConnection))}${td(esc(s.why ?? ''), 'l')}</tr>`);
  const polls = comparePolling(rows).map((p) => `<tr>${td(`every ${p.pollIntervalMs} ms`, 'l')}${td(String(p.connections))}${td(fmtRate(p.requestsPerSec))}${td(`×${fmtNum(p.cpuPerUpdateRatio)}`)}${td(`×${fmtNum(p.bytesPerUpdateRatio)}`)}${td(`×${fmtNum(p.p50Ratio)}`)}${td(fmtPct(p.lossRate))}${td(p.requestsPerSecForPushFreshness ? fmtRate(p.requestsPerSecForPushFreshness) : '–')}</tr>`);
  const all = rows.map((r) => `<tr${r.clientBound ? ' class="cb"' : ''}>${td(esc(rowLabel(r)), 'l')}${td(esc(r.scenario))}${td(r.connections.toLocaleString('en'))}${td(fmtRate(r.eventsPerSec))}` +
    `${td(fmtRate(r.deliveredPerSec) + pm(r.repeat?.spread.deliveredPerSec))}${td(isCapacity(r.arm) || isCalibration(r.arm) ? '–' : fmtPct(deliveredShare(r) ?? 0))}${td(fmtPct(r.lossRate))}` +
    `${td(shownUs(r.latencyUs?.p50))}${td(shownUs(r.latencyUs?.p99))}${td(shownUs(r.latencyUs?.p999))}${td(shownUs(r.latencyUs?.max))}` +
    `${td(fmtNum(r.serverCpuMsPer1kUpdates) + pm(r.repeat?.spread.serverCpuMsPer1kUpdates))}${td(`${r.serverCpuPct.toFixed(0)}%`)}${td(fmtBytes(r.serverRssBytes))}${td(fmtNum(r.bytesPerUpdate))}` +
    `${td(`${r.clientCpuPct.toFixed(0)}%${r.clientBound ? ' client-bound' : ''}`)}` +
    `${td(r.cores ? `${r.cores.serverBusyPct.toFixed(0)}% / ${r.cores.loadBusyPct.toFixed(0)}% (softirq ${r.cores.serverSoftirqPct.toFixed(0)}% / ${r.cores.loadSoftirqPct.toFixed(0)}%)` : '–')}` +
    `${td(esc(r.notes.join('; ')), 'l notes')}</tr>`);
  const m = res.machine;
  // A run of the fleet scenario alone (--only fleet) has no arm rows: only its section is shown.
  const armsShown = rows.length > 0 || !res.fleet;
  const repeatNote = res.repeat > 1 ? `Each step ran ${res.repeat} times, the arms interleaved at each connection count; figures are medians, ± is half the range over the runs.` : 'One run of each step (use --repeat 3 for medians with their spread).';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>tickwire bench ${esc(res.date)}</title><style>
*{box-sizing:border-box}body{font:15px/1.5 system-ui,sans-serif;margin:1.5em auto;max-width:1100px;color:#222;padding:0 12px;overflow-wrap:anywhere}
h1{font-size:1.5em;line-height:1.25}
.scroll{overflow-x:auto;max-width:100%;margin:.8em 0;border:1px solid #eee}
table{border-collapse:collapse;font-size:13px}td,th{border-bottom:1px solid #ddd;padding:3px 8px;text-align:right;white-space:nowrap;vertical-align:top}th{background:#f6f6f6}th:first-child{text-align:left}
td.l{text-align:left}td.notes{white-space:normal;min-width:260px}tr.cb{background:#fff4e0}.pm{color:#666;font-size:.9em}
ul.verdicts{list-style:none;padding:0}ul.verdicts li{border-left:6px solid #999;padding:4px 10px;margin:6px 0;background:#fafafa}
ul.verdicts li.met{border-color:#009E73}ul.verdicts li.miss{border-color:#D55E00}ul.verdicts li.na{border-color:#999;border-left-style:dashed}
.note{color:#444}.closing{font-size:1.1em;font-weight:600}
div.charts{display:flex;flex-wrap:wrap;gap:20px}figure{flex:1 1 400px;min-width:0;max-width:540px;margin:0}figcaption{font-weight:600;margin-bottom:4px}
figure svg{width:100%;height:auto;display:block}
svg .grid{stroke:#eee}svg text{font-size:12px;fill:#333}svg .yt{text-anchor:end;dominant-baseline:middle}svg .xt{text-anchor:middle}svg .al{text-anchor:middle;font-size:13px}svg .lg{dominant-baseline:middle}
ul.legend{list-style:none;padding:0;margin:4px 0;display:flex;flex-wrap:wrap;gap:4px 14px;font-size:13px}ul.legend li{white-space:nowrap}ul.legend svg{vertical-align:middle;margin-right:4px}figure ul.legend svg{display:inline;width:34px;height:12px}
.empty{color:#888}code{background:#f4f4f4;padding:0 3px}
</style></head><body>
<h1>tickwire: push against polling and the usual alternatives</h1>
<p>${esc(res.date)} · ${esc(res.mode)} run of ${Math.round(res.durationSec)} s${res.repeat > 1 ? ` (${res.repeat} repetitions)` : ''} · commit <code>${esc(res.commit)}</code> · ${esc(m.cpuModel)} × ${m.cores} cores, ${fmtBytes(m.memBytes)} · Node ${esc(m.node)} · ${m.pinned ? 'server pinned to core 0, load to core 1' : 'not pinned'} · load average ${m.loadAverage.join(' / ')} at the start, ${res.loadAverageAtEnd.join(' / ')} at the end</p>
${armsShown ? `<h2>Verdicts</h2>
<p class="closing">${esc(closingSentence(res.goals))}</p>
<ul class="verdicts">${goals}</ul>
<p>${repeatNote}</p>
<h2>Where latency goes</h2>
<p>Latency is the event's time stamp <code>E</code> (the moment the market emitted it) to its receipt by a client. <b>Probes</b> are three connections in a process of their own, subscribed among the first, in the middle and among the last: they see what a client with its own CPU would (they share the load's core, so the operating system's wake-up delay is in their figures). <b>Bulk</b> is every other connection, read in turn by the load generator: at 1,000 connections an event waits for the generator as much as for the server. The server's own parts come from its /metrics histograms (tickwire arms only, one server process): <b>timer lateness</b>, how late the market's timer woke for an event that was due (before <code>E</code>, so not part of the latency); <b>to first</b> and <b>fan-out span</b>, a batch's arrival on the bus to its first and last frame handed to uWS (uWS writes the sockets at the end of that loop turn). Figures are p50 / p99 (/ p99.9); server parts are interpolated inside histogram buckets.</p>
${table(['step', 'probes p50 / p99 / p99.9', 'probe p99 by place', 'bulk p50 / p99 / p99.9', 'timer lateness', 'to first frame', 'fan-out span'], latencyRows)}
<h2>Charts</h2>
<p>The <b>latency</b> charts put percentiles on a "nines" axis (p90, p99, p99.9 evenly spaced) and latency on a log axis: a flat, low line is good; a line that shoots up at the right has a tail. Polling's latency is the time from a trade to the poll that brought it. <b>Delivered</b> should rise tenfold per tenfold of connections; where an arm's line bends down it hit its ceiling. <b>CPU per update</b> flat is linear scaling, lower is cheaper. <b>Bytes per update</b> includes headers and framing. Each arm has its own colour (Okabe–Ito), dash pattern and marker.</p>
<div class="charts">${probeChart}${bulkChart}${delivered}${cpu}${bytes}</div>
<h2>Memory per connection</h2>
<p>The slope of the server's RSS between two connection counts of the same arm: what one more socket costs, without the process's base (which RSS ÷ connections would spread over the sockets).</p>
${slopes.length ? table(['arm', 'between', 'per connection', 'why no figure'], slopes) : '<p class="empty">no arm ran at two connection counts in this run</p>'}
<h2>Polling against push</h2>
<p>Same connections and event rate as the push row. Ratios are polling ÷ push. The last column is the request rate polling would need for a mean staleness equal to push's median latency (one request per client every 2 × push p50).</p>
${polls.length ? table(['poll', 'conns', 'req/s', 'CPU/update', 'bytes/update', 'p50 latency', 'missed', 'req/s for push freshness'], polls) : '<p class="empty">no polling step in this run</p>'}
<h2>Other transports against push</h2>
<p>Server-Sent Events, long-polling and the WebSocket API beside the push row at the same connections and event rate (ratios: this transport ÷ push). Latency is the event's time stamp to its receipt (for the WebSocket API, by the request that brought it).</p>
${(() => { const t = compareTransports(rows); return t.length ? `<ul>${t.map((c) => `<li>${esc(transportLine(c))}</li>`).join('')}</ul><p>${transportVerdicts(t).map(esc).join('<br>')}</p>` : '<p class="empty">no other transport in this run</p>'; })()}
<h2>The load generator's ceiling</h2>
<p>${(() => { const c = generatorCeiling(rows); return c ? `One load process reads, parses (event stamp and trade id of every frame) and sequence-checks up to <b>${fmtRate(c)} updates per second of its own CPU</b>, measured against a firehose of pre-built frames (the calibration step). A client-bound row that delivered far less per generator CPU-second than this spent its generator's core on per-socket work (a wake-up and a read per socket per event), not on parsing.` : 'This run had no calibration step.'; })()}</p>
<h2>All rows</h2>
<p>Rows marked client-bound (orange) were paced by the load generator (it used ≥ 85% of its core, or its core was ≥ 95% busy while the server's was not): their rates are floors and their latencies ceilings for the server. "core 0 / core 1 busy" is the whole core, kernel softirq work for loopback TCP included. "–" means not measured: no probes or breakdown for that arm, nothing arrived, or a latency below 1 µs (a clock difference clamped to the histogram's floor, or autocannon's whole milliseconds rounding to 0).</p>
${table(['arm', 'scenario', 'conns', 'events/s in', 'delivered/s', 'of offered', 'loss', 'p50', 'p99', 'p99.9', 'max', 'CPU ms/1k upd', 'server CPU', 'server RSS', 'bytes/upd', 'load CPU', 'core 0 / core 1 busy', 'notes'], all)}
` : ''}
${res.fleet ? fleetHtml(res.fleet) : ''}
${res.failures.length ? `<h2>Failed steps</h2><ul>${res.failures.map((f) => `<li>${esc(f.step)}: ${esc(f.error)}</li>`).join('')}</ul>` : ''}
${armsShown ? `<p>Noise: each row is a window of ${rows[0]?.windowSec.toFixed(1) ?? '?'} s on a machine that may be shared (see the load average above); CPU comes from /proc in 10 ms ticks. Compare arms within one run, not across runs.</p>` : ''}
</body></html>
`;
}
