// The fleet scenario's figures, from its raw measurements: per phase (one process, the fleet with
// clients on the gateways directly, the fleet behind haproxy) delivered updates/s against offered,
// trade ids lost, CPU per 1,000 updates per role (as measured, and above what the process spends
// with no client), RSS per socket per gateway; the market's and Redis's CPU per batch; and what a
// machine of N cores would carry by those figures. Pure: tested in test/bench/fleet-figures.test.ts.
// bench/fleet/run.ts measures, bench/report/fleet.ts shows.
import type { ResultMsg } from '../load/protocol.ts';
import { mergeHistograms, summarize } from '../histograms.ts';
import { eventRate, lossRate } from '../sequences.ts';
import { tallyResults } from '../row.ts';
import { cpuMsPer1k, cpuPct } from '../cpu.ts';

/** The roles of the processes a phase measures. `single` is a lone tickwire (market and sockets in one). */
export type Role = 'single' | 'gateway' | 'market' | 'redis' | 'haproxy';

/** How the clients reached the servers in a phase. */
export type Setup = 'single' | 'direct' | 'haproxy';

/** A process's RSS and sockets after a wave of clients connected and subscribed. */
export interface RssStep {
  readonly sockets: number;
  readonly rssBytes: number;
}

/** One server process over a phase's window, as measured. */
export interface ProcessSample {
  /** `tickwire`, `gateway 1` …, `market`, `redis`, `haproxy`. */
  readonly name: string;
  readonly role: Role;
  /** utime + stime in the window, ms. */
  readonly cpuMs: number;
  /** CPU per second with no client connected (an idle window before the first phase), ms; null when not measured. */
  readonly idleCpuMsPerSec: number | null;
  /** RSS before any client of the run connected, bytes; null when not read. */
  readonly rssBaseBytes: number | null;
  /** Highest RSS seen in the window, bytes. */
  readonly rssPeakBytes: number;
  /** WebSocket connections it held in the window (its own /metrics gauge); null for roles without sockets. */
  readonly sockets: number | null;
  /** Its RSS after each wave of clients (a phase connects its clients in one or two waves). */
  readonly rssSteps: readonly RssStep[];
}

/** What one phase measured, before any arithmetic. */
export interface PhaseRaw {
  readonly name: string;
  readonly setup: Setup;
  readonly requested: number;
  readonly connected: number;
  readonly failed: number;
  readonly firstError?: string;
  readonly results: readonly ResultMsg[];
  readonly windowMs: number;
  /** The newest trade id at the window's start and end (REST, from a serving process); null when it did not answer. */
  readonly published: readonly [number, number] | null;
  readonly processes: readonly ProcessSample[];
  readonly loadProcesses: number;
  /** The load processes' CPU in the window, ms, and the cores they may use. */
  readonly loadCpuMs: number;
  readonly loadCores: number;
  /** Pinned runs: how busy the servers' core (0) and the load's core (1) were in the window, every process on them included, %. */
  readonly cores: { readonly serverBusyPct: number; readonly loadBusyPct: number } | null;
  readonly loadAverage: readonly number[];
  readonly notes: readonly string[];
}

export interface ProcessFigures extends ProcessSample {
  /** Share of one core in the window, %. */
  readonly cpuPct: number;
  /** Share of one core with no client, %; null when not measured. */
  readonly idlePct: number | null;
  /**
   * Its CPU per 1,000 updates, ms: of the updates on its own sockets for a gateway or the lone
   * process (its share of the sockets × the updates delivered), of all the updates for the others.
   */
  readonly cpuMsPer1k: number | null;
  /** The same less its idle CPU over the window: what the updates cost. */
  readonly cpuMsPer1kAboveIdle: number | null;
}

/** CPU ms per 1,000 delivered updates, by role (summed over its processes); null where the phase has none. */
export type CpuByRole = Readonly<Record<Role, number | null>> & {
  /** The processes that write the sockets: the lone process, or the gateways. */
  readonly serving: number | null;
  /** Every measured server process. */
  readonly all: number | null;
};

