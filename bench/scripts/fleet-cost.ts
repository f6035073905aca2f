// What an idle fleet costs: CPU share and resident memory of a market, one gateway (no clients) and
// a private redis-server, over 30 s, read from /proc. Run: node --import tsx bench/scripts/fleet-cost.ts [server flags…]
import { readFileSync } from 'node:fs';
import { createFleetScope } from '../../test/fleet/harness.ts';

const SECONDS = 30;
const cpuTicks = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks (100 a second on Linux)
};
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

async function main(): Promise<void> {
  const flags = process.argv.slice(2);
  const fleet = createFleetScope();
  try {
    const redis = await fleet.redis();
    const market = await fleet.market(redis.url, flags);
    const gateway = await fleet.gateway(redis.url, flags);
    await market.waitReady(120_000);
    await gateway.waitReady(120_000);
    const pids = { market: market.pid, gateway: gateway.pid, 'redis-server': redis.pid };
    const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuTicks(pid)]));
    const started = Date.now();
    await new Promise((r) => setTimeout(r, SECONDS * 1000)); // the measuring window
    const secs = (Date.now() - started) / 1000;
    const seqs = ((await (await fetch(`${market.url}/healthz`)).json()) as { symbols: Record<string, { seq: number }> }).symbols;
    console.log(`over ${secs.toFixed(1)} s (flags: ${flags.join(' ') || 'defaults'}; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}):`);
    for (const [name, pid] of Object.entries(pids)) {
      const pct = ((cpuTicks(pid) - before[name]!) / 100 / secs) * 100;
      console.log(`  ${name.padEnd(13)} ${pct.toFixed(1).padStart(5)} % of a core   ${rssMb(pid).toFixed(0).padStart(5)} MB resident`);
    }
    console.log(`  batches so far per symbol: ${Object.entries(seqs).map(([s, v]) => `${s} ${v.seq}`).join(', ')}`);
  } finally {
    await fleet.cleanup();
  }
}

void main();
