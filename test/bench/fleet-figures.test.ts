// The fleet scenario's arithmetic: phase figures from load results and /proc samples, memory per
// socket as a slope, CPU per batch, the projection to N cores, and the terminal section's width.
import { describe, expect, it } from 'vitest';
import {
  batchCost, gatewayMemory, phaseFigures, project, projectionInput, redisCores, slope,
  type FleetResults, type PhaseFigures, type PhaseRaw, type ProcessSample, type ProjectionInput,
} from '../../bench/fleet/figures.ts';
import { compareSocketsFor, parseFleetTable } from '../../bench/fleet/run.ts';
import { comparisons, fleetHtml, fleetLines } from '../../bench/report/fleet.ts';
import { TABLE_WIDTH } from '../../bench/report/table.ts';
import { metricTotal } from '../../bench/breakdown.ts';
import { parseOpenFilesLimit, parseSchedstatNs } from '../../bench/proc.ts';
import type { ResultMsg } from '../../bench/load/protocol.ts';
import { encodeHistogram, newLatencyHistogram, recordLatency } from '../../bench/histograms.ts';

const S = 1_700_000_000_000_000; // an event time, µs

function result(over: Partial<ResultMsg>): ResultMsg {
  const h = newLatencyHistogram();
  recordLatency(h, 2000);
  return {
    type: 'result', received: 0, missed: 0, disordered: 0, expectedOpen: 0, closed: [], maxLast: 0, maxSpan: 0, bytes: 0,
    latency: encodeHistogram(h), requests: 0, errors: 0, other: 0, msStamps: false, openAtStop: 0, firstEvent: null, lastEvent: null, ...over,
  };
}

const proc = (name: string, role: ProcessSample['role'], cpuMs: number, rssPeakBytes: number, sockets: number | null, over: Partial<ProcessSample> = {}): ProcessSample =>
  ({ name, role, cpuMs, idleCpuMsPerSec: 0, rssBaseBytes: 100e6, rssPeakBytes, sockets, rssSteps: [], ...over });

function raw(over: Partial<PhaseRaw>): PhaseRaw {
  return {
    name: 'fleet direct', setup: 'direct', requested: 1000, connected: 1000, failed: 0, results: [], windowMs: 10_000, published: null, processes: [],
    loadProcesses: 2, loadCpuMs: 5000, loadCores: 1, cores: null, loadAverage: [1, 2, 3], notes: [], ...over,
  };
}

/**
 * A direct phase: `sockets` over two gateways, 10 trades/s, every update delivered; each gateway
 * idles at 50 ms/s (5% of a core) and spends 2 ms per 1,000 updates above that; its RSS grows by
 * `perSocket` bytes a socket between a first wave of half its sockets and the second.
 */
function direct(sockets: number, perSocket = 2000): PhaseFigures {
  const received = sockets * 10 * 10; // 10 s window
  const gw = (name: string) => proc(name, 'gateway', received / 1000 + 500, 150e6, sockets / 2, {
    idleCpuMsPerSec: 50, rssSteps: [{ sockets: sockets / 4, rssBytes: 140e6 }, { sockets: sockets / 2, rssBytes: 140e6 + perSocket * (sockets / 4) }],
  });
  return phaseFigures(raw({
    connected: sockets, requested: sockets, published: [1, 101],
    results: [result({ received, expectedOpen: received, firstEvent: [1, S], lastEvent: [101, S + 10_000_000] })],
    processes: [gw('gateway 1'), gw('gateway 2'), proc('market', 'market', 50, 150e6, null), proc('redis', 'redis', 10, 20e6, null)],
  }));
}

