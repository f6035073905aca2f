// One result row of latest.json, and the pure arithmetic that turns a step's raw measurements
// into it. Tested in test/bench/row.test.ts.
import type { Histogram } from 'hdr-histogram-js';
import type { ResultMsg } from './load/protocol.ts';
import type { Scenario } from './scenarios.ts';
import { isPolling, type Arm } from './arms.ts';
import { cpuMsPer1k, cpuPct } from './cpu.ts';
import { latencyCurve, mergeHistograms, summarize, type LatencySummary } from './histograms.ts';
import { earlier, eventRate, later, lossRate, type SeqAt } from './sequences.ts';
import { isClientBound } from './thresholds.ts';
import type { Breakdown } from './breakdown.ts';

export interface Row {
  readonly scenario: string;
  readonly arm: Arm;
  readonly connections: number;
  /** Trades published per second on the stream, in event time (see eventsPerSecFrom). */
  readonly eventsPerSec: number;
  /** Updates received per second, all connections together (rest-capacity: responses per second). */
  readonly deliveredPerSec: number;
  readonly lossRate: number;
  /** Event stamp to client receipt, µs (rest-capacity: request latency). Null when nothing arrived. */
  readonly latencyUs: LatencySummary | null;
  readonly serverCpuMsPer1kUpdates: number | null;
  /** Server RSS at the end of the window (all server processes), bytes. */
  readonly serverRssBytes: number;
  readonly bytesPerUpdate: number | null;
  /** Load generator CPU as a share of the cores it may use, %. */
  readonly clientCpuPct: number;
  readonly clientBound: boolean;
  // Beyond the figures the report's table shows:
  /**
   * Where eventsPerSec comes from: the server's newest trade at both ends of the window, the
   * trades the clients saw, other rows of the run at the same rate (a server too busy to answer
   * runs the same seeded market as they do), or the longest sequence span a client saw.
   */
  readonly eventsPerSecFrom: 'server' | 'clients' | 'run' | 'span' | 'config';
  /** Configured mean taker orders per second. */
  readonly rate: number;
  readonly stream?: 'raw' | 'combined';
  readonly pollIntervalMs?: number;
  /** Connections asked for (connections is what actually connected). */
  readonly requestedConnections: number;
  /** (RSS with connections − RSS before) / connections, bytes. */
  readonly rssPerConnectionBytes: number | null;
  readonly serverCpuPct: number;
  /**
   * Pinned runs: how busy the server's core (0) and the load's core (1) were in the window, all
   * processes and the kernel's interrupt work included, and the softirq part (loopback TCP).
   */
  readonly cores: CoreUse | null;
  readonly serverProcesses: number;
  readonly loadProcesses: number;
  /** polling and rest-capacity: requests per second answered. */
  readonly requestsPerSec?: number;
  /** polling: now − newest event time at each response, µs. */
  readonly stalenessUs?: LatencySummary | null;
  readonly errors: number;
  /** Connections closed by the server during the window. */
  readonly closedConnections: number;
  readonly latencyCurve: [number, number][];
  /**
   * Probe connections (own process, few sockets) subscribed among the first, the middle and the
   * last: event stamp to receipt as a client with its own CPU sees it. Null for arms without probes.
   */
  readonly probeLatencyUs: LatencySummary | null;
  readonly probeLatencyCurve: [number, number][];
  readonly probePositions: readonly ProbePosition[];
  /** The server's own account of the window (tickwire only): timer lateness and fan-out span. */
  readonly breakdown: Breakdown | null;
  readonly windowSec: number;
  readonly notes: string[];
}

export interface ProbePosition {
  /** Where in the subscription order: 'first', 'middle', 'last'. */
  readonly position: string;
  readonly received: number;
  readonly missed: number;
  readonly latencyUs: LatencySummary | null;
}

/** Names of probe positions by their count: 3 probes are first, middle and last. */
export const probePositionNames = (n: number): string[] =>
  n === 3 ? ['first', 'middle', 'last'] : Array.from({ length: n }, (_, i) => (i === 0 ? 'first' : i === n - 1 ? 'last' : `#${i + 1}`));

