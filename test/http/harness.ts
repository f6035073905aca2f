// A uWS app on port 0 with REST and the site attached, over a fake market; and a small HTTP getter.
import { request } from 'node:http';
import { loadUws } from '../../server/uws.ts';
import { attachRest } from '../../server/http/rest.ts';
import { attachSite, type SiteOptions } from '../../server/http/site.ts';
import { createManualClock, type ManualClock } from '../../server/market/clock.ts';
import { createMetrics, type Metrics } from '../../server/metrics.ts';
import { createFakeMarket, type FakeMarket, type FakeMarketOptions } from './fake-market.ts';
import { listenLocal } from '../listen.ts';

/** 2026-11-21T12:00:00.000250Z in µs: a real-looking epoch time with a sub-ms part. */
export const START_US = Date.UTC(2026, 10, 21, 12, 0, 0) * 1000 + 250;

export interface Harness {
  readonly port: number;
  readonly clock: ManualClock;
  readonly market: FakeMarket;
  readonly metrics: Metrics;
  get(path: string, headers?: Record<string, string>, method?: string): Promise<Reply>;
  close(): void;
}

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  /** The body parsed as JSON (throws if it is not JSON). */
  json(): any;
}

export async function startHarness(
  opts: { weightPerMinute?: number; distDir?: string; market?: FakeMarketOptions; connections?: () => number; health?: SiteOptions['health'] } = {},
): Promise<Harness> {
  const { uws } = loadUws();
  const clock = createManualClock(START_US);
  const market = createFakeMarket(clock, opts.market);
  const metrics = createMetrics();
  const app = uws.App();
  const rest = attachRest(app, { market, rest: { weightPerMinute: opts.weightPerMinute ?? 6000 }, metrics, clock });
  attachSite(app, { metrics, distDir: opts.distDir ?? '/nonexistent/tickwire-dist', gatewayConnections: opts.connections ?? (() => 0), health: opts.health });
  const { port, close: stopListening } = await listenLocal(app);
  return {
    port,
    clock,
    market,
    metrics,
    get: (path, headers = {}, method = 'GET') => httpGet(port, path, headers, method),
    close() {
      stopListening();
      rest.close();
    },
  };
}

/** One request on its own connection (`Connection: close`), so nothing stays open after a test. */
export function httpGet(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { connection: 'close', ...headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