export interface PhaseFigures {
  readonly name: string;
  readonly setup: Setup;
  readonly requested: number;
  readonly sockets: number;
  readonly failed: number;
  readonly firstError?: string;
  readonly loadProcesses: number;
  readonly windowSec: number;
  /** Trades per second on the stream in the window. */
  readonly tradesPerSec: number | null;
  /** Where tradesPerSec comes from: the newest trade id at both ends of the window, or the clients' event times (a guess at low rates). */
  readonly tradesPerSecFrom: 'server' | 'clients' | null;
  /** tradesPerSec × sockets: what full delivery would be. */
  readonly offeredPerSec: number | null;
  readonly deliveredPerSec: number;
  /** delivered ÷ offered. */
  readonly deliveredShare: number | null;
  /** Trade ids missing on the sockets (skipped in a stream, or owed by a stream the server closed). */
  readonly missedIds: number;
  readonly lossRate: number;
  readonly disordered: number;
  readonly closedByServer: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number } | null;
  readonly cpuMsPer1k: CpuByRole;
  /** CPU per 1,000 updates less each process's idle CPU over the window; null where an idle figure is missing. */
  readonly cpuMsPer1kAboveIdle: CpuByRole;
  readonly processes: readonly ProcessFigures[];
  /** The load processes' CPU as a share of their cores, %. */
  readonly loadCpuPct: number;
  readonly cores: PhaseRaw['cores'];
  readonly loadAverage: readonly number[];
  readonly notes: readonly string[];
}

const ROLES: readonly Role[] = ['single', 'gateway', 'market', 'redis', 'haproxy'];

/** A process's CPU in the window less what it spends with no client; null without an idle figure. */
const aboveIdle = (p: ProcessSample, windowSec: number): number | null =>
  p.idleCpuMsPerSec === null ? null : Math.max(0, p.cpuMs - p.idleCpuMsPerSec * windowSec);