describe('phase figures', () => {
  it('states delivered against offered, lost ids and CPU per 1,000 updates by role, as measured and above idle', () => {
    const p = phaseFigures(raw({
      connected: 1000,
      // The newest id went from 100 to 200 over the 10 s window: 10 trades/s.
      published: [100, 200],
      results: [
        result({ received: 50_000, expectedOpen: 50_000, firstEvent: [100, S], lastEvent: [200, S + 10_000_000] }),
        result({ received: 49_990, missed: 10, expectedOpen: 50_000, firstEvent: [101, S + 100_000], lastEvent: [199, S + 9_900_000] }),
      ],
      processes: [
        proc('gateway 1', 'gateway', 300, 200e6, 500, { idleCpuMsPerSec: 10 }), proc('gateway 2', 'gateway', 200, 200e6, 500, { idleCpuMsPerSec: 10 }),
        proc('market', 'market', 40, 1, null), proc('redis', 'redis', 10, 1, null),
      ],
    }));
    expect(p.tradesPerSec).toBeCloseTo(10, 6);
    expect(p.tradesPerSecFrom).toBe('server');
    expect(p.offeredPerSec).toBeCloseTo(10_000, 3);
    expect(p.deliveredPerSec).toBeCloseTo(9_999, 3);
    expect(p.deliveredShare).toBeCloseTo(0.9999, 6);
    expect(p.missedIds).toBe(10);
    expect(p.lossRate).toBeCloseTo(10 / 100_000, 9);
    expect(p.cpuMsPer1k.gateway).toBeCloseTo((500 / 99_990) * 1000, 9);
    expect(p.cpuMsPer1k.serving).toBe(p.cpuMsPer1k.gateway);
    expect(p.cpuMsPer1k.all).toBeCloseTo((550 / 99_990) * 1000, 9);
    expect(p.cpuMsPer1k.haproxy).toBeNull();
    expect(p.cpuMsPer1k.single).toBeNull();
    expect(p.processes[0]!.cpuPct).toBeCloseTo(3, 9);
    expect(p.processes[0]!.idlePct).toBeCloseTo(1, 9);
    // 100 ms of each gateway's window was idle work: 300 ms of 500 is the updates'.
    expect(p.cpuMsPer1kAboveIdle.gateway).toBeCloseTo((300 / 99_990) * 1000, 9);
    expect(p.latencyMs?.p99).toBeCloseTo(2, 2);
  });

  it('falls back to the clients’ event times for the offered rate when the server did not answer, and says so', () => {
    const p = phaseFigures(raw({ results: [result({ received: 10, expectedOpen: 10, firstEvent: [1, S], lastEvent: [41, S + 4_000_000] })] }));
    expect(p.tradesPerSecFrom).toBe('clients');
    expect(p.tradesPerSec).toBeCloseTo(10, 6);
    expect(p.notes.join(' ')).toMatch(/reads high/);
  });

  it('has no CPU above idle for a role without an idle figure', () => {
    const p = phaseFigures(raw({ results: [result({ received: 1000 })], processes: [proc('haproxy', 'haproxy', 100, 1, 10, { idleCpuMsPerSec: null })] }));
    expect(p.cpuMsPer1k.haproxy).toBe(100);
    expect(p.cpuMsPer1kAboveIdle.haproxy).toBeNull();
  });

  it('counts what a stream the server closed still owed as lost', () => {
    const p = phaseFigures(raw({
      results: [result({ received: 100, expectedOpen: 100, maxLast: 150, maxSpan: 100, closed: [[101, 120]] })],
    }));
    // The closed stream saw 101..120 of 101..150: 30 owed and missing.
    expect(p.missedIds).toBe(30);
    expect(p.closedByServer).toBe(1);
  });

  it('has no CPU per update when nothing was delivered, and no offered rate without events', () => {
    const p = phaseFigures(raw({ processes: [proc('tickwire', 'single', 100, 1, 0)] }));
    expect(p.cpuMsPer1k.serving).toBeNull();
    expect(p.offeredPerSec).toBeNull();
    expect(p.deliveredShare).toBeNull();
  });
});

describe('gateway memory', () => {
  it('is the slope of RSS over the waves of clients of the largest direct phase, per gateway', () => {
    const mem = gatewayMemory([direct(4000, 9999), direct(24_000, 2000)]);
    expect(mem).toHaveLength(2);
    expect(mem[0]!.perSocketBytes).toBeCloseTo(2000, 6);
    expect(mem[0]!.steps[0]).toEqual({ sockets: 6000, rssBytes: 140e6 });
    expect(mem[0]!.rssBeforeClientsBytes).toBe(100e6);
  });

  it('fits a least-squares line through the steps, so one garbage collection weighs less', () => {
    expect(slope([[0, 100], [1000, 2_000_100], [4000, 8_000_100]])).toBeCloseTo(2000, 0);
    // A step that fell by GC pulls the slope down but not below zero.
    expect(slope([[0, 100e6], [3125, 95e6], [12_500, 125e6]])).toBeGreaterThan(0);
    expect(slope([[5, 1]])).toBeNull();
    expect(slope([[5, 1], [5, 2]])).toBeNull();
  });

  it('gives no figure, and says why, from one socket count or when RSS fell', () => {
    const one = phaseFigures(raw({ processes: [proc('gateway 1', 'gateway', 1, 1, 10, { rssSteps: [{ sockets: 10, rssBytes: 1 }] })] }));
    expect(gatewayMemory([one])[0]!.why).toMatch(/one socket count/);
    const fell = gatewayMemory([direct(24_000, -100)])[0]!;
    expect(fell.perSocketBytes).toBeNull();
    expect(fell.why).toMatch(/fell/);
  });
});

