// Measures a fleet's Redis bus on a private redis-server: the added latency from publish (market)
// to receive (a follower on its own connection, as a gateway reads) at fixed rates; then a real
// market and gateway process: CPU per batch and per event, and Redis memory and CPU per symbol.
//   node --import tsx bench/fleet-bus.ts [--seconds 10] [--fleet-seconds 60]
import { createRedisBus } from '../server/bus/bus-redis.ts';
import { startPrivateRedis } from '../server/fleet/redis-server.ts';
import { spawnRole, waitForHealth } from '../server/fleet/role-process.ts';
import type { MarketEvent } from '../server/market/types.ts';
import { cpuMs } from './proc.ts';
import { metricTotal, scrapeMetrics } from './breakdown.ts';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const SECONDS = arg('seconds', 10);
const FLEET_SECONDS = arg('fleet-seconds', 60);
const nowUs = () => Math.floor((performance.timeOrigin + performance.now()) * 1000);
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

/** A taker batch as the market makes it: one trade, its aggregate trade, the new top of book. */
function takerBatch(id: number, t: number): MarketEvent[] {
  const trade = { symbol: 'SOLUSDT', id, price: '142.35000000', qty: '1.20000000', quoteQty: '170.82000000', timeUs: t, buyerMaker: false };
  return [
    { type: 'trade', timeUs: t, trade },
    { type: 'aggTrade', timeUs: t, aggTrade: { symbol: 'SOLUSDT', id, price: trade.price, qty: trade.qty, firstTradeId: id, lastTradeId: id, timeUs: t, buyerMaker: false } },
    { type: 'bookTicker', timeUs: t, book: { symbol: 'SOLUSDT', updateId: id * 3, bidPrice: '142.34000000', bidQty: '10.00000000', askPrice: '142.36000000', askQty: '4.00000000' } },
  ];
}

async function latency(url: string, batchesPerSec: number): Promise<string> {
  const writer = createRedisBus({ url, prefix: `lat${batchesPerSec}` });
  const reader = createRedisBus({ url, prefix: `lat${batchesPerSec}` });
  await Promise.all([writer.untilReady(), reader.untilReady()]);
  const lat: number[] = [];
  let received = 0;
  reader.follow('market.SOLUSDT', { id: '0-0', seq: 0 }, {
    entry: (e) => {
      received++;
      lat.push((nowUs() - e.events[0]!.timeUs) / 1000);
    },
    gap: () => undefined,
  });
  const total = batchesPerSec * SECONDS;
  const t0 = performance.now();
  let sent = 0;
  // Paced by the clock, not by timer counts: each wake-up sends what is due by now.
  await new Promise<void>((done) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * batchesPerSec));
      while (sent < due) writer.publish('market.SOLUSDT', takerBatch(++sent, nowUs()));
      if (sent >= total) done();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const deadline = Date.now() + 10_000;
  while (received < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await writer.close();
  await reader.close();
  lat.sort((a, b) => a - b);
  return `| ${batchesPerSec} batches/s (${batchesPerSec * 3} events/s) | ${received}/${total} | ${pct(lat, 50).toFixed(2)} ms | ${pct(lat, 99).toFixed(2)} ms | ${lat.at(-1)!.toFixed(2)} ms |`;
}

async function metric(port: number, name: string): Promise<number> {
  return metricTotal((await scrapeMetrics('127.0.0.1', port)) ?? '', name) ?? 0;
}

