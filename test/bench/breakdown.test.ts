// The server-side latency breakdown: /metrics histograms parsed, differenced over a window, and
// read as quantiles the way Prometheus interpolates them.
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../server/metrics.ts';
import { BREAKDOWN_METRICS, breakdownBetween, bucketQuantile, parseHistograms } from '../../bench/breakdown.ts';

describe('latency breakdown from /metrics', () => {
  it('reads back what the server observed in the window only, as µs quantiles', () => {
    const m = createMetrics();
    const late = m.histogram(BREAKDOWN_METRICS.latenessUs, 'h');
    for (let i = 0; i < 50; i++) late.observe(0.5); // before the window: not counted
    const before = m.render();
    for (let i = 0; i < 99; i++) late.observe(0.0015); // in the 1–2 ms bucket
    late.observe(0.004); // in the 2–5 ms bucket
    const b = breakdownBetween(before, m.render());
    expect(b?.toFirstUs).toBeNull();
    expect(b?.latenessUs?.count).toBe(100);
    expect(b?.latenessUs?.meanUs).toBeCloseTo((99 * 1500 + 4000) / 100, 6);
    expect(b!.latenessUs!.p50Us).toBeGreaterThan(1000);
    expect(b!.latenessUs!.p50Us).toBeLessThanOrEqual(2000);
    expect(b!.latenessUs!.p99Us).toBeLessThanOrEqual(2000);
  });

  it('gives null for a server without the histograms (a peer) and for no scrape at all', () => {
    expect(breakdownBetween(null, null)).toBeNull();
    expect(breakdownBetween('', '# nothing here\n')).toBeNull();
  });

  it('interpolates inside the bucket and floors a quantile that falls in +Inf at the last bound', () => {
    const [h] = parseHistograms(
      ['x_bucket{le="1"} 0', 'x_bucket{le="2"} 10', 'x_bucket{le="+Inf"} 20', 'x_sum 100', 'x_count 20'].join('\n'),
      ['x'],
    ).values();
    expect(bucketQuantile(h!, 0.25)).toBeCloseTo(1.5, 9);
    expect(bucketQuantile(h!, 0.99)).toBe(2);
    expect(bucketQuantile({ le: [1, Infinity], cumulative: [0, 0], sum: 0, count: 0 }, 0.5)).toBeNaN();
  });
});