describe('projection', () => {
  const input: ProjectionInput = {
    gatewayMsPer1k: 2, gatewayIdleCores: 0.05, haproxyMsPer1k: 1, updatesPerSocket: 4, updatesPerSocketFrom: 'run', batchesPerSec: 10, marketMsPerBatch: 5, redisMsPerBatch: 0.4, gateways: 4,
    gatewayBaseRssBytes: 100e6, rssPerSocketBytes: 2000,
  };

  it('gives the updates what the market, Redis and the gateways’ idle work leave, at the measured CPU per update', () => {
    const p = project(input, [8]);
    const r = p.rows[0]!;
    // Market 10 × 5 ms = 0.05 core; Redis 10 × 0.4 ms × 8/4 = 0.008 core; 8 gateways idle at 0.05 core each.
    expect(p.marketCores).toBeCloseTo(0.05, 9);
    expect(redisCores(input, 8)).toBeCloseTo(0.008, 9);
    expect(r.gatewayCores).toBeCloseTo(8 - 0.05 - 0.008 - 0.4, 9);
    expect(r.updatesPerSec).toBeCloseTo((r.gatewayCores * 1e6) / 2, 3);
    expect(r.sockets).toBeCloseTo(r.updatesPerSec / 4, 3);
    expect(r.viaHaproxy!.updatesPerSec).toBeCloseTo((r.gatewayCores * 1e6) / 3, 3);
    expect(r.memoryBytes).toBeCloseTo(8 * 100e6 + r.sockets * 2000, 0);
    expect(r.redisBound).toBe(false);
    expect(p.updatesPerCore).toBe(500_000);
  });

  it('says where the market and Redis fill their one core', () => {
    const p = project(input);
    expect(p.marketMaxBatchesPerSec).toBe(200);
    expect(p.redisMaxBatchesPerSec).toBe(2500);
    // 0.1 ms per batch per gateway at 10 batches/s: 1 ms/s per gateway, a core at 1,000 gateways.
    expect(p.redisMaxGateways).toBeCloseTo(1000, 6);
  });

  it('marks the core counts at which Redis would need more than its one core', () => {
    const heavy = project({ ...input, batchesPerSec: 1000 }, [2, 16]);
    expect(heavy.rows[0]!.redisBound).toBe(false);
    expect(heavy.rows[1]!.redisBound).toBe(true);
    expect(heavy.rows[1]!.gatewayCores).toBeCloseTo(16 - 5 - 1 - 16 * 0.05, 9);
  });

  it('takes its inputs from the largest direct phase, the haproxy phase and the batches', () => {
    const small = direct(4000, 5000);
    const big = direct(24_000, 2000);
    const proxied = phaseFigures(raw({
      name: 'fleet via haproxy', setup: 'haproxy', connected: 4000,
      results: [result({ received: 400_000, expectedOpen: 400_000 })],
      processes: [proc('gateway 1', 'gateway', 800, 1, 2000), proc('haproxy', 'haproxy', 700, 1, 4000, { idleCpuMsPerSec: 10 })],
    }));
    const batches = [batchCost('market', 3000, 1000, 100_000), batchCost('redis', 500, 1000, 100_000)];
    const got = projectionInput([small, proxied, big], batches, 2, gatewayMemory([small, big]));
    expect(typeof got).toBe('object');
    const i = got as ProjectionInput;
    expect(i.gatewayMsPer1k).toBeCloseTo(2, 9);
    expect(i.gatewayIdleCores).toBeCloseTo(0.05, 9);
    // (700 − 10 ms/s × 10 s) / 400,000 updates.
    expect(i.haproxyMsPer1k).toBeCloseTo(1.5, 9);
    expect(i.updatesPerSocket).toBeCloseTo(10, 6);
    expect(i.batchesPerSec).toBeCloseTo(10, 9);
    expect(i.marketMsPerBatch).toBe(3);
    expect(i.redisMsPerBatch).toBe(0.5);
    expect(i.rssPerSocketBytes).toBeCloseTo(2000, 6);
    expect((projectionInput([small, proxied, big], batches, 2, [], 3.5) as ProjectionInput).updatesPerSocket).toBe(3.5);
    // One gateway without a slope: no memory figure rather than the others' mean.
    const [one, two] = gatewayMemory([small, big]);
    expect((projectionInput([big], batches, 2, [one!, { ...two!, perSocketBytes: null, why: 'fell' }]) as ProjectionInput).rssPerSocketBytes).toBeNull();
    expect(projectionInput([small, big], [], 2, [])).toMatch(/no batch/);
    expect(projectionInput([], batches, 2, [])).toMatch(/no direct/);
  });
});

