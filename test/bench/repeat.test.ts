// Repeated runs and memory slopes: medians with their spread, the noisy flag, steps interleaved
// across arms, and memory per connection as a slope between connection counts.
import { describe, expect, it } from 'vitest';
import { isNoisy, median, mergeRepeats, spread } from '../../bench/repeat.ts';
import { memorySlopes, slopeFor } from '../../bench/memory.ts';
import { judgeRepeated } from '../../bench/report/goals.ts';
import { interleave, scenarios } from '../../bench/scenarios.ts';
import { row } from './rows.ts';

describe('median and spread', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('states the spread as ± half the range around the median, and ignores missing values', () => {
    expect(spread([90, 100, 110, null, NaN])).toEqual({ median: 100, min: 90, max: 110, halfRange: 0.1, n: 3 });
    expect(spread([null, undefined])).toBeNull();
    expect(spread([5])!.halfRange).toBe(0);
  });

  it('flags a figure noisy only when it moved more than ±10% over more than one repetition', () => {
    expect(isNoisy(spread([90, 100, 110]))).toBe(false);
    expect(isNoisy(spread([89, 100, 111]))).toBe(true);
    expect(isNoisy(spread([5]))).toBe(false);
    expect(isNoisy(spread([0, 0, 1]))).toBe(true);
  });
});

describe('merging repetitions', () => {
  it('gives one row per step with the median of each figure and keeps the spread', () => {
    const runs = [
      row({ deliveredPerSec: 900_000, probeLatencyUs: { p50: 1, p99: 3000, p999: 1, max: 1 } }),
      row({ deliveredPerSec: 1_200_000, probeLatencyUs: { p50: 1, p99: 1000, p999: 1, max: 1 } }),
      row({ deliveredPerSec: 1_000_000, probeLatencyUs: { p50: 1, p99: 2000, p999: 1, max: 1 } }),
      row({ arm: 'limit', deliveredPerSec: 5 }),
    ];
    const merged = mergeRepeats(runs);
    expect(merged).toHaveLength(2);
    expect(merged[0]!.deliveredPerSec).toBe(1_000_000);
    expect(merged[0]!.probeLatencyUs!.p99).toBe(2000);
    expect(merged[0]!.repeat.n).toBe(3);
    expect(merged[0]!.repeat.spread.deliveredPerSec).toMatchObject({ min: 900_000, max: 1_200_000 });
    expect(merged[1]!.repeat.n).toBe(1);
  });

  it('judges goals on the medians and flags a ratio whose repetitions spread wider than ±10%', () => {
    const rep = (pushCpu: number) => [row({ serverCpuMsPer1kUpdates: pushCpu }), row({ arm: 'peer-ws', serverCpuMsPer1kUpdates: 1 })];
    const runs = [rep(0.05), rep(0.08), rep(0.11)];
    const goals = judgeRepeated(mergeRepeats(runs.flat()), runs);
    const cpu = goals.find((g) => g.id === 'push-cpu-vs-ws')!;
    expect(cpu.measured).toBeCloseTo(0.08, 12);
    expect(cpu.met).toBe(true);
    expect(cpu.noisy).toBe(true);
    const steady = judgeRepeated(mergeRepeats([rep(0.08), rep(0.08)].flat()), [rep(0.08), rep(0.08)]).find((g) => g.id === 'push-cpu-vs-ws')!;
    expect(steady.noisy).toBe(false);
  });

  it('runs the arms one after the other at each connection count', () => {
    const order = interleave(scenarios('quick')).filter((s) => s.scenario === 'fanout').map((s) => `${s.arm}@${s.connections}`);
    expect(order.slice(0, 6)).toEqual(['push@100', 'limit@100', 'peer-ws@100', 'peer-socketio@100', 'sse@100', 'long-poll@100']);
    expect(order[6]).toBe('push@1000');
  });
});

describe('memory per connection', () => {
  it('is the slope of RSS between connection counts of one arm, not RSS divided by connections', () => {
    const mib = 1024 ** 2;
    const slopes = memorySlopes([
      row({ connections: 100, requestedConnections: 100, serverRssBytes: 88 * mib }),
      row({ connections: 1000, requestedConnections: 1000, serverRssBytes: 88 * mib + 900 * 2048 }),
      row({ connections: 10_000, requestedConnections: 10_000, serverRssBytes: 88 * mib + 9900 * 2048 }),
    ]);
    expect(slopes.map((s) => s.bytesPerConnection)).toEqual([2048, 2048]);
    expect(slopeFor(slopes, 'push')).toMatchObject({ from: 1000, to: 10_000 });
  });

  it('states no slope when RSS fell, or when the counts ran on different numbers of processes', () => {
    const slopes = memorySlopes([
      row({ connections: 100, requestedConnections: 100, serverRssBytes: 100e6 }),
      row({ connections: 1000, requestedConnections: 1000, serverRssBytes: 99e6 }),
      row({ connections: 20_000, requestedConnections: 20_000, serverRssBytes: 300e6, serverProcesses: 2 }),
    ]);
    expect(slopes.map((s) => s.bytesPerConnection)).toEqual([null, null]);
    expect(slopes[0]!.why).toMatch(/RSS fell/);
    expect(slopes[1]!.why).toMatch(/server processes/);
  });
});