export function phaseFigures(raw: PhaseRaw): PhaseFigures {
  const t = tallyResults(raw.results);
  const windowSec = raw.windowMs / 1000;
  const deliveredPerSec = windowSec > 0 ? t.received / windowSec : 0;
  const notes = [...raw.notes];
  // The server's newest id at both ends of the window. The clients' first and last event times are
  // the fallback: at a few trades a second (arrivals in bursts) their span is shorter than the
  // window and the rate reads high.
  const fromServer = raw.published && windowSec > 0 && raw.published[1] >= raw.published[0] ? (raw.published[1] - raw.published[0]) / windowSec : null;
  const fromClients = fromServer === null ? eventRate(t.firstEvent, t.lastEvent) : null;
  if (fromServer === null && fromClients !== null) notes.push('trades/s from the span of event times the clients saw (the server did not answer): reads high at a few trades a second');
  const tradesPerSec = fromServer ?? fromClients;
  const offeredPerSec = tradesPerSec === null ? null : tradesPerSec * raw.connected;
  const h = mergeHistograms(raw.results.map((r) => r.latency));
  const lat = summarize(h);
  h.destroy();
  const per1k = (ms: number | null) => (ms === null ? null : cpuMsPer1k(ms, t.received));
  const byRole = (cpu: (p: ProcessSample) => number | null): CpuByRole => {
    const sumOf = (pick: (p: ProcessSample) => boolean): number | null => {
      const ps = raw.processes.filter(pick);
      if (ps.length === 0) return null;
      const each = ps.map(cpu);
      return each.some((x) => x === null) ? null : per1k(each.reduce((a: number, b) => a + b!, 0));
    };
    return {
      ...(Object.fromEntries(ROLES.map((r) => [r, sumOf((p) => p.role === r)])) as Record<Role, number | null>),
      serving: sumOf((p) => p.role === 'single' || p.role === 'gateway'),
      all: sumOf(() => true),
    };
  };
  if (t.msStamps) notes.push('event stamps arrived in ms, not µs');
  if (t.closedConnections > 0) notes.push(`${t.closedConnections} sockets were closed from the server side during the window; the ids they were owed count as lost`);
  return {
    name: raw.name,
    setup: raw.setup,
    requested: raw.requested,
    sockets: raw.connected,
    failed: raw.failed,
    ...(raw.firstError ? { firstError: raw.firstError } : {}),
    loadProcesses: raw.loadProcesses,
    windowSec,
    tradesPerSec,
    tradesPerSecFrom: fromServer !== null ? 'server' : fromClients !== null ? 'clients' : null,
    offeredPerSec,
    deliveredPerSec,
    deliveredShare: offeredPerSec ? deliveredPerSec / offeredPerSec : null,
    missedIds: t.missed,
    lossRate: lossRate(t.missed, t.expected),
    disordered: t.disordered,
    closedByServer: t.closedConnections,
    latencyMs: lat ? { p50: lat.p50 / 1000, p99: lat.p99 / 1000 } : null,
    cpuMsPer1k: byRole((p) => p.cpuMs),
    cpuMsPer1kAboveIdle: byRole((p) => aboveIdle(p, windowSec)),
    processes: raw.processes.map((p) => {
      // A process that holds some of the sockets is charged for its share of the updates (the
      // stream is the same on every socket); the market and Redis for all of them.
      const share = p.sockets !== null && raw.connected > 0 ? Math.min(1, p.sockets / raw.connected) : 1;
      const own = (ms: number | null) => (ms === null ? null : cpuMsPer1k(ms, t.received * share));
      return {
        ...p,
        cpuPct: cpuPct(p.cpuMs, raw.windowMs, 1),
        idlePct: p.idleCpuMsPerSec === null ? null : p.idleCpuMsPerSec / 10,
        cpuMsPer1k: own(p.cpuMs),
        cpuMsPer1kAboveIdle: own(aboveIdle(p, windowSec)),
      };
    }),
    loadCpuPct: cpuPct(raw.loadCpuMs, raw.windowMs, raw.loadCores),
    cores: raw.cores,
    loadAverage: raw.loadAverage,
    notes,
  };
}

/**
 * A gateway's memory per socket: the least-squares slope of its RSS over the steps of the largest
 * direct phase (none of the phase's clients, a first wave, all of them: the same process, seconds
 * apart), as the bench states memory per connection for the arms (bench/memory.ts). Not
 * base-subtracted: a gateway's RSS right after start-up still holds the garbage of restoring the
 * market's snapshot, collected later, so with thousands of sockets its RSS can be below its RSS
 * before any client.
 */
export interface GatewayMemory {
  readonly name: string;
  /** RSS when the fleet was ready, before any client connected. */
  readonly rssBeforeClientsBytes: number | null;
  readonly steps: readonly RssStep[];
  readonly perSocketBytes: number | null;
  /** Why there is no figure. */
  readonly why?: string;
  /** Peak RSS ÷ sockets at the largest count: the process's whole memory spread over its sockets, a ceiling for one socket's. */
  readonly ceilingPerSocketBytes: number | null;
}

/** Least-squares slope of y over x; null with fewer than two distinct x. */
export function slope(points: readonly (readonly [number, number])[]): number | null {
  const n = points.length;
  if (n < 2) return null;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  const sxx = points.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
  return sxx > 0 ? points.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0) / sxx : null;
}