describe('the scenario around the figures', () => {
  it('compares at a count one process and haproxy both hold', () => {
    expect(compareSocketsFor(50_000, 9_900)).toBe(8_000);
    expect(compareSocketsFor(50_000, 4_000)).toBe(3_600);
    expect(compareSocketsFor(2_000, 9_900)).toBe(500);
  });

  it('reads pids and addresses from the launcher’s process table', () => {
    const text = `noise\n06:59:12 fleet ready: 1 market, 2 gateways at http://127.0.0.1:31736 (haproxy)
role       pid   address          admin (/healthz, /metrics)  ready  detail
---------  ----  ---------------  --------------------------  -----  ------
redis      7734  127.0.0.1:33629  -                           yes    private redis-server, memory only
market     7739  127.0.0.1:31303  -                           yes    /healthz 200 ok
gateway 1  7826  127.0.0.2:23675  127.0.0.2:23931             yes    /healthz 200 ok, lag 0 events / 0 ms
gateway 2  7827  127.0.0.3:29131  127.0.0.3:31019             yes    /healthz 200 ok, lag 0 events / 0 ms
haproxy    8005  127.0.0.1:31736  -                           yes    http://127.0.0.1:31736 (ws://127.0.0.1:31736) → gw1, gw2
`;
    const t = parseFleetTable(text);
    expect(t.map((p) => p.role)).toEqual(['redis', 'market', 'gateway 1', 'gateway 2', 'haproxy']);
    expect(t[2]).toEqual({ role: 'gateway 1', pid: 7826, host: '127.0.0.2', port: 23675, admin: { host: '127.0.0.2', port: 23931 } });
    expect(t[1]!.admin).toBeNull();
  });

  it('reads /metrics values, a thread’s run time and the open-files limit', () => {
    expect(metricTotal('# HELP x\ntickwire_ws_connections 12500\ntickwire_ws_connections_total 3\n', 'tickwire_ws_connections')).toBe(12_500);
    expect(metricTotal('a{type="x"} 2\na{type="y"} 3\n', 'a')).toBe(5);
    expect(metricTotal('b 1\n', 'a')).toBeNull();
    expect(parseSchedstatNs('185083042 9655092 374\n')).toBe(185_083_042);
    expect(parseSchedstatNs('')).toBeNull();
    expect(parseOpenFilesLimit('Max cpu time              unlimited            unlimited            seconds\nMax open files            20000                20000                files\n')).toBe(20_000);
  });

  it('fits the terminal and names every phase, the comparisons and the formula', () => {
    const single = phaseFigures(raw({
      name: 'one process', setup: 'single', connected: 4000, published: [1, 101],
      results: [result({ received: 400_000, expectedOpen: 400_000 })],
      processes: [proc('tickwire', 'single', 700, 300e6, 4000)],
    }));
    const proxied = phaseFigures(raw({
      name: 'fleet via haproxy', setup: 'haproxy', connected: 4000,
      results: [result({ received: 400_000, missed: 123_456, expectedOpen: 523_456, firstEvent: [1, S], lastEvent: [101, S + 10_000_000] })],
      processes: [proc('gateway 1', 'gateway', 800, 1, 2000), proc('haproxy', 'haproxy', 600, 1, 4000)],
      notes: ['a note long enough to wrap '.repeat(8)],
    }));
    const phases = [single, direct(4000), proxied, direct(50_000, -5)];
    const batches = [batchCost('market', 3000, 1000, 100_000), batchCost('redis', 500, 1000, 100_000)];
    const memory = gatewayMemory(phases);
    const input = projectionInput(phases, batches, 2, memory) as ProjectionInput;
    const f: FleetResults = {
      sockets: 50_000, compareSockets: 4000, gateways: 2, symbol: 'SOLUSDT', rate: 1, perLoad: 10_000, openFilesLimit: 20_000, pinned: true, idleSec: 5, tradesPerSec: 10,
      phases, failures: [], gatewayMemory: memory, batches, projection: project(input), durationSec: 250, loadAverageAtStart: [1.5, 2, 3], loadAverageAtEnd: [4, 5, 6], notes: [],
    };
    const lines = fleetLines(f);
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(TABLE_WIDTH);
    const text = lines.join('\n');
    for (const p of phases) expect(text).toContain(p.name);
    expect(text).toContain('updates/s(N) =');
    expect(text).toMatch(/gateway 1: no RSS per socket \(RSS fell/);
    expect(text).toMatch(/≤ 5\.9 KiB/);
    expect(text.replace(/\s+/g, ' ')).toMatch(/load average 1\.5 2 3 at the start/);
    expect(comparisons(f)).toHaveLength(2);
    expect(comparisons(f)[1]).toMatch(/haproxy in the path at 4,000 sockets/);
    const html = fleetHtml(f);
    expect(html).toContain('<svg');
    expect(html).toContain('Fleet: 50,000 sockets across 2 gateways');
  });
});
