// report.html: one self-contained page with the run's header, goals, charts, ratios and table.
import type { Results } from './header.ts';
import type { Row } from '../row.ts';
import { comparePolling, deliveredShare } from './goals.ts';
import { barChart, esc, lineChart, type Series } from './svg.ts';
import { fmtBytes, fmtNum, fmtPct, fmtRate, fmtUs } from './format.ts';
import { armSpec, isCapacity, rowLabel, variant, type Arm } from '../arms.ts';

/** x position of a percentile on a "nines" axis: p50 → 0.3, p90 → 1, p99 → 2, p99.9 → 3; max at 5. */
export const nines = (p: number): number => (p >= 100 ? 5 : -Math.log10(1 - p / 100));

/** One line per arm over the fan-out rows, in the arm's colour. */
const fanoutSeries = (rows: readonly Row[], y: (r: Row) => number | null): Series[] => {
  const byArm = new Map<Arm, Row[]>();
  for (const r of rows) if (r.scenario === 'fanout' && y(r) !== null) byArm.set(r.arm, [...(byArm.get(r.arm) ?? []), r]);
  return [...byArm].map(([arm, armRows]) => ({
    name: armSpec(arm).label,
    colour: armSpec(arm).colour,
    points: armRows.sort((a, b) => a.connections - b.connections).map((r) => [r.connections, y(r)!] as const),
  }));
};

/** The rows the latency and bytes charts compare: every arm at the same point (most often 1,000 connections, 100/s). */
function comparisonRows(rows: readonly Row[]): Row[] {
  const counts = new Map<number, number>();
  for (const r of rows) if (!isCapacity(r.arm)) counts.set(r.requestedConnections, (counts.get(r.requestedConnections) ?? 0) + 1);
  const conns = [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]?.[0];
  const rate = rows.find((r) => r.requestedConnections === conns)?.rate;
  return rows.filter((r) => !isCapacity(r.arm) && r.requestedConnections === conns && r.rate === rate);
}