export function gatewayMemory(phases: readonly PhaseFigures[]): GatewayMemory[] {
  const big = phases.filter((p) => p.setup === 'direct').sort((a, b) => b.sockets - a.sockets)[0];
  if (!big) return [];
  return big.processes.filter((p) => p.role === 'gateway').map((g) => {
    const base = { name: g.name, rssBeforeClientsBytes: g.rssBaseBytes, steps: g.rssSteps, ceilingPerSocketBytes: g.sockets ? g.rssPeakBytes / g.sockets : null };
    const k = slope(g.rssSteps.map((x) => [x.sockets, x.rssBytes] as const));
    if (k === null) return { ...base, perSocketBytes: null, why: 'one socket count only' };
    if (k < 0) return { ...base, perSocketBytes: null, why: 'RSS fell as sockets were added: noise (GC) larger than the sockets’ memory' };
    return { ...base, perSocketBytes: k };
  });
}

/** CPU of one fleet process per batch the market wrote, over the fleet's whole life (minutes, not one window). */
export interface BatchCost {
  readonly role: 'market' | 'redis';
  readonly cpuMs: number;
  readonly batches: number;
  readonly spanSec: number;
  readonly msPerBatch: number | null;
  /** Share of one core over the span, %. */
  readonly cpuPct: number;
}

export function batchCost(role: BatchCost['role'], cpuMs: number, batches: number, spanMs: number): BatchCost {
  return { role, cpuMs, batches, spanSec: spanMs / 1000, msPerBatch: batches > 0 ? cpuMs / batches : null, cpuPct: cpuPct(cpuMs, spanMs, 1) };
}

/** The measured figures a projection is made from. */
export interface ProjectionInput {
  /** b: gateway CPU per 1,000 delivered updates above the gateways' idle CPU (largest direct phase), ms. */
  readonly gatewayMsPer1k: number;
  /** a: one gateway's CPU with no client, in cores (applying the market's batches, timers, health checks). */
  readonly gatewayIdleCores: number;
  /** h: haproxy's CPU per 1,000 updates it relayed, above its idle CPU, ms; null when not measured. */
  readonly haproxyMsPer1k: number | null;
  /** Updates each socket is sent per second (the stream's trades/s). */
  readonly updatesPerSocket: number;
  /** Over the fleet's whole run, or over the largest direct phase's window only. */
  readonly updatesPerSocketFrom: 'run' | 'window';
  /** Batches the market wrote per second. */
  readonly batchesPerSec: number;
  readonly marketMsPerBatch: number;
  /** redis-server CPU per batch with `gateways` gateways reading, ms. */
  readonly redisMsPerBatch: number;
  readonly gateways: number;
  /** Gateway memory: RSS with no clients and RSS per socket, bytes; null when not measured. */
  readonly gatewayBaseRssBytes: number | null;
  readonly rssPerSocketBytes: number | null;
}

export interface ProjectionRow {
  readonly cores: number;
  /** One gateway per core. */
  readonly gateways: number;
  /** Cores left for the gateways' updates once the market, Redis and the gateways' own idle work have theirs. */
  readonly gatewayCores: number;
  /** Redis's share of its one core with this many gateways (an upper bound, see redisCores), %. */
  readonly redisCorePct: number;
  /** Redis would need more than its one core: the fleet cannot run this many gateways at this batch rate. */
  readonly redisBound: boolean;
  readonly updatesPerSec: number;
  readonly sockets: number;
  readonly viaHaproxy: { readonly updatesPerSec: number; readonly sockets: number } | null;
  /** gateways × RSS with no clients + sockets × RSS per socket, bytes; null without the memory figures. */
  readonly memoryBytes: number | null;
}

export interface Projection {
  readonly input: ProjectionInput;
  /** Updates one core of gateway work delivers per second: 1,000,000 ÷ b. */
  readonly updatesPerCore: number;
  readonly updatesPerCoreViaHaproxy: number | null;
  /** The market's cores at the measured batch rate (batches/s × ms per batch ÷ 1,000). */
  readonly marketCores: number;
  /** The batch rate at which the market's one core is full. */
  readonly marketMaxBatchesPerSec: number;
  /** The batch rate at which Redis's one core is full with the measured gateways reading. */
  readonly redisMaxBatchesPerSec: number;
  /** The number of gateways at which Redis's one core is full at the measured batch rate (upper-bound model: a floor). */
  readonly redisMaxGateways: number;
  readonly rows: readonly ProjectionRow[];
}

