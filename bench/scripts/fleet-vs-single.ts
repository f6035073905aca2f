// One tickwire process against a fleet (market + 2 gateways on one shared port + a private
// redis-server), one after the other in one run, each delivering one trade stream to the same
// number of WebSocket clients (the bench's load processes). Prints updates/s, trade ids lost,
// server CPU per 1k updates (all server processes summed, from /proc) and RSS per process.
// Run: node --import tsx bench/scripts/fleet-vs-single.ts --conns 10000 --seconds 10 [--gateways 2] [--rate 100]
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { FromLoad, ResultMsg, StartMsg } from '../load/protocol.ts';
import { installCleanup, sleep, spawnNode, stop, waitForLine, PINNING, type Spawned } from '../children.ts';
import { cpuMs, rssBytes } from '../proc.ts';
import { mergeHistograms, summarize } from '../histograms.ts';

const here = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));
const HOST = '127.0.0.1';
const SYMBOL = 'SOLUSDT';
/** At most this many sockets per load process (one source address each: 127.0.0.2, .3, …). */
const PER_LOAD = 5000;
const { values } = parseArgs({
  options: {
    conns: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '10' },
    gateways: { type: 'string', default: '2' },
    rate: { type: 'string', default: '100' },
    warmup: { type: 'string', default: '3' },
  },
});
const CONNS = Number(values.conns);
const SECONDS = Number(values.seconds);
const GATEWAYS = Number(values.gateways);
const RATE = Number(values.rate);
const WARMUP = Number(values.warmup);
/** The same server flags for both setups: bench/arms.ts's limits, so the load is not refused. */
const SERVER_FLAGS = [
  '--symbols', `${SYMBOL}:${RATE}`, '--seed', '1',
  '--ws-conn-attempts-per-ip', '100000000', '--ws-max-messages-per-sec', '1000', '--rest-weight-per-minute', '1000000000',
];

interface Setup {
  readonly name: string;
  readonly port: number;
  /** Server processes to measure (role → pid). */
  readonly pids: Record<string, number>;
  readonly spawned: Spawned;
  /** Grace before SIGKILL: the fleet launcher stops its processes in order. */
  readonly graceMs: number;
}

interface Outcome {
  readonly name: string;
  readonly connected: number;
  readonly failed: number;
  readonly openAtStop: number;
  readonly updatesPerSec: number;
  readonly received: number;
  readonly missed: number;
  readonly disordered: number;
  readonly cpuMs: number;
  readonly rss: Record<string, number>;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly windowMs: number;
  /** Trades the market published in the window, per second (newest trade id at its start and end). */
  readonly publishedPerSec: number | null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function startSingle(): Promise<Setup> {
  const s = spawnNode(here('../../server/main.ts'), ['--host', HOST, '--port', '0', ...SERVER_FLAGS], 0);
  const m = await waitForLine(s, /listening on http:\/\/[^\s:]+:(\d+)/, 60_000);
  return { name: 'one process', port: Number(m[1]), pids: { tickwire: s.pid }, spawned: s, graceMs: 3000 };
}

async function startFleet(): Promise<Setup> {
  const port = await freePort();
  // A Redis port with nothing on it: the launcher starts a private redis-server (on a free port).
  const redisPort = await freePort();
  const s = spawnNode(here('../../server/fleet/launch.ts'), [
    '--gateways', String(GATEWAYS), '--host', HOST, '--port', String(port), '--redis', `redis://${HOST}:${redisPort}`, ...SERVER_FLAGS,
  ], 0);
  await waitForLine(s, new RegExp(`fleet ready:[\\s\\S]*\\ngateway ${GATEWAYS}\\s+\\d+[^\\n]*\\n`), 120_000);
  const pids: Record<string, number> = {};
  const table = s.output().slice(s.output().lastIndexOf('fleet ready:'));
  for (const m of table.matchAll(/^(redis|market|gateway \d+)\s+(\d+)\s/gm)) pids[m[1]!] = Number(m[2]);
  if (Object.keys(pids).length < GATEWAYS + 2) throw new Error(`fleet table incomplete: ${table}`);
  return { name: `fleet (${GATEWAYS} gateways)`, port, pids, spawned: s, graceMs: 20_000 };
}

function nextMessage<T extends FromLoad['type']>(w: Spawned, type: T, timeoutMs: number): Promise<Extract<FromLoad, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMsg = (m: FromLoad) => {
      if (m.type === type) done(undefined, m as Extract<FromLoad, { type: T }>);
      else if (m.type === 'error') done(new Error(`load process: ${m.message}`));
    };
    const onExit = (code: number | null) => done(new Error(`load process exited (code ${code}): ${w.output().slice(-400)}`));
    const timer = setTimeout(() => done(new Error(`load process: no ${type} after ${timeoutMs} ms`)), timeoutMs);
    const done = (err?: Error, m?: Extract<FromLoad, { type: T }>) => {
      clearTimeout(timer);
      w.child.off('message', onMsg);
      w.child.off('exit', onExit);
      if (err) reject(err);
      else resolve(m!);
    };
    w.child.on('message', onMsg);
    w.child.on('exit', onExit);
  });
}

