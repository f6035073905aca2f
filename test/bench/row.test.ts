// A step's raw measurements turned into a latest.json row, and the goals judged on rows.
import { describe, expect, it } from 'vitest';
import { capacityRow, fillEventRates, streamRow, type StreamMeasurement } from '../../bench/row.ts';
import type { ResultMsg } from '../../bench/load/protocol.ts';
import { encodeHistogram, newLatencyHistogram, recordLatency } from '../../bench/histograms.ts';
import { comparePolling, evaluateGoals } from '../../bench/report/goals.ts';
import type { Scenario } from '../../bench/scenarios.ts';
import { row } from './rows.ts';

const push1k: Scenario = { scenario: 'fanout', arm: 'push', connections: 1000, rate: 100, stream: 'raw', warmupSec: 1, windowSec: 4 };

function result(over: Partial<ResultMsg>, latencies: number[] = []): ResultMsg {
  const h = newLatencyHistogram();
  for (const v of latencies) recordLatency(h, v);
  return {
    type: 'result', received: 0, missed: 0, disordered: 0, expectedOpen: 0, closed: [], maxLast: 0, maxSpan: 0, bytes: 0,
    latency: encodeHistogram(h), requests: 0, errors: 0, other: 0, msStamps: false, openAtStop: 0, firstEvent: null, lastEvent: null, ...over,
  };
}

function measurement(over: Partial<StreamMeasurement>): StreamMeasurement {
  return {
    scenario: push1k, requestedConnections: 1000, connected: 1000, results: [], windowMs: 4000, published: null,
    serverCpuMs: 0, serverRssBefore: 0, serverRssAfter: 0, serverProcesses: 1, serverCores: 1, loadCpuMs: 0, loadCores: 1, cores: null, notes: [],
    ...over,
  };
}