export const PROJECTED_CORES = [2, 4, 8, 16, 32, 64] as const;

/**
 * Redis's cores with `gateways` reading, at the measured batch rate. Its CPU per batch was measured
 * with `input.gateways` readers; all of it is taken to grow with the readers (each gateway's
 * blocking read of the log), which overstates it (the one append per batch does not grow): an upper
 * bound, so the gateway count where Redis fills its core is a floor.
 */
export const redisCores = (input: ProjectionInput, gateways: number): number =>
  (input.batchesPerSec * input.redisMsPerBatch * (gateways / input.gateways)) / 1000;

/**
 * What N cores carry, one gateway per core: the market, Redis and each gateway's idle work take
 * their measured share, the updates get the rest at the measured CPU per update.
 *   updates/s(N) = (N − B·m/1000 − N·B·r/(1000·G₀) − N·a) × 1,000,000 / b
 *   sockets(N)   = updates/s(N) ÷ s
 * b gateway ms per 1,000 updates above idle, a a gateway's idle cores, m market and r Redis ms per
 * batch (r at G₀ gateways), B batches/s, s updates per socket per second; behind haproxy (on the same
 * cores) b becomes b + h, haproxy's ms per 1,000 updates above its idle.
 */
export function project(input: ProjectionInput, cores: readonly number[] = PROJECTED_CORES): Projection {
  const b = input.gatewayMsPer1k;
  const h = input.haproxyMsPer1k;
  const marketCores = (input.batchesPerSec * input.marketMsPerBatch) / 1000;
  const rows = cores.map((n): ProjectionRow => {
    const rc = redisCores(input, n);
    const gatewayCores = Math.max(0, n - marketCores - Math.min(1, rc) - n * input.gatewayIdleCores);
    const updatesPerSec = b > 0 ? (gatewayCores * 1e6) / b : 0;
    const sockets = input.updatesPerSocket > 0 ? updatesPerSec / input.updatesPerSocket : 0;
    const proxied = h !== null && b + h > 0 ? (gatewayCores * 1e6) / (b + h) : null;
    return {
      cores: n,
      gateways: n,
      gatewayCores,
      redisCorePct: rc * 100,
      redisBound: rc >= 1,
      updatesPerSec,
      sockets,
      viaHaproxy: proxied === null ? null : { updatesPerSec: proxied, sockets: input.updatesPerSocket > 0 ? proxied / input.updatesPerSocket : 0 },
      memoryBytes: input.gatewayBaseRssBytes !== null && input.rssPerSocketBytes !== null ? n * input.gatewayBaseRssBytes + sockets * input.rssPerSocketBytes : null,
    };
  });
  const perGatewayRedisMsPerBatch = input.redisMsPerBatch / input.gateways;
  return {
    input,
    updatesPerCore: b > 0 ? 1e6 / b : 0,
    updatesPerCoreViaHaproxy: h !== null && b + h > 0 ? 1e6 / (b + h) : null,
    marketCores,
    marketMaxBatchesPerSec: input.marketMsPerBatch > 0 ? 1000 / input.marketMsPerBatch : Infinity,
    redisMaxBatchesPerSec: input.redisMsPerBatch > 0 ? 1000 / input.redisMsPerBatch : Infinity,
    redisMaxGateways: perGatewayRedisMsPerBatch > 0 && input.batchesPerSec > 0 ? 1000 / (input.batchesPerSec * perGatewayRedisMsPerBatch) : Infinity,
    rows,
  };
}