export function renderHtml(res: Results): string {
  const rows = res.rows;
  const cmp = comparisonRows(rows);
  const at = cmp[0] ? `${cmp[0].requestedConnections.toLocaleString('en')} connections, ${cmp[0].rate} orders/s` : '';
  // An arm's second row at the comparison point (combined stream, other poll interval) is dashed.
  const drawn = new Set<Arm>();
  const latency = lineChart(
    `Latency distribution per arm (event stamp to client receipt; ${at})`,
    cmp.map((r) => {
      const again = drawn.has(r.arm);
      drawn.add(r.arm);
      return { name: rowLabel(r), colour: armSpec(r.arm).colour, dashed: again, points: r.latencyCurve.map(([p, us]) => [nines(p), us] as const) };
    }),
    { label: 'percentile', ticks: [[0, 'p0'], [nines(50), 'p50'], [1, 'p90'], [2, 'p99'], [3, 'p99.9'], [4, 'p99.99'], [5, 'max']], format: (v) => v.toFixed(2) },
    { label: 'latency', log: true, format: (v) => fmtUs(v) },
  );
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

  const goals = res.goals.map((g) => `<tr class="${g.met === null ? 'na' : g.met ? 'met' : 'miss'}"><td>${g.met === null ? 'n/a' : g.met ? 'met' : 'not met'}</td><td>${esc(g.text)}</td><td>${esc(g.target)}</td><td>${fmtNum(g.measured, 4)}</td><td>${esc(g.note)}</td></tr>`).join('');
  const polls = comparePolling(rows).map((p) => `<tr><td>every ${p.pollIntervalMs} ms</td><td>${p.connections}</td><td>${fmtRate(p.requestsPerSec)}</td><td>×${fmtNum(p.cpuPerUpdateRatio)}</td><td>×${fmtNum(p.bytesPerUpdateRatio)}</td><td>×${fmtNum(p.p50Ratio)}</td><td>${fmtPct(p.lossRate)}</td><td>${p.requestsPerSecForPushFreshness ? fmtRate(p.requestsPerSecForPushFreshness) : '–'}</td></tr>`).join('');
  const table = rows.map((r) => `<tr${r.clientBound ? ' class="cb"' : ''}><td>${esc(armSpec(r.arm).label)}</td><td>${esc(variant(r) || r.scenario)}</td><td>${r.connections}</td><td>${fmtRate(r.eventsPerSec)}</td><td>${fmtRate(r.deliveredPerSec)}</td><td>${isCapacity(r.arm) ? '–' : fmtPct(deliveredShare(r) ?? 0)}</td><td>${fmtPct(r.lossRate)}</td>` +
    `<td>${fmtUs(r.latencyUs?.p50)}</td><td>${fmtUs(r.latencyUs?.p99)}</td><td>${fmtUs(r.latencyUs?.p999)}</td><td>${fmtUs(r.latencyUs?.max)}</td>` +
    `<td>${fmtNum(r.serverCpuMsPer1kUpdates)}</td><td>${r.serverCpuPct.toFixed(0)}%</td><td>${fmtBytes(r.serverRssBytes)}</td><td>${fmtBytes(r.rssPerConnectionBytes)}</td><td>${fmtNum(r.bytesPerUpdate)}</td>` +
    `<td>${r.clientCpuPct.toFixed(0)}%${r.clientBound ? ' client-bound' : ''}</td>` +
    `<td>${r.cores ? `${r.cores.serverBusyPct.toFixed(0)}% / ${r.cores.loadBusyPct.toFixed(0)}% (softirq ${r.cores.serverSoftirqPct.toFixed(0)}% / ${r.cores.loadSoftirqPct.toFixed(0)}%)` : '–'}</td><td>${esc(r.notes.join('; '))}</td></tr>`).join('');
  const unmet = res.goals.filter((g) => g.met === false);
  const closing = unmet.length === 0
    ? '<p>Every goal that this run could judge is met.</p>'
    : `<ul>${unmet.map((g) => `<li><b>${esc(g.id)}</b>: ${esc(g.note)}</li>`).join('')}</ul>`;
  const m = res.machine;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>tickwire bench ${esc(res.date)}</title><style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
table{border-collapse:collapse;font-size:12px;margin:1em 0}td,th{border-bottom:1px solid #ddd;padding:3px 6px;text-align:right}td:first-child,th:first-child,td:nth-child(2){text-align:left}
td:last-child{text-align:left;min-width:220px}td{white-space:nowrap}td:last-child,td:nth-child(5){white-space:normal}
tr.met td:first-child{color:#2a7d2a;font-weight:bold}tr.miss td:first-child{color:#b22;font-weight:bold}tr.cb{background:#fff4e0}
figure{display:inline-block;margin:1em 1em 1em 0}figcaption{font-weight:600;margin-bottom:4px;max-width:640px}
svg .grid{stroke:#eee}svg text{font-size:11px;fill:#333}svg .yt{text-anchor:end;dominant-baseline:middle}svg .xt{text-anchor:middle}svg .al{text-anchor:middle;font-size:12px}svg .lg{dominant-baseline:middle}
.empty{color:#888}code{background:#f4f4f4;padding:0 3px}
</style></head><body>
<h1>tickwire: push against polling and the usual alternatives</h1>
<p>${esc(res.date)} · ${esc(res.mode)} run of ${Math.round(res.durationSec)} s · commit <code>${esc(res.commit)}</code> · ${esc(m.cpuModel)} × ${m.cores} cores, ${fmtBytes(m.memBytes)} · Node ${esc(m.node)} · ${m.pinned ? 'server pinned to core 0, load to core 1' : 'not pinned'}</p>
<h2>Goals</h2>
<table><tr><th>result</th><th>goal</th><th>target</th><th>measured</th><th>what holds it back</th></tr>${goals}</table>
<h2>Charts</h2>
<p>How to read them: the <b>latency</b> chart puts percentiles on a "nines" axis (p90, p99, p99.9 evenly spaced) and latency on a log axis: a flat, low line is good; a line that shoots up at the right has a tail. Polling's latency there is the time from a trade to the poll that brought it. The <b>delivered</b> chart should rise tenfold per tenfold of connections (every connection gets every update); where an arm's line bends down it has hit its ceiling. The <b>CPU per update</b> chart is the cost of one delivered update: flat is linear scaling, lower is cheaper. <b>Bytes per update</b> is what one update costs on the wire, headers and framing included. Rows marked client-bound (orange in the table) were paced by the load generator (it used ≥ 85% of its core, or its core was ≥ 95% busy while the server's was not): their rates are floors and their latencies ceilings for the server. "core 0 / core 1 busy" is the whole core, every process and the kernel's softirq work for loopback TCP included; that kernel work is billed to no process when it runs in ksoftirqd.</p>
${latency}${delivered}${cpu}${bytes}
<h2>Polling against push</h2>
<p>Same connections and event rate as the push row. Ratios are polling ÷ push. The last column is the request rate polling would need for a mean staleness equal to push's median latency (one request per client every 2 × push p50).</p>
<table><tr><th>poll</th><th>conns</th><th>req/s</th><th>CPU/update</th><th>bytes/update</th><th>p50 latency</th><th>missed</th><th>req/s for push freshness</th></tr>${polls}</table>
<h2>All rows</h2>
<table><tr><th>arm</th><th>scenario</th><th>conns</th><th>events/s in</th><th>delivered/s</th><th>of offered</th><th>loss</th><th>p50</th><th>p99</th><th>p99.9</th><th>max</th><th>CPU ms/1k upd</th><th>server CPU</th><th>server RSS</th><th>RSS/conn</th><th>bytes/upd</th><th>load CPU</th><th>core 0 / core 1 busy</th><th>notes</th></tr>${table}</table>
${res.failures.length ? `<h2>Failed steps</h2><ul>${res.failures.map((f) => `<li>${esc(f.step)}: ${esc(f.error)}</li>`).join('')}</ul>` : ''}
<h2>Closing note</h2>${closing}
<p>Noise: each row is one window of ${rows[0]?.windowSec.toFixed(1) ?? '?'} s on a shared machine; CPU comes from /proc in 10 ms ticks. Compare arms within one run, not across runs.</p>
</body></html>
`;
}
