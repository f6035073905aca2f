// The WebSocket API at /ws-api/v3 on a market that does not move: every method answers what its
// REST twin answers, with REST's weights and errors, ids echoed with their JSON type.
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app.ts';
import { channelFor } from '../../server/bus/bus.ts';
import { loadConfig } from '../../server/config.ts';
import { createManualClock } from '../../server/market/clock.ts';
import { createSimulator } from '../../server/market/simulator.ts';
import { createMetrics } from '../../server/metrics.ts';
import { loadUws } from '../../server/uws.ts';
import { createWeightLimiter } from '../../server/http/weights.ts';
import { WS_API_METHODS } from '../../server/ws-api/methods.ts';
import { attachWsApi } from '../../server/ws-api/ws-api.ts';
import { RestErrorCode } from '../../server/wire/errors.ts';
import { upgradeAnswer } from '../gateway/harness.ts';
import { httpGet } from '../http/harness.ts';
import { listenLocal } from '../listen.ts';
import { openApi, type ApiClient } from './client.ts';

const START_US = Date.UTC(2026, 10, 21, 12, 0, 0) * 1000 + 250;

async function frozenServer(args: string[] = []): Promise<RunningServer> {
  const clock = createManualClock(START_US);
  const server = await startServer(loadConfig(['--port', '0', '--rest-weight-per-minute', '1000000', ...args]), {
    clock, runMarket: false, distDir: '/nonexistent/tickwire-dist',
  });
  // Two minutes of trading, then the market stands still for the whole file.
  clock.advance(120_000_000);
  server.simulator!.advanceTo(clock.nowUs(), (symbol, batch) => server.bus.publish(channelFor(symbol), batch));
  return server;
}

/** Each method with parameters as a client sends them (JSON values), and the REST query it is the twin of. */
const CASES: readonly [method: keyof typeof WS_API_METHODS, params: Record<string, unknown> | undefined, query: string][] = [
  ['ping', undefined, ''],
  ['time', {}, ''],
  ['exchangeInfo', undefined, ''],
  ['exchangeInfo', { symbols: ['SOLUSDT', 'BNBUSDT'] }, 'symbols=["SOLUSDT","BNBUSDT"]'],
  ['depth', { symbol: 'SOLUSDT', limit: 10 }, 'symbol=SOLUSDT&limit=10'],
  ['trades.recent', { symbol: 'SOLUSDT', limit: 20 }, 'symbol=SOLUSDT&limit=20'],
  ['trades.historical', { symbol: 'SOLUSDT', fromId: 5, limit: 3 }, 'symbol=SOLUSDT&fromId=5&limit=3'],
  ['trades.aggregate', { symbol: 'BTCUSDT', limit: 7 }, 'symbol=BTCUSDT&limit=7'],
  ['klines', { symbol: 'SOLUSDT', interval: '1m', limit: 5 }, 'symbol=SOLUSDT&interval=1m&limit=5'],
  ['klines', { symbol: 'SOLUSDT', interval: '1d', timeZone: '+08:00', limit: 2 }, 'symbol=SOLUSDT&interval=1d&timeZone=%2B08:00&limit=2'],
  ['uiKlines', { symbol: 'ETHUSDT', interval: '1h', limit: 3 }, 'symbol=ETHUSDT&interval=1h&limit=3'],
  ['avgPrice', { symbol: 'SOLUSDT' }, 'symbol=SOLUSDT'],
  ['ticker.24hr', { symbol: 'SOLUSDT' }, 'symbol=SOLUSDT'],
  ['ticker.24hr', { symbols: ['SOLUSDT', 'ETHUSDT'], type: 'MINI' }, 'symbols=["SOLUSDT","ETHUSDT"]&type=MINI'],
  ['ticker.24hr', undefined, ''],
  ['ticker.price', { symbol: 'BTCUSDT' }, 'symbol=BTCUSDT'],
  ['ticker.price', undefined, ''],
  ['ticker.book', { symbols: ['SOLUSDT', 'BNBUSDT'] }, 'symbols=["SOLUSDT","BNBUSDT"]'],
  ['ticker', { symbol: 'SOLUSDT', windowSize: '1h' }, 'symbol=SOLUSDT&windowSize=1h'],
];