export interface CoreUse {
  readonly serverBusyPct: number;
  readonly serverSoftirqPct: number;
  readonly loadBusyPct: number;
  readonly loadSoftirqPct: number;
}

const bound = (clientCpuPct: number, cores: CoreUse | null): boolean =>
  isClientBound(clientCpuPct, cores ? { loadCoreBusyPct: cores.loadBusyPct, serverCoreBusyPct: cores.serverBusyPct } : undefined);

export interface StreamMeasurement {
  readonly scenario: Scenario;
  readonly requestedConnections: number;
  readonly connected: number;
  readonly results: readonly ResultMsg[];
  readonly windowMs: number;
  /** The server's newest trade at the start and at the end of the window ([id, µs]), when known. */
  readonly published: readonly [SeqAt, SeqAt] | null;
  readonly serverCpuMs: number;
  readonly serverRssBefore: number;
  readonly serverRssAfter: number;
  readonly serverProcesses: number;
  readonly serverCores: number;
  readonly loadCpuMs: number;
  readonly loadCores: number;
  readonly cores: CoreUse | null;
  /** One result per probe connection, in subscription order (empty without probes). */
  readonly probes?: readonly ResultMsg[];
  readonly breakdown?: Breakdown | null;
  readonly notes: string[];
}

/** What the load processes of one window reported, added up (see tallyResults). */
export interface Tally {
  readonly received: number;
  /** Trade ids skipped on open streams, plus what closed streams owe up to the newest id sent. */
  readonly missed: number;
  readonly expected: number;
  readonly disordered: number;
  readonly bytes: number;
  readonly maxSpan: number;
  readonly requests: number;
  readonly errors: number;
  /** Connections the server closed during the window. */
  readonly closedConnections: number;
  readonly openAtStop: number;
  /** The earliest and the latest trade (by event time) any stream saw. */
  readonly firstEvent: SeqAt | null;
  readonly lastEvent: SeqAt | null;
  readonly msStamps: boolean;
}

/**
 * Add up the load processes' results of one window. A stream closed during the window owes every
 * update it did not get up to the newest one sent (the newest id any stream of the window saw).
 */
export function tallyResults(results: readonly ResultMsg[]): Tally {
  let received = 0;
  let missed = 0;
  let expected = 0;
  let disordered = 0;
  let bytes = 0;
  let maxSpan = 0;
  let endSeq = 0;
  let requests = 0;
  let errors = 0;
  let closedConnections = 0;
  let openAtStop = 0;
  let firstEvent: SeqAt | null = null;
  let lastEvent: SeqAt | null = null;
  for (const r of results) {
    firstEvent = earlier(firstEvent, r.firstEvent);
    lastEvent = later(lastEvent, r.lastEvent);
    received += r.received;
    missed += r.missed;
    expected += r.expectedOpen;
    disordered += r.disordered;
    bytes += r.bytes;
    requests += r.requests;
    errors += r.errors;
    openAtStop += r.openAtStop;
    if (r.maxSpan > maxSpan) maxSpan = r.maxSpan;
    if (r.maxLast > endSeq) endSeq = r.maxLast;
  }
  for (const r of results) {
    for (const [first, last] of r.closed) {
      closedConnections++;
      const owed = first === 0 ? maxSpan : endSeq - first + 1;
      const got = first === 0 ? 0 : last - first + 1;
      expected += owed;
      missed += Math.max(0, owed - got);
    }
  }
  return {
    received, missed, expected, disordered, bytes, maxSpan, requests, errors, closedConnections, openAtStop, firstEvent, lastEvent,
    msStamps: results.some((r) => r.msStamps),
  };
}

