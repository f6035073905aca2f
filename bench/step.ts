// Runs one scenario: starts the arm's server process(es) and the load process(es), measures one
// window, stops everything it started, and returns the row.
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import type { FromLoad, ResultMsg, StartMsg, SubscribeMsg } from './load/protocol.ts';
import { breakdownBetween, scrapeMetrics } from './breakdown.ts';
import { CONNS_PER_LOAD, CONNS_PER_SERVER, type Scenario } from './scenarios.ts';
import { armSpec, isPolling, type ArmOptions } from './arms.ts';
import { LOAD_CORES, PINNING, SERVER_CORES, sleep, spawnNode, spawnPinned, stop, waitForLine, type Spawned } from './children.ts';
import { cpuMs, cpuTimes, totalCpuMs, totalRss, type CpuTimes } from './proc.ts';
import { coreBusyPct } from './cpu.ts';
import type { SeqAt } from './sequences.ts';
import { capacityRow, streamRow, type AutocannonResult, type CoreUse, type Row } from './row.ts';
import { streamName } from '../server/wire/streams.ts';

/** Core 0 (server) and core 1 (load) use between two readings; null when not pinned. */
function coreUse(before: CpuTimes[], after: CpuTimes[]): CoreUse | null {
  if (!PINNING) return null;
  const [server, load] = coreBusyPct(before, after);
  if (!server || !load) return null;
  return { serverBusyPct: server.busy, serverSoftirqPct: server.softirq, loadBusyPct: load.busy, loadSoftirqPct: load.softirq };
}

const here = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));
const HOST = '127.0.0.1';
const SYMBOL = 'SOLUSDT';
/** A server above this RSS is stopped early (a peer that buffers without bound), bytes. */
const RSS_CAP = 3 * 1024 ** 3;
const READY = /listening on http:\/\/[^\s:]+:(\d+)/;

const STREAM = streamName.trade(SYMBOL);
/** Probe connections per stream step: one among the first, one in the middle, one among the last to subscribe. */
export const PROBES = 3;
/** The probe process's source address (the bulk load uses 127.0.0.2, .3, …). */
const PROBE_ADDRESS = '127.0.0.250';

/** What the arm's server and clients are told: the same host, symbol and rate for every arm. */
const armOptions = (s: Scenario, port: number): ArmOptions => ({ host: HOST, port, symbol: SYMBOL, rate: s.rate, ...(s.stream ? { stream: s.stream } : {}) });

/** A free TCP port on the loopback, for several server processes sharing one port (SO_REUSEPORT). */
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

async function startServers(s: Scenario, count: number): Promise<{ servers: Spawned[]; port: number; notes: string[] }> {
  const port = count > 1 ? await freePort() : 0;
  const servers: Spawned[] = [];
  const notes: string[] = [];
  let actual = port;
  for (let i = 0; i < count; i++) {
    const { script, args } = armSpec(s.arm).server;
    const srv = spawnNode(script, args(armOptions(s, port)), 0);
    servers.push(srv);
    const m = await waitForLine(srv, READY, 30_000);
    actual = Number(m[1]);
  }
  return { servers, port: actual, notes };
}

