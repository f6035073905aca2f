// The fleet scenario's figures, from its raw measurements: per phase (one process, the fleet with
// clients on the gateways directly, the fleet behind haproxy) delivered updates/s against offered,
// trade ids lost, CPU per 1,000 updates per role and RSS per socket per gateway; the market's and
// Redis's CPU per batch; and what a machine of N cores would carry by those figures. Pure: tested in
// test/bench/fleet-figures.test.ts. bench/fleet/run.ts measures, bench/report/fleet.ts shows.
import type { ResultMsg } from '../load/protocol.ts';
import { mergeHistograms, summarize } from '../histograms.ts';
import { eventRate, lossRate } from '../sequences.ts';
import { tallyResults } from '../row.ts';
import { cpuMsPer1k, cpuPct } from '../cpu.ts';

/** The roles of the processes a phase measures. `single` is a lone tickwire (market and sockets in one). */
export type Role = 'single' | 'gateway' | 'market' | 'redis' | 'haproxy';

/** How the clients reached the servers in a phase. */
export type Setup = 'single' | 'direct' | 'haproxy';

/** One server process over a phase's window, as measured. */
export interface ProcessSample {
  /** `tickwire`, `gateway 1` …, `market`, `redis`, `haproxy`. */
  readonly name: string;
  readonly role: Role;
  /** utime + stime in the window, ms. */
  readonly cpuMs: number;
  /** RSS before any client of the run connected (its base), bytes; null when not read. */
  readonly rssBaseBytes: number | null;
  /** Highest RSS seen in the window, bytes. */
  readonly rssPeakBytes: number;
  /** WebSocket connections it held in the window (its own /metrics gauge); null for roles without sockets. */
  readonly sockets: number | null;
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
  readonly processes: readonly ProcessSample[];
  readonly loadProcesses: number;
  /** The load processes' CPU in the window, ms, and the cores they may use. */
  readonly loadCpuMs: number;
  readonly loadCores: number;
  readonly loadAverage: readonly number[];
  readonly notes: readonly string[];
}

export interface ProcessFigures extends ProcessSample {
  /** Share of one core in the window, %. */
  readonly cpuPct: number;
  /** Its CPU per 1,000 updates the phase delivered, ms. */
  readonly cpuMsPer1k: number | null;
}

export interface PhaseFigures {
  readonly name: string;
  readonly setup: Setup;
  readonly requested: number;
  readonly sockets: number;
  readonly failed: number;
  readonly firstError?: string;
  readonly loadProcesses: number;
  readonly windowSec: number;
  /** Trades per second on the stream, in event time (the earliest and latest trade any client saw). */
  readonly tradesPerSec: number | null;
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
  /** CPU ms per 1,000 delivered updates, by role (summed over its processes); null where the phase has none. */
  readonly cpuMsPer1k: Readonly<Record<Role, number | null>> & {
    /** The processes that write the sockets: the lone process, or the gateways. */
    readonly serving: number | null;
    /** Every measured server process. */
    readonly all: number | null;
  };
  readonly processes: readonly ProcessFigures[];
  /** The load processes' CPU as a share of their cores, %. */
  readonly loadCpuPct: number;
  readonly loadAverage: readonly number[];
  readonly notes: readonly string[];
}

const ROLES: readonly Role[] = ['single', 'gateway', 'market', 'redis', 'haproxy'];

export function phaseFigures(raw: PhaseRaw): PhaseFigures {
  const t = tallyResults(raw.results);
  const windowSec = raw.windowMs / 1000;
  const deliveredPerSec = windowSec > 0 ? t.received / windowSec : 0;
  const tradesPerSec = eventRate(t.firstEvent, t.lastEvent);
  const offeredPerSec = tradesPerSec === null ? null : tradesPerSec * raw.connected;
  const h = mergeHistograms(raw.results.map((r) => r.latency));
  const lat = summarize(h);
  h.destroy();
  const per1k = (ms: number) => cpuMsPer1k(ms, t.received);
  const sumOf = (pick: (p: ProcessSample) => boolean): number | null => {
    const ps = raw.processes.filter(pick);
    return ps.length ? per1k(ps.reduce((n, p) => n + p.cpuMs, 0)) : null;
  };
  const byRole = Object.fromEntries(ROLES.map((r) => [r, sumOf((p) => p.role === r)])) as Record<Role, number | null>;
  const notes = [...raw.notes];
  if (t.msStamps) notes.push('event stamps arrived in ms, not µs');
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
    offeredPerSec,
    deliveredPerSec,
    deliveredShare: offeredPerSec ? deliveredPerSec / offeredPerSec : null,
    missedIds: t.missed,
    lossRate: lossRate(t.missed, t.expected),
    disordered: t.disordered,
    closedByServer: t.closedConnections,
    latencyMs: lat ? { p50: lat.p50 / 1000, p99: lat.p99 / 1000 } : null,
    cpuMsPer1k: { ...byRole, serving: sumOf((p) => p.role === 'single' || p.role === 'gateway'), all: sumOf(() => true) },
    processes: raw.processes.map((p) => ({
      ...p,
      cpuPct: cpuPct(p.cpuMs, raw.windowMs, 1),
      cpuMsPer1k: per1k(p.cpuMs),
    })),
    loadCpuPct: cpuPct(raw.loadCpuMs, raw.windowMs, raw.loadCores),
    loadAverage: raw.loadAverage,
    notes,
  };
}