describe('WebSocket API against REST on the same market state', () => {
  let server: RunningServer;
  let api: ApiClient;
  beforeAll(async () => {
    server = await frozenServer();
    api = await openApi(server.port);
  });
  afterAll(async () => {
    await api.close();
    await server.close();
  });

  it('serves every market-data method of Binance’s WebSocket API', () => {
    expect(new Set(CASES.map(([m]) => m))).toEqual(new Set(Object.keys(WS_API_METHODS)));
  });

  it.each(CASES)('answers %s %j with the body and weight of its REST twin', async (method, params, query) => {
    const path = `${WS_API_METHODS[method]}${query === '' ? '' : '?'}${encodeURI(query).replace(/%25/g, '%')}`;
    const rest = await httpGet(server.port, path);
    expect(rest.status).toBe(200);
    const reply = await api.call(method, params);
    expect(reply.status).toBe(200);
    expect(reply.result).toEqual(rest.json());
    // The same weight, charged to the same per-IP table as REST: REST, then WS, then REST again.
    const again = await httpGet(server.port, path);
    const [t1, t3] = [Number(rest.headers['x-mbx-used-weight']), Number(again.headers['x-mbx-used-weight'])];
    const t2 = reply.rateLimits[0].count;
    expect(reply.rateLimits).toEqual([{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 1_000_000, count: t2 }]);
    expect(t2 - t1).toBe(t3 - t2);
    expect(t2 - t1).toBeGreaterThan(0);
  });

  it('gives times in microseconds on a connection opened with timeUnit=MICROSECOND', async () => {
    const micro = await openApi(server.port, '?timeUnit=MICROSECOND');
    try {
      const rest = await httpGet(server.port, '/api/v3/trades?symbol=SOLUSDT&limit=2', { 'X-MBX-TIME-UNIT': 'MICROSECOND' });
      expect((await micro.call('trades.recent', { symbol: 'SOLUSDT', limit: 2 })).result).toEqual(rest.json());
      expect((await micro.call('time')).result).toEqual({ serverTime: server.simulator!.nowUs() });
    } finally {
      await micro.close();
    }
  });

  it('echoes each id with its JSON type: integer, string and null', async () => {
    expect(await api.call('ping', undefined, 7)).toMatchObject({ id: 7, status: 200, result: {} });
    expect(await api.call('ping', undefined, '7')).toMatchObject({ id: '7', status: 200 });
    const reply = await api.raw('{"id":null,"method":"ping"}');
    expect(reply).toMatchObject({ id: null, status: 200, result: {} });
  });

  it('leaves rateLimits out when the connection or the request asks it to', async () => {
    const quiet = await openApi(server.port, '?returnRateLimits=false');
    try {
      expect(await quiet.call('ping')).not.toHaveProperty('rateLimits');
      expect(await quiet.call('ping', { returnRateLimits: true })).toHaveProperty('rateLimits');
      expect(await api.call('ping', { returnRateLimits: false })).not.toHaveProperty('rateLimits');
    } finally {
      await quiet.close();
    }
  });

  it('refuses bad parameters with the status, code and message REST gives them', async () => {
    const bad: [string, Record<string, unknown>, string][] = [
      ['depth', { symbol: 'NOPEUSDT' }, '/api/v3/depth?symbol=NOPEUSDT'],
      ['depth', { symbol: 'SOLUSDT', limit: 0 }, '/api/v3/depth?symbol=SOLUSDT&limit=0'],
      ['klines', { symbol: 'SOLUSDT', interval: '7m' }, '/api/v3/klines?symbol=SOLUSDT&interval=7m'],
      ['klines', { symbol: 'SOLUSDT' }, '/api/v3/klines?symbol=SOLUSDT'],
      ['ticker.24hr', { symbol: 'SOLUSDT', symbols: ['BTCUSDT'] }, '/api/v3/ticker/24hr?symbol=SOLUSDT&symbols=["BTCUSDT"]'],
      ['trades.aggregate', { symbol: 'SOLUSDT', fromId: 1, startTime: 5 }, '/api/v3/aggTrades?symbol=SOLUSDT&fromId=1&startTime=5'],
      ['ticker', {}, '/api/v3/ticker'],
      ['trades.recent', { symbol: 'SOLUSDT', limit: 1.5 }, '/api/v3/trades?symbol=SOLUSDT&limit=1.5'],
    ];
    for (const [method, params, path] of bad) {
      const rest = await httpGet(server.port, encodeURI(path));
      const reply = await api.call(method, params, 'bad');
      expect(reply, `${method} ${JSON.stringify(params)}`).toMatchObject({ id: 'bad', status: rest.status, error: rest.json() });
    }
  });
});