/** Id and time (µs) of the newest trade the server published (GET /api/v3/trades?limit=1, served by every arm). */
export async function newestTrade(port: number, host = HOST): Promise<SeqAt | null> {
  try {
    const res = await fetch(`http://${host}:${port}/api/v3/trades?symbol=${SYMBOL}&limit=1`, {
      headers: { 'X-MBX-TIME-UNIT': 'MICROSECOND' },
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json()) as { id?: number; time?: number }[];
    const t = body[0];
    return typeof t?.id === 'number' && typeof t.time === 'number' ? [t.id, t.time] : null;
  } catch {
    return null;
  }
}

async function bothOrNull(a: Promise<SeqAt | null> | null, b: Promise<SeqAt | null> | null): Promise<[SeqAt, SeqAt] | null> {
  const [x, y] = await Promise.all([a, b]);
  return x && y ? [x, y] : null;
}

/** Wait for one message of `type` from a load process. */
export function nextMessage<T extends FromLoad['type']>(w: Spawned, type: T, timeoutMs: number): Promise<Extract<FromLoad, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMsg = (m: FromLoad) => {
      if (m.type === type) done(undefined, m as Extract<FromLoad, { type: T }>);
      else if (m.type === 'error') done(new Error(`load process: ${m.message}`));
    };
    const onExit = (code: number | null) => done(new Error(`load process exited (code ${code}): ${w.output().trim().slice(-400)}`));
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

/** Ask a process to subscribe a slice of its connections and wait until each got a first frame. */
async function subscribeSlice(w: Spawned, m: SubscribeMsg): Promise<void> {
  const done = nextMessage(w, 'subscribed', 30_000);
  w.child.send(m);
  await done;
}

/**
 * Subscribe everyone in an order that puts the probes among the first, the middle and the last:
 * probe 0, the bulk's first halves, probe 1, the bulk's second halves, probe 2. Each slice is
 * answered before the next goes, so the server sees them in this order.
 */
async function subscribeInOrder(bulk: readonly Spawned[], bulkHalf: readonly number[], probe: Spawned | null, notes: string[]): Promise<void> {
  if (!probe) {
    await Promise.all(bulk.map((w) => subscribeSlice(w, { type: 'subscribe' })));
    return;
  }
  try {
    await subscribeSlice(probe, { type: 'subscribe', from: 0, to: 1 });
    await Promise.all(bulk.map((w, i) => subscribeSlice(w, { type: 'subscribe', from: 0, to: bulkHalf[i] ?? 0 })));
    await subscribeSlice(probe, { type: 'subscribe', from: 1, to: 2 });
    await Promise.all(bulk.map((w, i) => subscribeSlice(w, { type: 'subscribe', from: bulkHalf[i] ?? 0 })));
    await subscribeSlice(probe, { type: 'subscribe', from: 2, to: PROBES });
  } catch (err) {
    notes.push(`subscription order not confirmed (${(err as Error).message}): probes may not sit where they were meant to`);
  }
}

export async function runStep(s: Scenario): Promise<Row> {
  const arm = armSpec(s.arm);
  if (arm.load === 'rest-capacity') return runCapacity(s);
  const load = arm.load;
  const serverCount = arm.scaleOut === 'shared-port' ? Math.ceil(s.connections / CONNS_PER_SERVER) : 1;
  const loadCount = Math.ceil(s.connections / CONNS_PER_LOAD);
  const spawned: Spawned[] = [];
  try {
    const { servers, port, notes } = await startServers(s, serverCount);
    spawned.push(...servers);
    if (arm.calibration) notes.push('calibration: updates/s is what one load process reads from a firehose; its latency is queueing behind the firehose, not a server figure');
    const serverPids = servers.map((x) => x.pid);
    const rssBefore = totalRss(serverPids);

    const workers: Spawned[] = [];
    for (let i = 0; i < loadCount; i++) {
      const w = spawnNode(here('./load/worker.ts'), [], 1, true);
      workers.push(w);
      spawned.push(w);
    }
    const per = Math.ceil(s.connections / loadCount);
    // Probes: streaming arms only; their own process, pinned like the load.
    const probe = isPolling(s.arm) || arm.calibration ? null : spawnNode(here('./load/worker.ts'), [], 1, true);
    if (probe) spawned.push(probe);
    const probeReady = probe ? nextMessage(probe, 'ready', 60_000) : null;
    probe?.child.send({
      type: 'start', kind: load, host: HOST, port, path: arm.clientPath(armOptions(s, port)), subscribe: arm.subscribe(STREAM),
      connections: PROBES, localAddress: PROBE_ADDRESS, rampConcurrency: 1, connectTimeoutMs: 30_000, probe: true,
    } satisfies StartMsg);
    const readies = workers.map((w, i) => {
      const start: StartMsg = {
        type: 'start',
        kind: load,
        host: HOST,
        port,
        path: arm.clientPath(armOptions(s, port)),
        subscribe: arm.subscribe(STREAM),
        connections: Math.min(per, s.connections - per * i),
        localAddress: `127.0.0.${2 + i}`,
        rampConcurrency: 200,
        connectTimeoutMs: 30_000,
        ...(s.pollIntervalMs ? { pollIntervalMs: s.pollIntervalMs } : {}),
      };
      const ready = nextMessage(w, 'ready', 120_000);
      w.child.send(start);
      return ready;
    });
    const ready = await Promise.all(readies);
    const bulkHalf = ready.map((r) => Math.floor(r.open / 2));
    const probeOpen = probeReady ? (await probeReady).open : 0;
    if (probe && probeOpen < PROBES) notes.push(`only ${probeOpen} of ${PROBES} probe connections opened`);
    const connected = ready.reduce((n, r) => n + r.open, 0);
    const failed = ready.reduce((n, r) => n + r.failed, 0);
    if (failed > 0) notes.push(`${failed} of ${s.connections} connections failed: ${ready.find((r) => r.firstError)?.firstError}`);
    if (connected === 0) throw new Error(`no connection opened: ${ready.find((r) => r.firstError)?.firstError ?? 'unknown'}`);

    await subscribeInOrder(workers, bulkHalf, probe, notes);
    await sleep(s.warmupSec * 1000);
    const workerPids = workers.map((w) => w.pid);
    // One server process: its newest trade id counts what it published. Several processes each
    // run their own market, so the clients' sequence spans count instead.
    // Not awaited here: a peer that is busy broadcasting answers seconds late, and the answer's
    // event time is what counts, not when it came.
    const id0 = serverCount === 1 ? newestTrade(port) : null;
    const cpu0 = totalCpuMs(serverPids);
    const load0 = totalCpuMs(workerPids);
    const cores0 = cpuTimes();
    // One server process: its /metrics is the whole server's (several would each answer for themselves).
    const metrics0 = serverCount === 1 && arm.breakdown ? await scrapeMetrics(HOST, port) : null;
    const t0 = performance.now();
    for (const w of workers) w.child.send({ type: 'measure' });
    probe?.child.send({ type: 'measure' });
    let rssAfter = 0;
    const end = t0 + s.windowSec * 1000;
    while (performance.now() < end) {
      await sleep(Math.min(250, end - performance.now()));
      rssAfter = Math.max(rssAfter, totalRss(serverPids));
      if (rssAfter > RSS_CAP) {
        notes.push(`window cut short: server RSS passed ${(RSS_CAP / 1024 ** 3).toFixed(0)} GiB`);
        break;
      }
      if (servers.some((x) => x.child.exitCode !== null)) throw new Error(`server exited during the window: ${servers[0]!.output().slice(-400)}`);
    }
    const results = workers.map((w) => nextMessage(w, 'result', 30_000));
    const probeResult = probe ? nextMessage(probe, 'probe-result', 30_000) : null;
    for (const w of workers) w.child.send({ type: 'stop' });
    probe?.child.send({ type: 'stop' });
    const cpu1 = totalCpuMs(serverPids);
    const load1 = totalCpuMs(workerPids);
    const cores1 = cpuTimes();
    const windowMs = performance.now() - t0;
    const id1 = id0 === null ? null : newestTrade(port);
    const metrics1 = metrics0 === null ? null : await scrapeMetrics(HOST, port);
    if (arm.breakdown && serverCount > 1) notes.push(`no server breakdown: ${serverCount} server processes each keep their own /metrics`);
    else if (arm.breakdown && (metrics0 === null || metrics1 === null)) notes.push('no server breakdown: the server did not answer /metrics within 5 s');
    const got: ResultMsg[] = await Promise.all(results);
    const probes = probeResult ? (await probeResult).positions : [];
    return streamRow({
      scenario: s,
      requestedConnections: s.connections,
      connected,
      results: got,
      windowMs,
      published: await bothOrNull(id0, id1),
      serverCpuMs: cpu1 - cpu0,
      serverRssBefore: rssBefore,
      serverRssAfter: rssAfter || totalRss(serverPids),
      serverProcesses: serverCount,
      serverCores: SERVER_CORES,
      loadCpuMs: load1 - load0,
      loadCores: LOAD_CORES,
      cores: coreUse(cores0, cores1),
      probes,
      breakdown: breakdownBetween(metrics0, metrics1),
      notes,
    });
  } finally {
    await Promise.all(spawned.map((x) => stop(x)));
  }
}

async function runCapacity(s: Scenario): Promise<Row> {
  const spawned: Spawned[] = [];
  try {
    const { servers, port, notes } = await startServers(s, 1);
    spawned.push(...servers);
    const pid = servers[0]!.pid;
    const rssBefore = totalRss([pid]);
    await sleep(s.warmupSec * 1000);
    const url = `http://${HOST}:${port}${armSpec(s.arm).clientPath(armOptions(s, port))}`;
    const cpu0 = cpuMs(pid) ?? 0;
    const cores0 = cpuTimes();
    const t0 = performance.now();
    const ac = spawnPinned(process.execPath, [
      here('../node_modules/autocannon/autocannon.js'),
      '-c', String(s.connections), '-R', String(s.requestRate ?? 1000), '-d', String(s.windowSec), '-j', url,
    ], 1);
    spawned.push(ac);
    let acCpu = 0;
    let rssAfter = 0;
    const out: Buffer[] = [];
    ac.child.stdout?.on('data', (d: Buffer) => out.push(d));
    // Sample the generator's CPU until it exits (after exit /proc no longer has it).
    const exited = new Promise<number | null>((r) => ac.child.once('exit', (code) => r(code)));
    let code: number | null | undefined;
    void exited.then((c) => (code = c));
    while (code === undefined) {
      acCpu = cpuMs(ac.pid) ?? acCpu;
      if (performance.now() - t0 > (s.windowSec - 0.3) * 1000 && rssAfter === 0) rssAfter = totalRss([pid]);
      await sleep(100);
    }
    const cpu1 = cpuMs(pid) ?? cpu0;
    const cores1 = cpuTimes();
    const wallMs = performance.now() - t0;
    if (code !== 0) throw new Error(`autocannon exited with code ${code}: ${ac.output().slice(-400)}`);
    const result = JSON.parse(Buffer.concat(out).toString()) as AutocannonResult;
    return capacityRow({
      scenario: s, result, wallMs, serverCpuMs: cpu1 - cpu0, serverRssBefore: rssBefore,
      serverRssAfter: rssAfter || totalRss([pid]), serverCores: SERVER_CORES, loadCpuMs: acCpu, loadCores: LOAD_CORES,
      cores: coreUse(cores0, cores1), notes,
    });
  } finally {
    await Promise.all(spawned.map((x) => stop(x)));
  }
}
