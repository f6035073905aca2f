import { describe, expect, it } from 'vitest';
import { createLatencyStats, latencyMs, percentile } from '../../web/src/state/latency.ts';

describe('latency', () => {
  it('takes the nearest-rank percentile of sorted samples', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });

  it('moves the local frame time onto the server clock before subtracting the event time', () => {
    // Local clock 250 ms behind the server: offset +250. Event at server 10_000, shown at local 9_800.
    expect(latencyMs(10_000, 9_800, 250)).toBe(50);
    expect(latencyMs(10_000, 10_300, -250)).toBe(50);
  });

  it('publishes percentiles over the newest window of samples only', () => {
    const stats = createLatencyStats(10);
    for (let i = 0; i < 10; i++) stats.add(1000);
    for (let i = 1; i <= 10; i++) stats.add(i);
    stats.publish();
    expect(stats.p50.value).toBe(5);
    expect(stats.p99.value).toBe(10);
    expect(stats.count.value).toBe(20);
  });

  it('publishes nothing until samples arrive, and forgets them on reset', () => {
    const stats = createLatencyStats();
    stats.publish();
    expect(stats.p50.value).toBeNull();
    stats.add(3);
    stats.publish();
    expect(stats.p50.value).toBe(3);
    stats.reset();
    expect(stats.p50.value).toBeNull();
    expect(stats.count.value).toBe(0);
  });
});