describe('stream rows', () => {
  it('adds up what the load processes received into rates, CPU per update and bytes per update', () => {
    const row = streamRow(measurement({
      results: [
        result({ received: 200_000, expectedOpen: 200_000, bytes: 30_000_000, maxSpan: 400, maxLast: 900 }, [100, 200, 300]),
        result({ received: 199_990, missed: 10, expectedOpen: 200_000, bytes: 29_998_500, maxSpan: 400, maxLast: 900 }, [400]),
      ],
      published: [[1000, 1_700_000_000_000_000], [1400, 1_700_000_004_000_000]],
      serverCpuMs: 800,
      serverRssBefore: 50_000_000,
      serverRssAfter: 60_000_000,
      loadCpuMs: 3600,
    }));
    expect(row.deliveredPerSec).toBeCloseTo(399_990 / 4, 6);
    expect(row.eventsPerSec).toBe(100);
    expect(row.lossRate).toBeCloseTo(10 / 400_000, 12);
    expect(row.serverCpuMsPer1kUpdates).toBeCloseTo((800 / 399_990) * 1000, 9);
    expect(row.bytesPerUpdate).toBeCloseTo(59_998_500 / 399_990, 9);
    expect(row.rssPerConnectionBytes).toBe(10_000);
    expect(row.serverCpuPct).toBe(20);
    expect(row.clientCpuPct).toBe(90);
    expect(row.clientBound).toBe(true);
    expect(row.latencyUs!.max).toBeGreaterThanOrEqual(400);
    expect(row.loadProcesses).toBe(2);
  });

  it('counts the tail of a connection the server closed as lost', () => {
    const row = streamRow(measurement({
      connected: 2,
      results: [result({ received: 100 + 40, expectedOpen: 100, maxSpan: 100, maxLast: 1100, closed: [[1001, 1040]] })],
    }));
    // The closed stream saw 1001..1040 of 1001..1100: 60 owed, never received.
    expect(row.lossRate).toBeCloseTo(60 / 200, 12);
    expect(row.closedConnections).toBe(1);
    expect(row.notes.join(' ')).toMatch(/closed by the server/);
  });

  it('flags a row whose load core was full while the server core had room, though the generator itself was not', () => {
    const cores = { serverBusyPct: 60, serverSoftirqPct: 10, loadBusyPct: 99, loadSoftirqPct: 40 };
    const row = streamRow(measurement({ results: [result({ received: 10, expectedOpen: 10, maxSpan: 10 })], loadCpuMs: 2400, cores }));
    expect(row.clientCpuPct).toBe(60);
    expect(row.clientBound).toBe(true);
    expect(evaluateGoals([{ ...row, requestedConnections: 1000, rate: 100, probeLatencyUs: { p50: 1, p99: 9000, p999: 1, max: 1 } }])[3]!.note).toMatch(/load's core was full \(99% busy, 40% of it kernel softirq\)/);
  });

  it('takes the event rate from what the clients saw, in event time, when the server could not say', () => {
    const row = streamRow(measurement({
      results: [
        result({ received: 10, expectedOpen: 10, maxSpan: 10, firstEvent: [500, 1_000_000_000], lastEvent: [560, 1_000_000_000 + 2_000_000] }),
        result({ received: 10, expectedOpen: 10, maxSpan: 10, firstEvent: [480, 1_000_000_000 - 1_000_000], lastEvent: [530, 1_000_000_000] }),
      ],
      // A lagging client window of 4 s saw 3 s of event time: the rate is 80 / 3 s, not 80 / 4 s.
      windowMs: 4000,
    }));
    expect(row.eventsPerSec).toBeCloseTo(80 / 3, 9);
  });

  it('falls back on the longest sequence span when the server count is unknown', () => {
    const row = streamRow(measurement({ results: [result({ received: 10, expectedOpen: 10, maxSpan: 10, maxLast: 10 })], windowMs: 2000 }));
    expect(row.eventsPerSec).toBe(5);
  });

  it('leaves latency and per-update figures empty when nothing arrived', () => {
    const row = streamRow(measurement({ results: [result({})], serverCpuMs: 100 }));
    expect(row.latencyUs).toBeNull();
    expect(row.serverCpuMsPer1kUpdates).toBeNull();
    expect(row.bytesPerUpdate).toBeNull();
    expect(row.lossRate).toBe(0);
  });
});

describe('probe rows', () => {
  it('keeps each probe apart by its place in the subscription order, and judges the latency goal on them, not on the bulk', () => {
    const bulk = result({ received: 4000, expectedOpen: 4000, maxSpan: 400 }, [30_000, 40_000, 50_000]);
    const probes = [result({ received: 400, expectedOpen: 400 }, [1000]), result({ received: 400, expectedOpen: 400 }, [2000]), result({ received: 398, missed: 2, expectedOpen: 400 }, [3000])];
    const row = streamRow(measurement({ results: [bulk], probes }));
    expect(row.probePositions.map((p) => p.position)).toEqual(['first', 'middle', 'last']);
    expect(row.probePositions[2]!.latencyUs!.p50).toBeGreaterThanOrEqual(2998);
    expect(row.probeLatencyUs!.max).toBeGreaterThanOrEqual(2998);
    expect(row.notes.join(' ')).toMatch(/probes missed 2 updates/);
    const goal = evaluateGoals([row])[3]!;
    expect(goal.met).toBe(true);
    expect(goal.note).toMatch(/bulk reader's p99 was/);
  });
});

describe('capacity rows', () => {
  it('counts answered requests as updates and turns autocannon milliseconds into microseconds', () => {
    const row = capacityRow({
      scenario: { scenario: 'rest', arm: 'rest-capacity', connections: 50, rate: 100, requestRate: 2000, warmupSec: 1, windowSec: 4 },
      result: { duration: 4, requests: { total: 6000, average: 1500 }, latency: { p50: 1.5, p99: 12, p99_9: 30, max: 41.2 }, throughput: { total: 60_000_000 }, errors: 0, timeouts: 0, non2xx: 0 },
      wallMs: 4100, serverCpuMs: 3000, serverRssBefore: 0, serverRssAfter: 0, serverCores: 1, loadCpuMs: 1000, loadCores: 1, cores: null, notes: [],
    });
    expect(row.deliveredPerSec).toBe(1500);
    expect(row.latencyUs).toEqual({ p50: 1500, p99: 12_000, p999: 30_000, max: 41_200 });
    expect(row.serverCpuMsPer1kUpdates).toBe(500);
    expect(row.bytesPerUpdate).toBe(10_000);
    expect(row.notes.join(' ')).toMatch(/at capacity/);
  });
});

describe('goals', () => {
  const passing = [
    row({}),
    row({ arm: 'peer-ws', serverCpuMsPer1kUpdates: 1.2, deliveredPerSec: 300_000 }),
    row({ arm: 'limit', deliveredPerSec: 1_050_000 }),
    row({ connections: 1000, requestedConnections: 1000, deliveredPerSec: 100_000, latencyUs: { p50: 400, p99: 4999, p999: 6000, max: 9000 } }),
  ];

  it('compare push with the limit by the share of offered updates each delivered, not by raw rates', () => {
    // Push saw fewer events in its window than the limit arm did in its own, but delivered all of them.
    const goals = evaluateGoals([row({ eventsPerSec: 100, deliveredPerSec: 1_000_000 }), row({ arm: 'limit', eventsPerSec: 150, deliveredPerSec: 1_500_000 })]);
    expect(goals[2]!.measured).toBeCloseTo(1, 12);
    expect(goals[2]!.met).toBe(true);
  });

  it('are all met by rows that meet them', () => {
    expect(evaluateGoals(passing).map((g) => g.met)).toEqual([true, true, true, true]);
  });

  it('are missed one by one, each with a note that says what held it back', () => {
    const failing = [
      row({ deliveredPerSec: 900_000, lossRate: 0, clientBound: true, clientCpuPct: 97, serverCpuMsPer1kUpdates: 0.2 }),
      row({ arm: 'peer-ws', serverCpuMsPer1kUpdates: 1.2 }),
      row({ arm: 'limit', deliveredPerSec: 1_050_000 }),
      row({ connections: 1000, requestedConnections: 1000, probeLatencyUs: { p50: 400, p99: 5000, p999: 6000, max: 9000 }, serverCpuPct: 95 }),
    ];
    const goals = evaluateGoals(failing);
    expect(goals.map((g) => g.met)).toEqual([false, false, false, false]);
    expect(goals[0]!.note).toMatch(/load generator was saturated/);
    expect(goals[3]!.note).toMatch(/server used 95%/);
  });

  it('cannot be judged, rather than failed, when the rows are missing', () => {
    expect(evaluateGoals([]).map((g) => g.met)).toEqual([null, null, null, null]);
  });

  it('treat any loss at 10,000 connections as a miss, however high the rate', () => {
    expect(evaluateGoals([row({ deliveredPerSec: 2_000_000, lossRate: 1e-6 })])[0]!.met).toBe(false);
  });
});

describe('filling in events/s in', () => {
  it('gives a row that could only guess it the median of the rows at the same rate', () => {
    const rows = [
      row({ eventsPerSec: 200 }), row({ eventsPerSec: 210, eventsPerSecFrom: 'clients' }), row({ eventsPerSec: 190 }),
      row({ eventsPerSec: 900, rate: 1000 }),
      row({ arm: 'peer-ws', eventsPerSec: 4.5, eventsPerSecFrom: 'span' }),
    ];
    const filled = fillEventRates(rows);
    expect(filled[4]).toMatchObject({ eventsPerSec: 200, eventsPerSecFrom: 'run' });
    expect(filled.slice(0, 4)).toEqual(rows.slice(0, 4));
  });

  it('keeps the guess, marked as a floor, when no row measured that rate', () => {
    const [r] = fillEventRates([row({ eventsPerSec: 4.5, eventsPerSecFrom: 'span' })]);
    expect(r!.eventsPerSec).toBe(4.5);
    expect(r!.notes.join(' ')).toMatch(/floor/);
  });
});

describe('polling against push', () => {
  it('states request rate, CPU and bytes per update as ratios to the push row at the same point', () => {
    const push = row({ connections: 1000, requestedConnections: 1000, serverCpuMsPer1kUpdates: 0.5, bytesPerUpdate: 150, latencyUs: { p50: 1000, p99: 2000, p999: 3000, max: 4000 } });
    const poll = row({ arm: 'polling', scenario: 'polling', connections: 1000, requestedConnections: 1000, pollIntervalMs: 100, requestsPerSec: 10_000,
      serverCpuMsPer1kUpdates: 5, bytesPerUpdate: 1500, latencyUs: { p50: 50_000, p99: 99_000, p999: 100_000, max: 120_000 }, lossRate: 0.01 });
    const [c] = comparePolling([push, poll]);
    expect(c).toMatchObject({ pollIntervalMs: 100, requestsPerSec: 10_000, cpuPerUpdateRatio: 10, bytesPerUpdateRatio: 10, p50Ratio: 50, lossRate: 0.01 });
    // One request per client every 2 × 1 ms.
    expect(c!.requestsPerSecForPushFreshness).toBeCloseTo(500_000, 6);
  });
});