/**
 * A gateway's memory per socket: the slope of its peak RSS between the smallest and the largest
 * direct phase (the same process at two socket counts), as the bench states memory per connection
 * for the arms (bench/memory.ts). Not base-subtracted: a gateway's RSS right after start-up holds
 * the garbage of restoring the market's snapshot, collected later, so its RSS with a few hundred
 * sockets can be below its RSS with none.
 */
export interface GatewayMemory {
  readonly name: string;
  /** RSS when the fleet was ready, before any client connected. */
  readonly rssBeforeClientsBytes: number | null;
  readonly from: { readonly sockets: number; readonly rssBytes: number } | null;
  readonly to: { readonly sockets: number; readonly rssBytes: number };
  readonly perSocketBytes: number | null;
  /** Why there is no figure. */
  readonly why?: string;
}

export function gatewayMemory(phases: readonly PhaseFigures[]): GatewayMemory[] {
  const direct = phases.filter((p) => p.setup === 'direct').sort((a, b) => a.sockets - b.sockets);
  const big = direct.at(-1);
  if (!big) return [];
  const small = direct.length > 1 ? direct[0]! : null;
  return big.processes.filter((p) => p.role === 'gateway').map((g) => {
    const to = { sockets: g.sockets ?? 0, rssBytes: g.rssPeakBytes };
    const before = small?.processes.find((x) => x.name === g.name);
    const base = { name: g.name, rssBeforeClientsBytes: g.rssBaseBytes, to };
    if (!before) return { ...base, from: null, perSocketBytes: null, why: 'one socket count only' };
    const from = { sockets: before.sockets ?? 0, rssBytes: before.rssPeakBytes };
    const ds = to.sockets - from.sockets;
    if (!(ds > 0)) return { ...base, from, perSocketBytes: null, why: 'no more sockets at the larger count' };
    const slope = (to.rssBytes - from.rssBytes) / ds;
    if (slope < 0) return { ...base, from, perSocketBytes: null, why: 'RSS fell between the counts: noise (GC) larger than the sockets’ memory' };
    return { ...base, from, perSocketBytes: slope };
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
  /** Gateway CPU per 1,000 delivered updates (all gateways of the largest direct phase), ms. */
  readonly gatewayMsPer1k: number;
  /** haproxy's own CPU per 1,000 updates it relayed, ms; null when not measured. */
  readonly haproxyMsPer1k: number | null;
  /** Updates each socket is sent per second (the stream's trades/s). */
  readonly updatesPerSocket: number;
  /** Batches the market wrote per second. */
  readonly batchesPerSec: number;
  readonly marketMsPerBatch: number;
  /** redis-server CPU per batch with `gateways` gateways reading, ms. */
  readonly redisMsPerBatch: number;
  readonly gateways: number;
  /** Gateway memory: base RSS (no clients) and RSS per socket, bytes; null when not measured. */
  readonly gatewayBaseRssBytes: number | null;
  readonly rssPerSocketBytes: number | null;
}

export interface ProjectionRow {
  readonly cores: number;
  /** One gateway per core. */
  readonly gateways: number;
  /** Cores left to the gateways once the market and Redis have theirs. */
  readonly gatewayCores: number;
  /** Redis's share of its one core with this many gateways (an upper bound, see redisCores), %. */
  readonly redisCorePct: number;
  /** Redis would need more than its one core: the fleet cannot run this many gateways at this batch rate. */
  readonly redisBound: boolean;
  readonly updatesPerSec: number;
  readonly sockets: number;
  readonly viaHaproxy: { readonly updatesPerSec: number; readonly sockets: number } | null;
  /** gateways × base RSS + sockets × RSS per socket, bytes; null without the memory figures. */
  readonly memoryBytes: number | null;
}

export interface Projection {
  readonly input: ProjectionInput;
  /** Updates one core of gateway delivers per second: 1,000,000 ÷ gatewayMsPer1k. */
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
 * blocking read of the log), which overstates it (one append per batch does not grow): an upper
 * bound, so the gateway count where Redis fills its core is a floor.
 */
export const redisCores = (input: ProjectionInput, gateways: number): number =>
  (input.batchesPerSec * input.redisMsPerBatch * (gateways / input.gateways)) / 1000;

/**
 * What N cores carry, one gateway per core: the market and Redis take their measured share, the
 * gateways the rest at the measured CPU per update.
 *   updates/s(N) = (N − B·m/1000 − N·B·r/(1000·G₀)) × 1,000,000 / g
 *   sockets(N)   = updates/s(N) ÷ s
 * g gateway ms per 1,000 updates, m market and r Redis ms per batch at G₀ gateways, B batches/s,
 * s updates per socket per second; behind haproxy g becomes g + haproxy's ms per 1,000 updates.
 */
export function project(input: ProjectionInput, cores: readonly number[] = PROJECTED_CORES): Projection {
  const g = input.gatewayMsPer1k;
  const h = input.haproxyMsPer1k;
  const marketCores = (input.batchesPerSec * input.marketMsPerBatch) / 1000;
  const rows = cores.map((n): ProjectionRow => {
    const rc = redisCores(input, n);
    const gatewayCores = Math.max(0, n - marketCores - Math.min(1, rc));
    const updatesPerSec = g > 0 ? (gatewayCores * 1e6) / g : 0;
    const sockets = input.updatesPerSocket > 0 ? updatesPerSec / input.updatesPerSocket : 0;
    const proxied = h !== null && g + h > 0 ? (gatewayCores * 1e6) / (g + h) : null;
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
    updatesPerCore: g > 0 ? 1e6 / g : 0,
    updatesPerCoreViaHaproxy: h !== null && g + h > 0 ? 1e6 / (g + h) : null,
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
  /** The open-files limit the children run under (ulimit -n). */
  readonly openFilesLimit: number | null;
  readonly pinned: boolean;
  readonly phases: readonly PhaseFigures[];
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

/**
 * The projection's inputs from the phases: gateway CPU per update and the stream's rate from the
 * largest direct phase, haproxy's from the haproxy phase, memory from the gateways (mean RSS before
 * clients, mean RSS per socket), the market's and Redis's per batch over the fleet's life.
 * A string says what is missing.
 */
export function projectionInput(phases: readonly PhaseFigures[], batches: readonly BatchCost[], gateways: number, memory: readonly GatewayMemory[]): ProjectionInput | string {
  const direct = phases.filter((p) => p.setup === 'direct' && p.sockets > 0).sort((a, b) => b.sockets - a.sockets)[0];
  if (!direct) return 'no direct fleet phase delivered anything';
  const g = direct.cpuMsPer1k.gateway;
  if (g === null) return 'the direct phase delivered nothing, so it has no CPU per update';
  const s = direct.tradesPerSec ?? (direct.sockets > 0 ? direct.deliveredPerSec / direct.sockets : 0);
  const proxied = phases.find((p) => p.setup === 'haproxy' && p.sockets > 0);
  const market = batches.find((b) => b.role === 'market');
  const redis = batches.find((b) => b.role === 'redis');
  if (!market?.msPerBatch || !redis?.msPerBatch) return 'no batch was written while the fleet ran, so there is no CPU per batch';
  const bases = memory.map((m) => m.rssBeforeClientsBytes).filter((x): x is number => x !== null);
  const slopes = memory.map((m) => m.perSocketBytes).filter((x): x is number => x !== null);
  const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  return {
    gatewayMsPer1k: g,
    haproxyMsPer1k: proxied?.cpuMsPer1k.haproxy ?? null,
    updatesPerSocket: s,
    batchesPerSec: market.spanSec > 0 ? market.batches / market.spanSec : 0,
    marketMsPerBatch: market.msPerBatch,
    redisMsPerBatch: redis.msPerBatch,
    gateways,
    gatewayBaseRssBytes: mean(bases),
    rssPerSocketBytes: mean(slopes),
  };
}
