// The fleet scenario of `npm run bench -- --full` (and `--only fleet`): one process against a fleet
// (`npm run fleet -- --proxy`: a private redis-server, the market, N gateways each on its own
// 127.0.0.x address, haproxy in front), each delivering one trade stream to the bench's load
// processes, in phases measured one after the other in one run:
//   1. one process, `compareSockets` sockets;
//   2. the fleet, the same sockets on the gateways directly (spread evenly);
//   3. the fleet, the same sockets through haproxy (which holds two files per client, so it stays
//      below its open-files limit: that is why the comparison count is modest);
//   4. the fleet, `sockets` sockets (50,000 by default) on the gateways directly.
// Figures and the projection: figures.ts (pure); shown by bench/report/fleet.ts.
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ResultMsg, StartMsg, SubscribeMsg } from '../load/protocol.ts';
import { adoptPid, killPid, LOAD_CORES, PINNING, sleep, spawnNode, stop, waitForLine, type Spawned } from '../children.ts';
import { cpuTimes, openFilesLimitOf, rssBytes, runTimeMs } from '../proc.ts';
import { coreBusyPct } from '../cpu.ts';
import { metricTotal, scrapeMetrics } from '../breakdown.ts';
import { newestTrade, nextMessage } from '../step.ts';
import { tickwireMarketFlags } from '../arms.ts';
import { freePort } from '../../server/fleet/redis-server.ts';
import { findHaproxy, maxconnFor, openFilesLimit } from '../../server/edge/haproxy-process.ts';
import { batchCost, gatewayMemory, phaseFigures, project, projectionInput, type BatchCost, type FleetResults, type PhaseFigures, type PhaseRaw, type ProcessSample, type Role, type RssStep, type Setup } from './figures.ts';

const here = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));
const HOST = '127.0.0.1';
export const FLEET_SYMBOL = 'SOLUSDT';
/** At most this many sockets per load process (each on its own source address). */
export const PER_LOAD = 10_000;
/** Sockets a server process may hold: its open-files limit less room for its own files. */
const FILES_MARGIN = 500;

export interface FleetOptions {
  /** Sockets of the largest phase, on the gateways directly. */
  readonly sockets: number;
  /** Sockets of the side-by-side phases (one process, fleet direct, fleet through haproxy). */
  readonly compareSockets: number;
  readonly gateways: number;
  /** Mean taker orders per second on the one stream. */
  readonly rate: number;
  readonly warmupSec: number;
  readonly windowSec: number;
  /** Phases to run (default all): the thin script bench/scripts/fleet-vs-single.ts runs two. */
  readonly phases?: readonly PhaseKind[];
  readonly progress: (line: string) => void;
}

export type PhaseKind = 'single' | 'direct-compare' | 'haproxy' | 'direct';

/** Defaults of the scenario in the full bench: 4 gateways × 12,500 sockets, each gateway well under 20,000 files. */
export const FLEET_DEFAULTS = { sockets: 50_000, gateways: 4, rate: 1, warmupSec: 3, windowSec: 15 } as const;

/**
 * The side-by-side count: what one process and haproxy can both hold (haproxy holds two files per
 * client: its maxconn under this machine's open-files limit), at most 8,000 and a quarter of the
 * largest count, so a small development run (`--fleet-sockets 2000`) keeps every phase apart.
 */
export function compareSocketsFor(sockets: number, haproxyMaxconn: number): number {
  return Math.max(1, Math.min(8_000, Math.floor(haproxyMaxconn * 0.9), Math.floor(sockets / 4)));
}

/** The comparison count on this machine (haproxy's maxconn from the open-files hard limit). */
export const compareSocketsHere = (sockets: number): number => compareSocketsFor(sockets, maxconnFor(openFilesLimit()));

/** Rough seconds the scenario takes (start-ups, connecting, warm-up, windows, stops): for the ETA. */
export function estimateFleetSec(o: Pick<FleetOptions, 'sockets' | 'compareSockets' | 'warmupSec' | 'windowSec' | 'phases'>): number {
  const phases = o.phases ?? ['single', 'direct-compare', 'haproxy', 'direct'];
  const phase = (sockets: number) => 8 + sockets / 600 + warmupSecFor(o.warmupSec, sockets) + o.windowSec;
  return (phases.includes('single') ? 10 : 0) + 35 + phases.reduce((t, k) => t + phase(k === 'direct' ? o.sockets : o.compareSockets), 0);
}