/** A row from what the load processes reported for a streaming or polling step. */
export function streamRow(m: StreamMeasurement): Row {
  const s = m.scenario;
  const windowSec = m.windowMs / 1000;
  const { received, missed, expected, bytes, maxSpan, requests, errors, closedConnections, firstEvent, lastEvent, msStamps } = tallyResults(m.results);
  const notes = [...m.notes];
  if (msStamps) notes.push('event stamps arrived in ms, not µs: latency resolution is 1 ms');
  if (closedConnections > 0) notes.push(`${closedConnections} connections closed by the server during the window`);
  const serverRate = eventRate(m.published?.[0], m.published?.[1]);
  const clientRate = serverRate ?? eventRate(firstEvent, lastEvent);
  const latency = mergeHistograms(m.results.map((r) => r.latency));
  const staleness = isPolling(s.arm) ? mergeHistograms(m.results.flatMap((r) => (r.staleness ? [r.staleness] : []))) : null;
  const clientCpuPct = cpuPct(m.loadCpuMs, m.windowMs, m.loadCores);
  const probes = m.probes ?? [];
  const probeAll = probes.length ? mergeHistograms(probes.map((r) => r.latency)) : null;
  const names = probePositionNames(probes.length);
  const probePositions: ProbePosition[] = probes.map((r, i) => {
    const h = mergeHistograms([r.latency]);
    const latencyUs = summarize(h);
    h.destroy();
    return { position: names[i]!, received: r.received, missed: r.missed, latencyUs };
  });
  if (probes.some((r) => r.missed > 0)) notes.push(`probes missed ${probes.reduce((n, r) => n + r.missed, 0)} updates`);
  const row: Row = {
    scenario: s.scenario,
    arm: s.arm,
    connections: m.connected,
    // In event time: the server's newest trade at both ends of the window, else the earliest and
    // latest trade the clients saw (a lagging client's span covers backlog, its event times do not).
    eventsPerSec: clientRate ?? maxSpan / windowSec,
    eventsPerSecFrom: serverRate !== null ? 'server' : clientRate !== null ? 'clients' : 'span',
    deliveredPerSec: received / windowSec,
    lossRate: lossRate(missed, expected),
    latencyUs: summarize(latency),
    serverCpuMsPer1kUpdates: cpuMsPer1k(m.serverCpuMs, received),
    serverRssBytes: m.serverRssAfter,
    bytesPerUpdate: received > 0 ? bytes / received : null,
    clientCpuPct,
    clientBound: bound(clientCpuPct, m.cores),
    rate: s.rate,
    ...(s.stream ? { stream: s.stream } : {}),
    ...(s.pollIntervalMs ? { pollIntervalMs: s.pollIntervalMs } : {}),
    requestedConnections: m.requestedConnections,
    rssPerConnectionBytes: m.connected > 0 ? (m.serverRssAfter - m.serverRssBefore) / m.connected : null,
    serverCpuPct: cpuPct(m.serverCpuMs, m.windowMs, m.serverCores),
    cores: m.cores,
    serverProcesses: m.serverProcesses,
    loadProcesses: m.results.length,
    ...(isPolling(s.arm) ? { requestsPerSec: requests / windowSec, stalenessUs: staleness ? summarize(staleness) : null } : {}),
    errors,
    closedConnections,
    latencyCurve: latencyCurve(latency),
    probeLatencyUs: probeAll ? summarize(probeAll) : null,
    probeLatencyCurve: probeAll ? latencyCurve(probeAll) : [],
    probePositions,
    breakdown: m.breakdown ?? null,
    windowSec,
    notes,
  };
  latency.destroy();
  probeAll?.destroy();
  staleness?.destroy();
  return row;
}

/** The fields of autocannon's --json output the bench reads. */
export interface AutocannonResult {
  readonly duration: number;
  readonly requests: { readonly total: number; readonly average: number };
  readonly latency: { readonly p50: number; readonly p99: number; readonly p99_9: number; readonly max: number };
  readonly throughput: { readonly total: number };
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
}