/** The whole scenario as latest.json holds it (`fleet`). */
export interface FleetResults {
  /** Sockets asked for in the largest direct phase, and in the comparison phases. */
  readonly sockets: number;
  readonly compareSockets: number;
  readonly gateways: number;
  readonly symbol: string;
  /** Mean taker orders per second (`--symbols SYMBOL:rate`). */
  readonly rate: number;
  /** At most this many sockets per load process. */
  readonly perLoad: number;
  /** The lowest open-files limit (ulimit -n) among the server and load processes, as each sees it. */
  readonly openFilesLimit: number | null;
  readonly pinned: boolean;
  /** Length of the idle windows (no client) each setup's CPU baseline comes from, s. */
  readonly idleSec: number;
  /** The stream's mean trades/s over the fleet's whole run (each socket's updates/s), from the newest trade id at both ends; null when not read. */
  readonly tradesPerSec: number | null;
  readonly phases: readonly PhaseFigures[];
  /** Phases that did not finish, and why (the others ran). */
  readonly failures: readonly { readonly phase: string; readonly error: string }[];
  readonly gatewayMemory: readonly GatewayMemory[];
  readonly batches: readonly BatchCost[];
  readonly projection: Projection | null;
  /** Why there is no projection, when there is none. */
  readonly projectionMissing?: string;
  readonly durationSec: number;
  readonly loadAverageAtStart: readonly number[];
  readonly loadAverageAtEnd: readonly number[];
  readonly notes: readonly string[];
}

const mean = (xs: readonly number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/**
 * The projection's inputs from the phases: gateway CPU per update above idle and the gateways' idle
 * CPU from the largest direct phase, each socket's updates/s from the stream's rate over the run
 * (else that phase's window), haproxy's from the haproxy phase, memory
 * from the gateways (mean RSS before clients, mean RSS per socket), the market's and Redis's per
 * batch over the fleet's life. A string says what is missing.
 */
export function projectionInput(
  phases: readonly PhaseFigures[], batches: readonly BatchCost[], gateways: number, memory: readonly GatewayMemory[], tradesPerSec: number | null = null,
): ProjectionInput | string {
  const direct = phases.filter((p) => p.setup === 'direct' && p.sockets > 0).sort((a, b) => b.sockets - a.sockets)[0];
  if (!direct) return 'no direct fleet phase delivered anything';
  const b = direct.cpuMsPer1kAboveIdle.gateway;
  const idle = mean(direct.processes.filter((p) => p.role === 'gateway' && p.idlePct !== null).map((p) => p.idlePct! / 100));
  if (b === null || idle === null) return 'the direct phase has no CPU per update above idle (nothing delivered, or no idle window)';
  // Each socket's updates/s: the stream's rate over the whole run, else the phase's window.
  const s = tradesPerSec ?? direct.tradesPerSec ?? (direct.sockets > 0 ? direct.deliveredPerSec / direct.sockets : 0);
  const proxied = phases.find((p) => p.setup === 'haproxy' && p.sockets > 0);
  const market = batches.find((x) => x.role === 'market');
  const redis = batches.find((x) => x.role === 'redis');
  if (!market?.msPerBatch || !redis?.msPerBatch) return 'no batch was written while the fleet ran, so there is no CPU per batch';
  return {
    gatewayMsPer1k: b,
    gatewayIdleCores: idle,
    haproxyMsPer1k: proxied?.cpuMsPer1kAboveIdle.haproxy ?? null,
    updatesPerSocket: s,
    updatesPerSocketFrom: tradesPerSec !== null ? 'run' : 'window',
    batchesPerSec: market.spanSec > 0 ? market.batches / market.spanSec : 0,
    marketMsPerBatch: market.msPerBatch,
    redisMsPerBatch: redis.msPerBatch,
    gateways,
    gatewayBaseRssBytes: mean(memory.map((m) => m.rssBeforeClientsBytes).filter((x): x is number => x !== null)),
    // Only when every gateway gave a slope: the ones that did not are those where GC moved RSS more
    // than the sockets did, and the mean of the rest would lean low.
    rssPerSocketBytes: memory.length > 0 && memory.every((m) => m.perSocketBytes !== null) ? mean(memory.map((m) => m.perSocketBytes!)) : null,
  };
}