/** Where one load process connects and how many sockets it opens. */
interface Slot {
  readonly host: string;
  readonly port: number;
  readonly sockets: number;
}

/** `sockets` split over `parts` load processes at host:port (the first ones take the remainder). */
function split(host: string, port: number, sockets: number, parts: number): Slot[] {
  const n = Math.max(1, parts);
  return Array.from({ length: n }, (_, i) => ({ host, port, sockets: Math.floor(sockets / n) + (i < sockets % n ? 1 : 0) })).filter((s) => s.sockets > 0);
}

/** A server process a phase measures: where its /metrics answers (sockets gauge), its base RSS and idle CPU. */
interface Measured {
  readonly name: string;
  readonly role: Role;
  readonly pid: number;
  readonly metrics: { readonly host: string; readonly port: number } | null;
  readonly rssBase: number | null;
  readonly idleCpuMsPerSec: number | null;
}

/** Where a phase asks for the newest trade id (REST) at both ends of its window. */
interface RestAt {
  readonly host: string;
  readonly port: number;
}

const loadAverage = (): number[] => loadavg().map((x) => Math.round(x * 100) / 100);
const n = (x: number): string => x.toLocaleString('en');
/** Seconds a process settles after a wave of clients before its RSS is read (the lowest reading counts: garbage comes and goes). */
const SETTLE_SEC = 2;
/** The warm-up before a window: 1 s more per 5,000 sockets than `warmupSec` (13 s at 50,000 with the default 3). */
export const warmupSecFor = (warmupSec: number, sockets: number): number => warmupSec + Math.floor(sockets / 5_000);

/** Sockets each load process subscribes at a time (it waits for their replies before the next slice). */
export const SUBSCRIBE_SLICE = 250;
/** The idle window (no client) each setup's CPU baseline comes from, s. */
export const IDLE_SEC = 5;

/** CPU per second of each process over an idle window (no client connected). */
async function idleCpu(pids: readonly number[], o: FleetOptions, what: string): Promise<Map<number, number>> {
  o.progress(`${what}: idle ${IDLE_SEC} s (no client) for the CPU baseline …`);
  const before = pids.map((p) => runTimeMs(p) ?? 0);
  const t = performance.now();
  await sleep(IDLE_SEC * 1000);
  const sec = (performance.now() - t) / 1000;
  return new Map(pids.map((p, i) => [p, ((runTimeMs(p) ?? 0) - before[i]!) / sec]));
}

/** The lowest RSS of each process over `sec` (read every 250 ms). */
async function settledRss(pids: readonly number[], sec: number): Promise<number[]> {
  const low = pids.map(() => Infinity);
  for (let t = 0; t < sec * 1000; t += 250) {
    await sleep(250);
    pids.forEach((p, i) => (low[i] = Math.min(low[i]!, rssBytes(p) ?? Infinity)));
  }
  return low.map((x) => (Number.isFinite(x) ? x : 0));
}

/** Each serving process's own count of its WebSocket connections (haproxy: the clients connected to it). */
async function socketCounts(measured: readonly Measured[], connected: number): Promise<(number | null)[]> {
  return Promise.all(measured.map(async (m) => {
    if (m.role === 'haproxy') return connected;
    if (!m.metrics) return null;
    return metricTotal((await scrapeMetrics(m.metrics.host, m.metrics.port)) ?? '', 'tickwire_ws_connections');
  }));
}

/**
 * Connect the waves' sockets (one load process per slot; a wave connects and subscribes before the
 * next starts, and each process's RSS is read after each wave), then measure one window.
 */