export interface CapacityMeasurement {
  readonly scenario: Scenario;
  readonly result: AutocannonResult;
  readonly wallMs: number;
  readonly serverCpuMs: number;
  readonly serverRssBefore: number;
  readonly serverRssAfter: number;
  readonly serverCores: number;
  readonly loadCpuMs: number;
  readonly loadCores: number;
  readonly cores: CoreUse | null;
  readonly notes: string[];
}

/** A rest-capacity row: one "update" is one answered request; latency is autocannon's (ms → µs). */
export function capacityRow(m: CapacityMeasurement): Row {
  const s = m.scenario;
  const r = m.result;
  const windowSec = r.duration > 0 ? r.duration : m.wallMs / 1000;
  const ok = r.requests.total - r.non2xx;
  const clientCpuPct = cpuPct(m.loadCpuMs, m.wallMs, m.loadCores);
  const ms = (v: number) => Math.round(v * 1000);
  const latencyUs = r.requests.total > 0 ? { p50: ms(r.latency.p50), p99: ms(r.latency.p99), p999: ms(r.latency.p99_9), max: ms(r.latency.max) } : null;
  const notes = [...m.notes, 'latency from autocannon, whole milliseconds'];
  if (s.requestRate && r.requests.total / windowSec < 0.95 * s.requestRate) {
    notes.push(`answered ${Math.round(r.requests.total / windowSec)} req/s of the ${s.requestRate} asked for: at capacity`);
  }
  return {
    scenario: s.scenario,
    arm: s.arm,
    connections: s.connections,
    eventsPerSec: s.rate,
    eventsPerSecFrom: 'config',
    deliveredPerSec: ok / windowSec,
    lossRate: lossRate(r.non2xx + r.errors + r.timeouts, r.requests.total + r.errors + r.timeouts),
    latencyUs,
    serverCpuMsPer1kUpdates: cpuMsPer1k(m.serverCpuMs, ok),
    serverRssBytes: m.serverRssAfter,
    bytesPerUpdate: ok > 0 ? r.throughput.total / ok : null,
    clientCpuPct,
    clientBound: bound(clientCpuPct, m.cores),
    rate: s.rate,
    requestedConnections: s.connections,
    rssPerConnectionBytes: s.connections > 0 ? (m.serverRssAfter - m.serverRssBefore) / s.connections : null,
    serverCpuPct: cpuPct(m.serverCpuMs, m.wallMs, m.serverCores),
    cores: m.cores,
    serverProcesses: 1,
    loadProcesses: 1,
    requestsPerSec: r.requests.total / windowSec,
    errors: r.errors + r.timeouts + r.non2xx,
    closedConnections: 0,
    latencyCurve: latencyUs ? [[50, latencyUs.p50], [99, latencyUs.p99], [99.9, latencyUs.p999], [100, latencyUs.max]] : [],
    probeLatencyUs: null,
    probeLatencyCurve: [],
    probePositions: [],
    breakdown: null,
    windowSec,
    notes,
  };
}

/**
 * Rows whose events/s in could only be guessed from a sequence span (their server was too busy to
 * answer and their clients saw under a second of events) take the median of the rows of the same
 * run and rate that measured it: every arm runs the same seeded market at the same rate.
 */
export function fillEventRates(rows: readonly Row[]): Row[] {
  return rows.map((r) => {
    if (r.eventsPerSecFrom !== 'span') return r;
    const peers = rows
      .filter((x) => x.rate === r.rate && (x.eventsPerSecFrom === 'server' || x.eventsPerSecFrom === 'clients'))
      .map((x) => x.eventsPerSec)
      .sort((a, b) => a - b);
    if (peers.length === 0) return { ...r, notes: [...r.notes, 'events/s in from the longest sequence span a client saw: a floor'] };
    const mid = peers.length >> 1;
    const median = peers.length % 2 ? peers[mid]! : (peers[mid - 1]! + peers[mid]!) / 2;
    return { ...r, eventsPerSec: median, eventsPerSecFrom: 'run', notes: [...r.notes, `events/s in from ${peers.length} other rows at ${r.rate} orders/s (server too busy to answer)`] };
  });
}

export type { Histogram };
