// The whole HTTP surface of a fleet's market process: /healthz (200 while it writes to Redis, 503
// otherwise, JSON details either way) and /metrics. Everything else is 404: clients use the gateways.
import type { TemplatedApp } from 'uWebSockets.js';
import type { Metrics } from '../metrics.ts';
import { guardRequest } from './request-guard.ts';

export interface OpsOptions {
  readonly metrics: Metrics;
  readonly health: () => { readonly ok: boolean; readonly body: Readonly<Record<string, unknown>> };
}

export function attachOps(app: TemplatedApp, opts: OpsOptions): void {
  const startedMs = Date.now();
  app.get('/healthz', guardRequest((res) => {
    const own = opts.health();
    const body = JSON.stringify({ status: own.ok ? 'ok' : 'unavailable', ...own.body, uptimeSec: Math.floor((Date.now() - startedMs) / 1000) });
    if (!own.ok) res.writeStatus('503 Service Unavailable');
    res.writeHeader('Content-Type', 'application/json').writeHeader('Cache-Control', 'no-store').end(body);
  }));
  app.get('/metrics', guardRequest((res) => {
    res.writeHeader('Content-Type', 'text/plain; version=0.0.4').end(opts.metrics.render());
  }));
  app.any('/*', guardRequest((res, req) => {
    const url = req.getUrl();
    res.writeStatus('404 Not Found').writeHeader('Content-Type', 'application/json')
      .end(JSON.stringify({ error: `not found: ${url}; a fleet's market serves /healthz and /metrics only, clients connect to a gateway` }));
  }));
}