async function measurePhase(
  name: string, setup: Setup, waves: readonly (readonly Slot[])[], firstAddress: number, measured: readonly Measured[], rest: RestAt,
  o: FleetOptions, limits: number[],
): Promise<PhaseRaw> {
  const loads: Spawned[] = [];
  const slots = waves.flat();
  const requested = slots.reduce((s, x) => s + x.sockets, 0);
  const notes: string[] = [];
  const pids = measured.map((m) => m.pid);
  const steps: RssStep[][] = measured.map(() => []);
  let connected = 0;
  let failed = 0;
  let firstError: string | undefined;
  /** Read each process's settled RSS and its own socket count: one step of the memory slope. */
  const step = async () => {
    const [rss, counts] = await Promise.all([settledRss(pids, SETTLE_SEC), socketCounts(measured, connected)]);
    measured.forEach((_, i) => steps[i]!.push({ sockets: counts[i] ?? 0, rssBytes: rss[i]! }));
  };
  try {
    // Several waves: a first step with none of this phase's clients (the last phase's are gone).
    if (waves.length > 1) await step();
    for (const [k, wave] of waves.entries()) {
      const t0 = performance.now();
      const asked = wave.reduce((s, x) => s + x.sockets, 0);
      o.progress(`${name}: ${n(asked)} sockets from ${wave.length} load process${wave.length === 1 ? '' : 'es'}${waves.length > 1 ? ` (wave ${k + 1} of ${waves.length})` : ''}, connecting …`);
      const mine = wave.map(() => spawnNode(here('../load/worker.ts'), [], 1, true));
      const offset = loads.length;
      loads.push(...mine);
      const ready = await Promise.all(mine.map((w, i) => {
        const r = nextMessage(w, 'ready', 180_000);
        const slot = wave[i]!;
        w.child.send({
          type: 'start', kind: 'ws', host: slot.host, port: slot.port, path: '/ws?timeUnit=MICROSECOND',
          subscribe: JSON.stringify({ method: 'SUBSCRIBE', params: [`${FLEET_SYMBOL.toLowerCase()}@trade`], id: 1 }),
          connections: slot.sockets, localAddress: `127.0.0.${firstAddress + offset + i}`, rampConcurrency: 200, connectTimeoutMs: 30_000,
        } satisfies StartMsg);
        return r;
      }));
      const open = ready.reduce((s, r) => s + r.open, 0);
      connected += open;
      failed += ready.reduce((s, r) => s + r.failed, 0);
      firstError ??= ready.find((r) => r.firstError)?.firstError;
      o.progress(`${name}: ${n(open)} open${failed ? `, ${n(failed)} failed so far (${firstError})` : ''} in ${((performance.now() - t0) / 1000).toFixed(0)} s; subscribing …`);
      if (open === 0) throw new Error(`${name}: no socket opened: ${firstError ?? 'unknown'}`);
      // In slices: a gateway's whole share subscribing in one burst can hold its event loop past
      // haproxy's health check (500 ms), and haproxy then cuts every session of that gateway.
      const most = Math.max(...ready.map((r) => r.open));
      for (let from = 0; from < most; from += SUBSCRIBE_SLICE) {
        await Promise.all(mine.map((w) => {
          const r = nextMessage(w, 'subscribed', 90_000);
          w.child.send({ type: 'subscribe', from, to: from + SUBSCRIBE_SLICE } satisfies SubscribeMsg);
          return r;
        }));
      }
      await step();
    }
    for (const w of loads) {
      const limit = openFilesLimitOf(w.pid);
      if (limit !== null) limits.push(limit);
    }
    // A big phase needs longer: its last wave has just subscribed, and the backlog that left must drain before the window.
    await sleep(warmupSecFor(o.warmupSec, requested) * 1000);
    const sockets = await socketCounts(measured, connected);
    const cpu0 = measured.map((m) => runTimeMs(m.pid) ?? 0);
    const load0 = loads.map((w) => runTimeMs(w.pid) ?? 0);
    // Not awaited: a busy server answers late, and what counts is the id it held when asked.
    const id0 = newestTrade(rest.port, rest.host);
    const cores0 = cpuTimes();
    const w0 = performance.now();
    o.progress(`${name}: measuring ${o.windowSec} s …`);
    for (const w of loads) w.child.send({ type: 'measure' });
    const peak = measured.map(() => 0);
    const end = w0 + o.windowSec * 1000;
    while (performance.now() < end) {
      await sleep(Math.min(250, Math.max(0, end - performance.now())));
      measured.forEach((m, i) => {
        const r = rssBytes(m.pid);
        if (r === null) throw new Error(`${name}: ${m.name} (pid ${m.pid}) exited during the window`);
        peak[i] = Math.max(peak[i]!, r);
      });
    }
    const results = loads.map((w) => nextMessage(w, 'result', 60_000));
    for (const w of loads) w.child.send({ type: 'stop' });
    const cpu1 = measured.map((m) => runTimeMs(m.pid) ?? 0);
    const load1 = loads.map((w) => runTimeMs(w.pid) ?? 0);
    const windowMs = performance.now() - w0;
    const cores = PINNING ? coreBusyPct(cores0, cpuTimes()) : [];
    const id1 = newestTrade(rest.port, rest.host);
    const got: ResultMsg[] = await Promise.all(results);
    const [a, b] = await Promise.all([id0, id1]);
    const processes: ProcessSample[] = measured.map((m, i) => ({
      name: m.name, role: m.role, cpuMs: cpu1[i]! - cpu0[i]!, idleCpuMsPerSec: m.idleCpuMsPerSec, rssBaseBytes: m.rssBase,
      rssPeakBytes: peak[i]!, sockets: sockets[i] ?? null, rssSteps: steps[i]!,
    }));
    return {
      name, setup, requested, connected, failed, ...(firstError ? { firstError } : {}), results: got, windowMs,
      published: a && b ? [a[0], b[0]] : null, processes,
      loadProcesses: loads.length, loadCpuMs: load1.reduce((x, y) => x + y, 0) - load0.reduce((x, y) => x + y, 0), loadCores: LOAD_CORES,
      cores: cores.length >= 2 ? { serverBusyPct: cores[0]!.busy, loadBusyPct: cores[1]!.busy } : null,
      loadAverage: loadAverage(), notes,
    };
  } finally {
    await Promise.all(loads.map((w) => stop(w)));
  }
}

