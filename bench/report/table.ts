// The terminal summary: one line per row, then the goals and the polling ratios.
import type { Results } from './header.ts';
import { comparePolling, deliveredShare } from './goals.ts';
import { fmtBytes, fmtNum, fmtPct, fmtRate, fmtUs } from './format.ts';
import { isCapacity, variant } from '../arms.ts';

export function formatTable(r: Results): string {
  const head = ['arm', 'scenario', 'conns', 'ev/s in', 'upd/s', 'of offered', 'loss', 'p50', 'p99', 'p99.9', 'max', 'cpu ms/1k', 'srv cpu', 'rss', 'rss/conn', 'B/upd', 'load cpu', 'cores 0/1 (si)', ''];
  const lines: string[][] = [head];
  for (const x of r.rows) {
    const l = x.latencyUs;
    const what = variant(x) || x.scenario;
    lines.push([
      x.arm, what, String(x.connections), fmtRate(x.eventsPerSec), fmtRate(x.deliveredPerSec),
      isCapacity(x.arm) ? '–' : fmtPct(deliveredShare(x) ?? 0), fmtPct(x.lossRate),
      fmtUs(l?.p50), fmtUs(l?.p99), fmtUs(l?.p999), fmtUs(l?.max),
      fmtNum(x.serverCpuMsPer1kUpdates), `${x.serverCpuPct.toFixed(0)}%`, fmtBytes(x.serverRssBytes), fmtBytes(x.rssPerConnectionBytes),
      fmtNum(x.bytesPerUpdate), `${x.clientCpuPct.toFixed(0)}%`,
      x.cores ? `${x.cores.serverBusyPct.toFixed(0)}/${x.cores.loadBusyPct.toFixed(0)}% (${x.cores.serverSoftirqPct.toFixed(0)}/${x.cores.loadSoftirqPct.toFixed(0)})` : '–',
      x.clientBound ? 'CLIENT-BOUND' : '',
    ]);
  }
  const widths = head.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  const out = lines.map((l) => l.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd());
  out.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  out.push('', `goals (${r.machine.cpuModel} × ${r.machine.cores}, ${r.date}, commit ${r.commit}):`);
  for (const g of r.goals) {
    const mark = g.met === null ? 'n/a ' : g.met ? 'MET ' : 'MISS';
    out.push(`  [${mark}] ${g.text}: ${fmtNum(g.measured)} (target ${g.target})${g.note ? ` — ${g.note}` : ''}`);
  }
  const polls = comparePolling(r.rows);
  if (polls.length) {
    out.push('', 'polling against push (same connections, same event rate):');
    for (const p of polls) {
      out.push(`  every ${p.pollIntervalMs} ms: ${fmtRate(p.requestsPerSec)} req/s, CPU/update ×${fmtNum(p.cpuPerUpdateRatio)}, bytes/update ×${fmtNum(p.bytesPerUpdateRatio)}, ` +
        `p50 latency ×${fmtNum(p.p50Ratio)}, missed ${fmtPct(p.lossRate)}; push's freshness by polling needs ${p.requestsPerSecForPushFreshness ? fmtRate(p.requestsPerSecForPushFreshness) : '–'} req/s`);
    }
  }
  for (const f of r.failures) out.push(`FAILED ${f.step}: ${f.error.slice(0, 300)}`);
  return out.join('\n');
}
