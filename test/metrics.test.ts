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
});