/** The sockets a process may hold under its open-files limit; throws when a phase asks for more. */
function checkFiles(what: string, pid: number, sockets: number): number | null {
  const limit = openFilesLimitOf(pid);
  if (limit !== null && sockets > limit - FILES_MARGIN) {
    throw new Error(`${what} would hold ${n(sockets)} sockets but may open ${n(limit)} files (ulimit -n): use more gateways or fewer sockets`);
  }
  return limit;
}

interface Single {
  readonly spawned: Spawned;
  readonly port: number;
}

async function startSingle(rate: number): Promise<Single> {
  const s = spawnNode(here('../../server/main.ts'), ['--host', HOST, '--port', '0', ...tickwireMarketFlags(FLEET_SYMBOL, rate)], 0);
  const m = await waitForLine(s, /listening on http:\/\/[^\s:]+:(\d+)/, 60_000);
  return { spawned: s, port: Number(m[1]) };
}

/** One row of the launcher's process table. */
interface TableProcess {
  readonly role: string;
  readonly pid: number;
  readonly host: string;
  readonly port: number;
  readonly admin: { readonly host: string; readonly port: number } | null;
}

/** The process table the launcher prints when the fleet is ready (server/fleet/process-table.ts). */
export function parseFleetTable(text: string): TableProcess[] {
  const table = text.slice(text.lastIndexOf('fleet ready:'));
  const out: TableProcess[] = [];
  for (const m of table.matchAll(/^(redis|market|gateway \d+|haproxy)\s+(\d+)\s+(\S+):(\d+)\s+(\S+)\s/gm)) {
    const admin = /^(\S+):(\d+)$/.exec(m[5]!);
    out.push({ role: m[1]!, pid: Number(m[2]), host: m[3]!, port: Number(m[4]), admin: admin ? { host: admin[1]!, port: Number(admin[2]) } : null });
  }
  return out;
}

interface Fleet {
  readonly spawned: Spawned;
  readonly processes: readonly TableProcess[];
  readonly forget: readonly (() => void)[];
  /** What the launcher said about the gateways' health since it started: haproxy's DOWN/UP lines, restarts. */
  readonly events: string[];
}

/** Launcher lines worth a note in a phase: haproxy taking a gateway out of (or back into) its pool, a process dying. */
export const FLEET_EVENT = /Server gateways\/\S+ is (?:DOWN|UP)[^\n]*|\S+ \(pid \d+\) exited[^\n]*|restarting it[^\n]*/g;