async function fleet(url: string, redisPid: number): Promise<string[]> {
  const symbols = 'SOLUSDT:10,BTCUSDT:4,ETHUSDT:3,BNBUSDT:1';
  const market = spawnRole({ role: 'market', args: ['--redis', url, '--port', '0', '--symbols', symbols] });
  const gateway = spawnRole({ role: 'gateway', args: ['--redis', url, '--port', '0', '--symbols', symbols] });
  try {
    const [m, g] = await Promise.all([market.listening, gateway.listening]);
    await waitForHealth(m, (h) => h.status === 200, { timeoutMs: 120_000, stillAlive: () => market.alive, what: 'market' });
    await waitForHealth(g, (h) => h.status === 200, { timeoutMs: 120_000, stillAlive: () => gateway.alive, what: 'gateway' });
    // Settle after start-up (history, first snapshots), then measure a window.
    await new Promise((r) => setTimeout(r, 5000));
    const read = async () => ({
      market: cpuMs(market.pid)!, gateway: cpuMs(gateway.pid)!, redis: cpuMs(redisPid)!,
      written: await metric(m.port, 'tickwire_bus_batches_written_total'),
      applied: await metric(g.port, 'tickwire_fleet_batches_applied_total'),
      events: await metric(g.port, 'tickwire_fleet_events_applied_total'),
    });
    const a = await read();
    await new Promise((r) => setTimeout(r, FLEET_SECONDS * 1000));
    const b = await read();
    const batches = b.applied - a.applied;
    const info = createRedisBus({ url });
    await info.untilReady();
    const mem: string[] = [];
    for (const s of symbols.split(',').map((x) => x.split(':')[0]!)) {
      const keys = info.keys(`market.${s}`);
      const usage = async (k: string) => Number(await info.command(['MEMORY', 'USAGE', k, 'SAMPLES', '0'])) / 1024;
      const len = Number(await info.command(['XLEN', keys.log]));
      mem.push(`| ${s} | ${len} entries, ${(await usage(keys.log)).toFixed(0)} KiB | ${(await usage(keys.snap)).toFixed(0)} KiB | ${(await usage(keys.hist)).toFixed(0)} KiB |`);
    }
    const used = String(await info.command(['INFO', 'memory'])).match(/used_memory:(\d+)/)?.[1];
    await info.close();
    const sec = FLEET_SECONDS;
    return [
      `Window ${sec} s, default symbols (${symbols}): ${batches} batches (${(batches / sec).toFixed(0)}/s), written ${b.written - a.written}.`,
      `${b.events - a.events} events in them (${((b.events - a.events) / Math.max(1, batches)).toFixed(1)} per batch); no client connected.`,
      '| process | CPU % of a core | CPU µs per batch | CPU µs per event |',
      '| --- | --- | --- | --- |',
      ...(['market', 'gateway', 'redis'] as const).map((p) => {
        const ms = b[p] - a[p];
        return `| ${p} | ${((ms / (sec * 1000)) * 100).toFixed(1)} % | ${((ms * 1000) / Math.max(1, batches)).toFixed(1)} | ${((ms * 1000) / Math.max(1, b.events - a.events)).toFixed(1)} |`;
      }),
      '',
      '| symbol | log (Stream) | snapshot | history |',
      '| --- | --- | --- | --- |',
      ...mem,
      `Redis used_memory: ${(Number(used) / 1024 / 1024).toFixed(1)} MiB in total.`,
    ];
  } finally {
    for (const p of [market, gateway]) p.child.kill('SIGTERM');
    await Promise.all([market.exited, gateway.exited]);
  }
}

/** What a bare round trip to this Redis costs here: 1000 PINGs one after another. */
async function pingBaseline(url: string): Promise<string> {
  const bus = createRedisBus({ url, prefix: 'ping' });
  await bus.untilReady();
  const rtt: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const t = performance.now();
    await bus.command(['PING']);
    rtt.push(performance.now() - t);
  }
  await bus.close();
  rtt.sort((a, b) => a - b);
  return `baseline, one PING round trip: p50 ${pct(rtt, 50).toFixed(2)} ms, p99 ${pct(rtt, 99).toFixed(2)} ms`;
}

const redis = await startPrivateRedis();
try {
  const { loadavg } = await import('node:os');
  console.log(`private redis-server at ${redis.url}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(await pingBaseline(redis.url));
  console.log(`publish → follower receive, ${SECONDS} s per rate`);
  console.log('| rate | received | p50 | p99 | max |\n| --- | --- | --- | --- | --- |');
  for (const rate of [100, 1000]) console.log(await latency(redis.url, rate));
  console.log('');
  for (const line of await fleet(redis.url, redis.pid)) console.log(line);
} finally {
  await redis.stop();
}