/** Id of the newest trade the server (or a gateway) has, over REST; null when it does not answer. */
async function newestTradeId(port: number): Promise<number | null> {
  try {
    const res = await fetch(`http://${HOST}:${port}/api/v3/trades?symbol=${SYMBOL}&limit=1`, { signal: AbortSignal.timeout(10_000) });
    const id = ((await res.json()) as { id?: number }[])[0]?.id;
    return typeof id === 'number' ? id : null;
  } catch {
    return null;
  }
}

const cpuOf = (pids: Record<string, number>): number => Object.values(pids).reduce((n, p) => n + (cpuMs(p) ?? 0), 0);

async function measure(setup: Setup): Promise<Outcome> {
  const loads: Spawned[] = [];
  try {
    const count = Math.ceil(CONNS / PER_LOAD);
    const per = Math.ceil(CONNS / count);
    for (let i = 0; i < count; i++) loads.push(spawnNode(here('../load/worker.ts'), [], 1, true));
    const ready = await Promise.all(loads.map((w, i) => {
      const r = nextMessage(w, 'ready', 180_000);
      w.child.send({
        type: 'start', kind: 'ws', host: HOST, port: setup.port, path: '/ws?timeUnit=MICROSECOND',
        subscribe: JSON.stringify({ method: 'SUBSCRIBE', params: [`${SYMBOL.toLowerCase()}@trade`], id: 1 }),
        connections: Math.min(per, CONNS - per * i), localAddress: `127.0.0.${2 + i}`, rampConcurrency: 200, connectTimeoutMs: 30_000,
      } satisfies StartMsg);
      return r;
    }));
    await Promise.all(loads.map((w) => {
      const r = nextMessage(w, 'subscribed', 120_000);
      w.child.send({ type: 'subscribe' });
      return r;
    }));
    await sleep(WARMUP * 1000);
    const id0 = newestTradeId(setup.port);
    const cpu0 = cpuOf(setup.pids);
    const t0 = performance.now();
    for (const w of loads) w.child.send({ type: 'measure' });
    const rss: Record<string, number> = {};
    while (performance.now() - t0 < SECONDS * 1000) {
      await sleep(250);
      for (const [k, p] of Object.entries(setup.pids)) rss[k] = Math.max(rss[k] ?? 0, rssBytes(p) ?? 0);
    }
    const results = loads.map((w) => nextMessage(w, 'result', 60_000));
    for (const w of loads) w.child.send({ type: 'stop' });
    const cpu1 = cpuOf(setup.pids);
    const windowMs = performance.now() - t0;
    const [a, b] = await Promise.all([id0, newestTradeId(setup.port)]);
    const got: ResultMsg[] = await Promise.all(results);
    const sum = (f: (r: ResultMsg) => number) => got.reduce((n, r) => n + f(r), 0);
    const received = sum((r) => r.received);
    const lat = summarize(mergeHistograms(got.map((r) => r.latency)));
    return {
      name: setup.name, connected: ready.reduce((n, r) => n + r.open, 0), failed: ready.reduce((n, r) => n + r.failed, 0),
      openAtStop: sum((r) => r.openAtStop), received, updatesPerSec: (received / windowMs) * 1000,
      missed: sum((r) => r.missed), disordered: sum((r) => r.disordered), cpuMs: cpu1 - cpu0, rss,
      p50Ms: lat ? lat.p50 / 1000 : null, p99Ms: lat ? lat.p99 / 1000 : null, windowMs,
      publishedPerSec: a !== null && b !== null ? ((b - a) / windowMs) * 1000 : null,
    };
  } finally {
    await Promise.all(loads.map((w) => stop(w)));
  }
}

/** Stop a setup; whatever of its processes outlives the launcher is killed by pid. */
async function stopSetup(setup: Setup): Promise<void> {
  await stop(setup.spawned, setup.graceMs);
  for (const pid of Object.values(setup.pids)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone (the usual case).
    }
  }
}

async function run(start: () => Promise<Setup>): Promise<Outcome> {
  const setup = await start();
  try {
    return await measure(setup);
  } finally {
    await stopSetup(setup);
  }
}

function print(rows: readonly Outcome[]): void {
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`${CONNS} sockets, ${SYMBOL}@trade at ${RATE}/s, ${SECONDS} s window; servers ${PINNING ? 'pinned to core 0, load to core 1' : 'unpinned'}; load average ${load}`);
  console.log('| setup | sockets open (failed) | trades published/s × sockets | updates/s delivered | trade ids lost | out of order | server CPU ms per 1k updates | p50 / p99 ms | RSS per process (MB) |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const rss = Object.entries(r.rss).map(([k, b]) => `${k} ${(b / 1024 ** 2).toFixed(0)}`).join(', ');
    const lat = r.p50Ms === null ? '-' : `${r.p50Ms.toFixed(1)} / ${r.p99Ms!.toFixed(1)}`;
    console.log(`| ${r.name} | ${r.connected} (${r.failed}), ${r.openAtStop} at stop | ${r.publishedPerSec === null ? '-' : (r.publishedPerSec * r.connected).toFixed(0)} | ${r.updatesPerSec.toFixed(0)} | ${r.missed} | ${r.disordered} | ${((r.cpuMs / r.received) * 1000).toFixed(1)} | ${lat} | ${rss} |`);
  }
}

async function main(): Promise<void> {
  installCleanup();
  const rows = [await run(startSingle), await run(startFleet)];
  print(rows);
}

main().catch((err: Error) => {
  console.error(`fleet-vs-single: failed: ${err.stack ?? err}`);
  process.exitCode = 1;
});