/** `npm run fleet -- --proxy` (server/fleet/launch.ts) pinned to the servers' core: every process it starts inherits the pinning. */
async function startFleet(o: FleetOptions): Promise<Fleet> {
  // A Redis port with nothing on it: the launcher starts a private redis-server (memory only).
  const redisPort = await freePort(HOST);
  const s = spawnNode(here('../../server/fleet/launch.ts'), [
    '--proxy', '--gateways', String(o.gateways), '--host', HOST, '--port', '0', '--redis', `redis://${HOST}:${redisPort}`,
    ...tickwireMarketFlags(FLEET_SYMBOL, o.rate),
  ], 0);
  // Adopt every process as soon as the launcher names it, so a Ctrl-C during start-up stops them too.
  const forget: (() => void)[] = [];
  const events: string[] = [];
  const seen = new Set<number>();
  const onData = (d: Buffer) => {
    for (const m of d.toString().matchAll(FLEET_EVENT)) events.push(m[0].trim());
    for (const m of d.toString().matchAll(/\(pid (\d+)\)|^(?:redis|market|gateway \d+|haproxy)\s+(\d+)\s/gm)) {
      const pid = Number(m[1] ?? m[2]);
      if (pid && pid !== s.pid && !seen.has(pid)) {
        seen.add(pid);
        forget.push(adoptPid(pid));
      }
    }
  };
  s.child.stdout?.on('data', onData);
  s.child.stderr?.on('data', onData);
  try {
    await waitForLine(s, /fleet ready:[\s\S]*\nhaproxy\s+\d+[^\n]*\n/, 240_000);
  } catch (err) {
    await stopFleet({ spawned: s, processes: [], forget, events });
    throw err;
  }
  const processes = parseFleetTable(s.output());
  for (const p of processes) if (!seen.has(p.pid)) forget.push(adoptPid(p.pid));
  if (processes.filter((p) => p.role.startsWith('gateway')).length !== o.gateways || !processes.some((p) => p.role === 'haproxy')) {
    await stopFleet({ spawned: s, processes, forget, events });
    throw new Error(`the fleet's process table is incomplete:\n${s.output().slice(-1500)}`);
  }
  return { spawned: s, processes, forget, events };
}

/** Stop the launcher (it stops its processes in order); whatever outlives it is killed by pid. */
async function stopFleet(f: Fleet): Promise<void> {
  await stop(f.spawned, 30_000);
  for (const p of f.processes) killPid(p.pid);
  for (const forget of f.forget) forget();
}

/** Market batches written so far (its /metrics), and the market's and Redis's CPU. */
async function batchMark(market: TableProcess, redis: TableProcess, rest: RestAt): Promise<{ at: number; batches: number | null; tradeId: number | null; market: number; redis: number }> {
  const [text, newest] = await Promise.all([scrapeMetrics(market.host, market.port), newestTrade(rest.port, rest.host)]);
  return {
    at: performance.now(), batches: metricTotal(text ?? '', 'tickwire_bus_batches_written_total'), tradeId: newest?.[0] ?? null,
    market: runTimeMs(market.pid) ?? 0, redis: runTimeMs(redis.pid) ?? 0,
  };
}

