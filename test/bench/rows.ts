// A bench row (latest.json) for the report and goal tests: 10,000 push connections at 100 events/s
// meeting every goal, with the fields a test cares about overridden.
import type { Row } from '../../bench/row.ts';

export function row(over: Partial<Row>): Row {
  return {
    scenario: 'fanout', arm: 'push', connections: 10_000, eventsPerSec: 100, deliveredPerSec: 1_000_000, lossRate: 0,
    latencyUs: { p50: 500, p99: 2000, p999: 3000, max: 4000 }, serverCpuMsPer1kUpdates: 0.1, serverRssBytes: 0, bytesPerUpdate: 150,
    clientCpuPct: 50, clientBound: false, rate: 100, requestedConnections: 10_000, rssPerConnectionBytes: 0, serverCpuPct: 50, cores: null,
    serverProcesses: 1, loadProcesses: 2, errors: 0, closedConnections: 0, latencyCurve: [], windowSec: 4, notes: [], stream: 'raw', eventsPerSecFrom: 'server',
    probeLatencyUs: { p50: 300, p99: 1500, p999: 2000, max: 2500 }, probeLatencyCurve: [], probePositions: [], breakdown: null,
    ...over,
  };
}
