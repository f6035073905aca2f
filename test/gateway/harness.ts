// A real uWS app on port 0 with the gateway attached, fed by a memory bus; and a `ws` test client.
import { afterEach } from 'vitest';
import WebSocket from 'ws';
import { loadUws } from '../../server/uws.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import { createMemoryBus } from '../../server/bus/bus-memory.ts';
import { channelFor, type Bus } from '../../server/bus/bus.ts';
import { createManualClock, type ManualClock } from '../../server/market/clock.ts';
import type { MarketEvent } from '../../server/market/types.ts';
import { createMetrics, type Metrics } from '../../server/metrics.ts';
import { attachGateway, type Gateway } from '../../server/gateway/gateway.ts';
import { createManualTimers, type ManualTimers } from '../../server/gateway/timers.ts';
import { SYMBOLS, T0_US } from '../wire/fixtures.ts';
import { listenLocal } from '../listen.ts';

export interface TestServer {
  readonly port: number;
  readonly bus: Bus;
  readonly metrics: Metrics;
  readonly gateway: Gateway;
  readonly clock: ManualClock;
  /**
   * The gateway's time (limits, keep-alive, lifetime, sweeps): it stands still until a test
   * calls `timers.advance(ms)`, so no test waits on the wall clock for it.
   */
  readonly timers: ManualTimers;
  url(path: string): string;
  /** Publish one batch on the symbol's channel, as the market runner does. */
  publish(events: readonly MarketEvent[], symbol?: string): void;
  close(): Promise<void>;
}

/** The gateway reads no market: everything it sends comes from the bus batches a test publishes. */
export async function startGateway(ws: Partial<Config['ws']> = {}, opts: { ready?: () => boolean } = {}): Promise<TestServer> {
  const { uws } = loadUws();
  const app = uws.App();
  const bus = createMemoryBus();
  const metrics = createMetrics();
  const clock = createManualClock(T0_US);
  const timers = createManualTimers();
  const gateway = attachGateway(app, {
    bus, symbols: SYMBOLS, ws: { ...loadConfig().ws, ...ws }, metrics, clock, timers, ready: opts.ready,
  });
  const listening = await listenLocal(app);
  const port = listening.port;
  return {
    port, bus, metrics, gateway, clock, timers,
    url: (path) => `ws://127.0.0.1:${port}${path}`,
    publish: (events, symbol = 'SOLUSDT') => bus.publish(channelFor(symbol), events),
    async close() {
      listening.close();
      // Shutdown polls every 10 ms of gateway time for queues to drain, and cuts stragglers after
      // 2 s of it: step its time until it is done.
      let done = false;
      const shutdown = gateway.shutdown().then(() => void (done = true));
      await until(() => done || (timers.advance(10), false), 10_000, 'the gateway to shut down');
      await shutdown;
      gateway.close();
      await bus.close();
    },
  };
}

export interface Closed {
  readonly code: number;
  readonly reason: string;
}

export interface TestClient {
  readonly ws: WebSocket;
  /** Every text frame received, parsed, in order. */
  readonly received: unknown[];
  /** The next frame not yet taken by next(). */
  next<T = any>(timeoutMs?: number): Promise<T>;
  /** Send a value as JSON text. */
  send(value: unknown): void;
  /** Send `request` and wait for the reply that carries its id. */
  request<T = any>(request: { id?: unknown; [k: string]: unknown }): Promise<T>;
  readonly closed: Promise<Closed>;
  close(): Promise<Closed>;
}

export async function openClient(url: string, options: WebSocket.ClientOptions = {}): Promise<TestClient> {
  const ws = new WebSocket(url, options);
  const received: unknown[] = [];
  let taken = 0;
  let waiter: (() => void) | undefined;
  ws.on('message', (data, isBinary) => {
    received.push(isBinary ? data : JSON.parse(String(data)));
    waiter?.();
  });
  const closed = new Promise<Closed>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
  });
  const client: TestClient = {
    ws, received, closed,
    async next(timeoutMs = 2000) {
      const deadline = Date.now() + timeoutMs;
      while (taken >= received.length) {
        if (ws.readyState === WebSocket.CLOSED) throw new Error('closed while waiting for a frame');
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no frame within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiter = () => {
            clearTimeout(t);
            resolve();
          };
        });
        waiter = undefined;
      }
      return received[taken++] as any;
    },
    send(value) {
      ws.send(JSON.stringify(value));
    },
    async request(request) {
      client.send(request);
      for (;;) {
        const msg = await client.next();
        if (msg && typeof msg === 'object' && 'id' in msg && (msg.id === (request.id ?? null))) return msg;
      }
    },
    async close() {
      if (ws.readyState !== WebSocket.CLOSED) ws.close();
      return closed;
    },
  };
  return client;
}

/** Resolves with the HTTP status an upgrade is refused with, or 101 when it opens. */
export async function upgradeStatus(url: string): Promise<number> {
  return (await upgradeAnswer(url)).status;
}

/** The HTTP status and body an upgrade is refused with, or 101 and '' when it opens. */
export function upgradeAnswer(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => {
      ws.close();
      resolve({ status: 101, body: '' });
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', (err) => reject(err));
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Poll `check` until it holds, or fail after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/**
 * Per-file fixture for tests that start a gateway per test: the server and the clients opened
 * through `start` and `client` are closed after each test.
 */
export function useGateway(): {
  start(ws?: Partial<Config['ws']>, opts?: { ready?: () => boolean }): Promise<TestServer>;
  client(s: TestServer, path: string, options?: WebSocket.ClientOptions): Promise<TestClient>;
} {
  let server: TestServer | undefined;
  const clients: TestClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await server?.close();
    server = undefined;
  });
  return {
    async start(ws, opts) {
      server = await startGateway(ws, opts);
      return server;
    },
    async client(s, path, options) {
      const c = await openClient(s.url(path), options);
      clients.push(c);
      return c;
    },
  };
}