/** Run the scenario's phases and return its figures. Throws when the fleet cannot start or a phase fails. */
export async function runFleetScenario(o: FleetOptions): Promise<FleetResults> {
  const t0 = performance.now();
  const loadAverageAtStart = loadAverage();
  const want = new Set<PhaseKind>(o.phases ?? ['single', 'direct-compare', 'haproxy', 'direct']);
  const notes: string[] = [];
  if (!findHaproxy()) throw new Error('haproxy is not installed (Debian: apt-get install haproxy): the fleet scenario runs `npm run fleet -- --proxy`');
  if (o.sockets / o.gateways > 20_000 - FILES_MARGIN) throw new Error(`${n(o.sockets)} sockets over ${o.gateways} gateways is more than 20,000 open files per gateway`);
  const phases: PhaseFigures[] = [];
  const failures: { phase: string; error: string }[] = [];
  /** Run one phase; a phase that fails is reported and the next one runs. */
  const phase = async (name: string, run: () => Promise<PhaseRaw>, events: () => readonly string[] = () => []): Promise<void> => {
    try {
      phases.push(phaseFigures(await run()));
      o.progress(summary(phases.at(-1)!));
    } catch (err) {
      const seen = events();
      const error = `${(err as Error).message}${seen.length ? ` (the launcher said meanwhile: ${seen.join('; ')})` : ''}`;
      failures.push({ phase: name, error });
      o.progress(`${name}: FAILED: ${error.slice(0, 300)}`);
    }
  };
  const batches: BatchCost[] = [];
  /** The stream's mean trades/s over the fleet's whole run (one window holds a few dozen orders: its rate is noisy). */
  const stream: { tradesPerSec: number | null } = { tradesPerSec: null };
  const limits: number[] = [];
  const addresses = { next: 10 };
  /** Source addresses of a phase's load processes: fresh ones each phase (the last phase's ports may linger in TIME_WAIT). */
  const take = (count: number): number => {
    const first = addresses.next;
    addresses.next += count;
    if (addresses.next > 249) throw new Error('out of source addresses 127.0.0.10–249');
    return first;
  };
  const loadsFor = (sockets: number, min: number) => Math.max(min, Math.ceil(sockets / PER_LOAD));

  if (want.has('single')) {
    o.progress(`one process: starting (server/main.ts, ${FLEET_SYMBOL}:${o.rate}) …`);
    const single = await startSingle(o.rate);
    try {
      const pid = single.spawned.pid;
      const limit = checkFiles('one process', pid, o.compareSockets);
      if (limit !== null) limits.push(limit);
      const rssBase = rssBytes(pid);
      const idle = await idleCpu([pid], o, 'one process');
      const measured: Measured[] = [{ name: 'tickwire', role: 'single', pid, metrics: { host: HOST, port: single.port }, rssBase, idleCpuMsPerSec: idle.get(pid) ?? null }];
      const slots = split(HOST, single.port, o.compareSockets, loadsFor(o.compareSockets, o.gateways));
      const rest = { host: HOST, port: single.port };
      await phase('one process', () => measurePhase('one process', 'single', [slots], take(slots.length), measured, rest, o, limits));
    } finally {
      await stop(single.spawned, 5_000);
    }
  }

  const fleetPhases = (['direct-compare', 'haproxy', 'direct'] as const).filter((k) => want.has(k));
  if (fleetPhases.length > 0) {
    o.progress(`fleet: starting npm run fleet -- --proxy --gateways ${o.gateways} (private redis-server, market, gateways on 127.0.0.2…, haproxy) …`);
    const fleet = await startFleet(o);
    try {
      const byRole = (r: string) => fleet.processes.filter((p) => p.role === r);
      const market = byRole('market')[0]!;
      const redis = byRole('redis')[0]!;
      const haproxy = byRole('haproxy')[0]!;
      const gateways = fleet.processes.filter((p) => p.role.startsWith('gateway'));
      for (const g of gateways) {
        const limit = checkFiles(g.role, g.pid, Math.ceil(o.sockets / o.gateways));
        if (limit !== null) limits.push(limit);
      }
      o.progress(`fleet ready: market pid ${market.pid}, redis ${redis.pid}, haproxy ${haproxy.pid} at ${haproxy.host}:${haproxy.port}, ` +
        `gateways ${gateways.map((g) => `${g.host}:${g.port}`).join(', ')}`);
      // Before any client: each process's RSS, and its CPU over an idle window.
      const base = new Map(fleet.processes.map((p) => [p.pid, rssBytes(p.pid)]));
      const gw1 = { host: gateways[0]!.host, port: gateways[0]!.port };
      const mark0 = await batchMark(market, redis, gw1);
      const idle = await idleCpu(fleet.processes.map((p) => p.pid), o, 'fleet');
      const measuredOf = (withHaproxy: boolean): Measured[] => {
        const one = (p: TableProcess, role: Role, name: string, metrics: Measured['metrics'] = null): Measured =>
          ({ name, role, pid: p.pid, metrics, rssBase: base.get(p.pid) ?? null, idleCpuMsPerSec: idle.get(p.pid) ?? null });
        return [
          ...gateways.map((g) => one(g, 'gateway', g.role, g.admin)),
          one(market, 'market', 'market'),
          one(redis, 'redis', 'redis'),
          ...(withHaproxy ? [one(haproxy, 'haproxy', 'haproxy')] : []),
        ];
      };
      /** `sockets` spread evenly over the gateways: each gateway's share. */
      const shares = (sockets: number) => gateways.map((_, i) => Math.floor(sockets / gateways.length) + (i < sockets % gateways.length ? 1 : 0));
      /** Each gateway's share over as few load processes as hold it. */
      const direct = (sockets: number): Slot[] => gateways.flatMap((g, i) => {
        const mine = shares(sockets)[i]!;
        return split(g.host, g.port, mine, Math.ceil(mine / PER_LOAD));
      });
      /**
       * Two waves: a quarter of each gateway's share, then the rest. The gateways' RSS per socket is
       * the slope through their RSS with none of the phase's clients, after the first wave and after
       * the second: the wider the steps, the less a garbage collection in between weighs.
       */
      const twoWaves = (sockets: number): Slot[][] => {
        const first = gateways.map((g, i) => ({ host: g.host, port: g.port, sockets: Math.floor(shares(sockets)[i]! / 4) })).filter((x) => x.sockets > 0);
        const rest = gateways.flatMap((g, i) => {
          const mine = shares(sockets)[i]! - Math.floor(shares(sockets)[i]! / 4);
          return split(g.host, g.port, mine, Math.ceil(mine / PER_LOAD));
        });
        return first.length ? [first, rest] : [rest];
      };
      for (const kind of fleetPhases) {
        const [name, setup, waves] =
          kind === 'direct-compare' ? ['fleet direct', 'direct' as const, [direct(o.compareSockets)]]
          : kind === 'haproxy' ? ['fleet via haproxy', 'haproxy' as const, [split(haproxy.host, haproxy.port, o.compareSockets, loadsFor(o.compareSockets, o.gateways))]]
          : ['fleet direct', 'direct' as const, twoWaves(o.sockets)];
        const count = waves.flat().length;
        const from = fleet.events.length;
        await phase(name, async () => {
          const raw = await measurePhase(name, setup, waves, take(count), measuredOf(setup === 'haproxy'), gw1, o, limits);
          return { ...raw, notes: [...raw.notes, ...fleet.events.slice(from).map((e) => `the launcher said: ${e}`)] };
        }, () => fleet.events.slice(from));
      }
      const mark1 = await batchMark(market, redis, gw1);
      if (mark0.tradeId !== null && mark1.tradeId !== null) stream.tradesPerSec = (mark1.tradeId - mark0.tradeId) / ((mark1.at - mark0.at) / 1000);
      if (mark0.batches !== null && mark1.batches !== null) {
        const written = mark1.batches - mark0.batches;
        batches.push(batchCost('market', mark1.market - mark0.market, written, mark1.at - mark0.at));
        batches.push(batchCost('redis', mark1.redis - mark0.redis, written, mark1.at - mark0.at));
      } else notes.push('the market did not answer /metrics: no CPU per batch');
    } finally {
      o.progress('fleet: stopping …');
      await stopFleet(fleet);
    }
  }

  const memory = gatewayMemory(phases);
  const input = projectionInput(phases, batches, o.gateways, memory, stream.tradesPerSec);
  return {
    sockets: o.sockets, compareSockets: o.compareSockets, gateways: o.gateways, symbol: FLEET_SYMBOL, rate: o.rate, perLoad: PER_LOAD,
    openFilesLimit: limits.length ? Math.min(...limits) : null, pinned: PINNING, idleSec: IDLE_SEC, tradesPerSec: stream.tradesPerSec, phases, failures, gatewayMemory: memory, batches,
    projection: typeof input === 'string' ? null : project(input),
    ...(typeof input === 'string' ? { projectionMissing: input } : {}),
    durationSec: (performance.now() - t0) / 1000, loadAverageAtStart, loadAverageAtEnd: loadAverage(), notes,
  };
}

/** One progress line after a phase. */
function summary(p: PhaseFigures): string {
  const per = (x: number | null) => (x === null ? '–' : x.toFixed(2));
  return `${p.name}, ${n(p.sockets)} sockets: ${n(Math.round(p.deliveredPerSec))} updates/s of ${p.offeredPerSec === null ? '?' : n(Math.round(p.offeredPerSec))} offered, ` +
    `${n(p.missedIds)} ids lost${p.closedByServer ? ` (${n(p.closedByServer)} sockets closed by the server side)` : ''}; CPU ms per 1k updates: serving ${per(p.cpuMsPer1k.serving)}${p.cpuMsPer1k.haproxy !== null ? `, haproxy ${per(p.cpuMsPer1k.haproxy)}` : ''}` +
    `; load average ${p.loadAverage.join(' ')}`;
}
