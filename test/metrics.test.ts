// /metrics text: Prometheus exposition format that a scraper parses.
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../server/metrics.ts';

describe('metrics', () => {
  it('renders counters and gauges with HELP, TYPE and sorted, escaped labels', () => {
    const m = createMetrics();
    const a = m.counter('tickwire_rest_requests_total', 'REST requests', { status: '200', endpoint: '/api/v3/time' });
    a.inc();
    a.inc(2);
    m.counter('tickwire_rest_requests_total', 'REST requests', { endpoint: 'x"y', status: '400' }).inc();
    m.gauge('tickwire_ws_connections', 'Open connections', () => 7);
    expect(m.render()).toBe(
      [
        '# HELP tickwire_rest_requests_total REST requests',
        '# TYPE tickwire_rest_requests_total counter',
        'tickwire_rest_requests_total{endpoint="/api/v3/time",status="200"} 3',
        'tickwire_rest_requests_total{endpoint="x\\"y",status="400"} 1',
        '# HELP tickwire_ws_connections Open connections',
        '# TYPE tickwire_ws_connections gauge',
        'tickwire_ws_connections 7',
        '',
      ].join('\n'),
    );
  });

  it('returns the same counter handle for the same name and labels, whatever the label order', () => {
    const m = createMetrics();
    const a = m.counter('c_total', 'h', { a: '1', b: '2' });
    const b = m.counter('c_total', 'h', { b: '2', a: '1' });
    expect(a).toBe(b);
    a.inc(5);
    expect(m.read('c_total', { b: '2', a: '1' })).toBe(5);
    expect(m.read('absent_total')).toBe(0);
  });

  it('refuses invalid names and a counter reused as a gauge', () => {
    const m = createMetrics();
    expect(() => m.counter('bad-name', 'h')).toThrow('metrics: invalid metric name "bad-name"');
    m.counter('x_total', 'h');
    expect(() => m.gauge('x_total', 'h', () => 1)).toThrow('metrics: x_total is a counter, not a gauge');
  });

  it('renders a histogram as cumulative buckets with le, then its sum and count', () => {
    const m = createMetrics();
    const h = m.histogram('tickwire_x_seconds', 'A duration', [0.001, 0.01], { stage: 'a' });
    h.observe(0.0005);
    h.observe(0.001);
    h.observe(0.005);
    h.observe(3);
    expect(m.histogram('tickwire_x_seconds', 'A duration', [0.001, 0.01], { stage: 'a' })).toBe(h);
    expect(m.render()).toBe(
      [
        '# HELP tickwire_x_seconds A duration',
        '# TYPE tickwire_x_seconds histogram',
        'tickwire_x_seconds_bucket{stage="a",le="0.001"} 2',
        'tickwire_x_seconds_bucket{stage="a",le="0.01"} 3',
        'tickwire_x_seconds_bucket{stage="a",le="+Inf"} 4',
        'tickwire_x_seconds_sum{stage="a"} 3.0065',
        'tickwire_x_seconds_count{stage="a"} 4',
        '',
      ].join('\n'),
    );
    expect(m.read('tickwire_x_seconds', { stage: 'a' })).toBe(4);
  });
});
