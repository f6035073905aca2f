// The terminal table: 120 columns at most whatever the rows, headers in words, no impossible values,
// and a closing sentence that never claims goals a run could not judge.
import { describe, expect, it } from 'vitest';
import { formatTable, shownUs, TABLE_WIDTH, wrap } from '../../bench/report/table.ts';
import { closingSentence, evaluateGoals } from '../../bench/report/goals.ts';
import { mergeRepeats } from '../../bench/repeat.ts';
import type { Results } from '../../bench/report/header.ts';
import type { Row } from '../../bench/row.ts';
import { row } from './rows.ts';

function results(rows: Row[], repeat = 1, mode: Results['mode'] = 'quick'): Results {
  const merged = mergeRepeats(rows);
  return {
    date: '2026-11-30T05:00:00.000Z', mode, commit: 'abc1234',
    machine: { cpuModel: 'AMD EPYC 7B13 64-Core Processor', cores: 2, memBytes: 24e9, node: 'v20.20.2', platform: 'linux/x64', pinned: true, loadAverage: [7.5, 6.25, 5] },
    durationSec: 200, repeat, rows: merged, goals: evaluateGoals(merged, mode), failures: [{ step: 'peer-socketio fanout 40000 conns', error: 'x'.repeat(500) }],
    memorySlopes: [], loadAverageAtEnd: [1, 2, 3],
  };
}

describe('terminal table', () => {
  it('fits 120 columns with the widest rows, variants, spreads, flags, goals and failures', () => {
    const wide = [
      row({ arm: 'rest-capacity', scenario: 'rest', requestRate: 20_000, connections: 100, requestedConnections: 100, deliveredPerSec: 19_999.5, clientBound: true, lossRate: 0.0123 } as Partial<Row>),
      row({ arm: 'polling', scenario: 'polling', pollIntervalMs: 1000, connections: 40_000, requestedConnections: 40_000, latencyUs: { p50: 1, p99: 4_670_000, p999: 1, max: 1 }, lossRate: 0.52 }),
      row({ arm: 'peer-socketio', connections: 40_000, requestedConnections: 40_000, deliveredPerSec: 2_110_000, probeLatencyUs: { p50: 1, p99: 437_000, p999: 1, max: 1 }, clientBound: true, lossRate: 0.95 }),
      row({ arm: 'peer-socketio', connections: 40_000, requestedConnections: 40_000, deliveredPerSec: 99_000, probeLatencyUs: { p50: 1, p99: 9_000, p999: 1, max: 1 }, lossRate: 0.95 }),
    ];
    const text = formatTable(results(wide, 2));
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(TABLE_WIDTH);
    expect(text).toMatch(/connec-\s/);
    expect(text).toMatch(/per second/);
    expect(text).toMatch(/±\d+%/);
    expect(text).toMatch(/noisy/);
  });

  it('shows no latency below 1 µs: a coarse clock or a clamped clock difference is not a measurement', () => {
    expect(shownUs(0)).toBe('–');
    expect(shownUs(null)).toBe('–');
    expect(shownUs(1680)).toBe('1.68 ms');
    expect(shownUs(437_000)).toBe('437 ms');
  });

  it('wraps long text to the width, indenting continuation lines', () => {
    const lines = wrap('  [MISS] ' + 'word '.repeat(60), 50, 9);
    expect(lines[0]!.startsWith('  [MISS] word')).toBe(true);
    expect(lines.slice(1).every((l) => l.startsWith('         word') && l.length <= 50)).toBe(true);
  });
});

describe('closing sentence', () => {
  it('never says every goal is met when none or only some could be judged', () => {
    expect(closingSentence(evaluateGoals([], 'smoke'))).toBe('No goal was judged: this run has none of the steps they need (4 goals).');
    const some = evaluateGoals([row({})], 'quick');
    expect(closingSentence(some)).toMatch(/^1 of 1 judged goals met; 3 could not be judged/);
    expect(some.find((g) => g.met === null)!.note).toMatch(/cannot judge: no .* row in this run/);
  });
});