describe('WebSocket API under bad input', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await frozenServer();
  });
  afterAll(() => server.close());

  it('answers malformed frames, unknown methods and missing ids with its own error and keeps the connection', async () => {
    const api = await openApi(server.port);
    const bystander = await openApi(server.port);
    try {
      const malformed = 400;
      const code = RestErrorCode.MANDATORY_PARAM_EMPTY_OR_MALFORMED;
      expect(await api.raw('{"id":1,"method":')).toMatchObject({ id: null, status: malformed, error: { code } });
      expect(await api.raw('[1,2]')).toMatchObject({ id: null, status: malformed, error: { code } });
      expect(await api.raw('{"method":"ping"}')).toMatchObject({ id: null, status: malformed, error: { code, msg: expect.stringContaining("'id'") } });
      expect(await api.raw('{"id":{},"method":"ping"}')).toMatchObject({ id: null, status: malformed, error: { code } });
      expect(await api.raw(JSON.stringify({ id: 'y'.repeat(37), method: 'ping' }))).toMatchObject({ id: null, error: { code } });
      expect(await api.raw('{"id":3}')).toMatchObject({ id: 3, status: malformed, error: { code, msg: expect.stringContaining("'method'") } });
      expect(await api.raw('{"id":4,"method":"ping","params":[1]}')).toMatchObject({ id: 4, status: malformed, error: { code } });
      expect(await api.raw('{"id":5,"method":"ping","params":{"returnRateLimits":"no"}}')).toMatchObject({ id: 5, error: { code: RestErrorCode.INVALID_PARAMETER } });
      expect(await api.raw(Buffer.from('{"id":6,"method":"ping"}'))).toMatchObject({ id: null, status: malformed, error: { code } });
      const unknown = await api.call('order.place', { symbol: 'SOLUSDT' }, 'u');
      expect(unknown).toMatchObject({ id: 'u', status: 400, error: { code: RestErrorCode.UNSUPPORTED_OPERATION } });
      expect(unknown.error.msg).toContain('ticker.book');
      // Still open and answering, and the other connection received nothing it did not ask for.
      expect(await api.call('ping', undefined, 'alive')).toMatchObject({ id: 'alive', status: 200 });
      expect(await bystander.call('ping', undefined, 'b')).toMatchObject({ id: 'b', status: 200 });
      expect(bystander.frames).toHaveLength(1);
      expect(server.metrics.read('tickwire_ws_api_requests_total', { method: '?', status: '400' })).toBe(10);
      expect(server.metrics.read('tickwire_ws_api_requests_total', { method: 'ping', status: '200' })).toBe(2);
    } finally {
      await api.close();
      await bystander.close();
    }
  });

  it('closes a connection that sends a frame larger than the limit with 1009', async () => {
    const api = await openApi(server.port);
    const closed = new Promise<number>((resolve) => api.ws.once('close', resolve));
    api.ws.send(JSON.stringify({ id: 1, method: 'ping', params: { pad: 'x'.repeat(70_000) } }));
    expect(await closed).toBe(1009);
    expect(await httpGet(server.port, '/api/v3/ping').then((r) => r.status)).toBe(200);
  });

  it('refuses an upgrade with a bad timeUnit or returnRateLimits with HTTP 400', async () => {
    for (const q of ['?timeUnit=SECOND', '?returnRateLimits=maybe']) {
      const status = await new Promise<number>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws-api/v3${q}`);
        ws.on('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          ws.terminate();
        });
        ws.on('error', () => {});
      });
      expect(status).toBe(400);
    }
  });
});

describe('WebSocket API over the weight limit', () => {
  it('answers 429 with -1003 and retryAfter past the per-IP weight, shared with REST, without closing', async () => {
    const server = await frozenServer(['--rest-weight-per-minute', '40']);
    const api = await openApi(server.port); // the handshake costs 2
    try {
      const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => api.call('ping', undefined, i)));
      const ok = replies.filter((r) => r.status === 200);
      const refused = replies.filter((r) => r.status === 429);
      expect(ok).toHaveLength(38);
      expect(refused).toHaveLength(2);
      expect(refused[0]).toMatchObject({ error: { code: RestErrorCode.TOO_MANY_REQUESTS, data: { serverTime: expect.any(Number), retryAfter: expect.any(Number) } } });
      expect(refused[0].error.data.retryAfter).toBeGreaterThan(refused[0].error.data.serverTime);
      // REST spends the same table: it is over the limit too.
      expect((await httpGet(server.port, '/api/v3/ping')).status).toBe(429);
      expect(api.ws.readyState).toBe(WebSocket.OPEN);
    } finally {
      await api.close();
      await server.close();
    }
  });
});

describe('WebSocket API keep-alive, lifetime and shutdown', () => {
  it('pings, closes a connection that does not answer pings with 1008, and one past its lifetime with 1000', async () => {
    const server = await frozenServer(['--ws-ping-interval-ms', '100', '--ws-pong-timeout-ms', '300', '--ws-max-lifetime-ms', '1500']);
    try {
      const silent = new WebSocket(`ws://127.0.0.1:${server.port}/ws-api/v3`, { autoPong: false });
      const polite = await openApi(server.port);
      let pings = 0;
      polite.ws.on('ping', () => pings++);
      const silentClose = await new Promise<{ code: number; reason: string }>((resolve) =>
        silent.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
      expect(silentClose).toEqual({ code: 1008, reason: 'pong timeout' });
      const politeClose = await new Promise<number>((resolve) => polite.ws.once('close', resolve));
      expect(politeClose).toBe(1000);
      expect(pings).toBeGreaterThan(2);
      expect(server.metrics.read('tickwire_ws_api_server_closes_total', { reason: 'lifetime' })).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('sends serverShutdown and closes with 1001 when the server stops', async () => {
    const server = await frozenServer();
    const api = await openApi(server.port);
    const closed = new Promise<number>((resolve) => api.ws.once('close', resolve));
    await server.close();
    expect(await closed).toBe(1001);
    expect(api.frames.at(-1)).toMatchObject({ e: 'serverShutdown' });
  });
});

describe('WebSocket API on a fleet gateway still catching up', () => {
  it('refuses new connections with 503 -1001 until the gateway is ready, then serves them', async () => {
    const { uws } = loadUws();
    const clock = createManualClock(START_US);
    const app = uws.App();
    let ready = false;
    const api = attachWsApi(app, {
      market: createSimulator({ seed: 7, clock, symbols: [{ symbol: 'SOLUSDT', tradesPerSec: 5 }] }), ws: loadConfig().ws,
      limiter: createWeightLimiter({ limit: 6000, clock }), metrics: createMetrics(), clock, ready: () => ready,
    });
    const { port, close } = await listenLocal(app);
    try {
      const refused = await upgradeAnswer(`ws://127.0.0.1:${port}/ws-api/v3`);
      expect(refused.status).toBe(503);
      expect(JSON.parse(refused.body)).toMatchObject({ code: RestErrorCode.DISCONNECTED, msg: expect.stringMatching(/catching up/) });
      ready = true;
      expect((await upgradeAnswer(`ws://127.0.0.1:${port}/ws-api/v3`)).status).toBe(101);
    } finally {
      api.shutdown();
      api.close();
      close();
    }
  });
});
