// The whole feed server in-process on port 0: site routes, REST over the real simulator, and how it closes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { httpGet } from '../http/harness.ts';

describe('startServer', () => {
  let server: RunningServer;
  const get = (path: string, headers?: Record<string, string>) => httpGet(server.port, path, headers);
  beforeAll(async () => {
    server = await startServer(loadConfig(['--port', '0', '--symbols', 'SOLUSDT:20,BTCUSDT:5']), { distDir: '/nonexistent/tickwire-dist' });
  });
  afterAll(() => server.close());

  it('runs on the native uWS binary', () => {
    expect(server.uwsBinary).toMatch(/\.node$/);
    expect(server.port).toBeGreaterThan(0);
  });

  it('answers /healthz with ok and the open WebSocket count', async () => {
    expect((await get('/healthz')).json()).toMatchObject({ status: 'ok', connections: 0 });
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws/solusdt@trade`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    try {
      expect((await get('/healthz')).json().connections).toBe(1);
    } finally {
      const closed = new Promise((resolve) => ws.once('close', resolve));
      ws.close();
      await closed;
    }
  });

  it('exposes REST counters on /metrics in the Prometheus text format', async () => {
    await get('/api/v3/ping');
    await get('/api/v3/depth?symbol=nope');
    const r = await get('/metrics');
    expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(r.text).toMatch(/^tickwire_rest_requests_total\{endpoint="\/api\/v3\/ping",status="200"\} [1-9]\d*$/m);
    expect(r.text).toMatch(/^tickwire_rest_rejected_total\{code="-1100"\} [1-9]\d*$/m);
    // Every sample line is `name{labels} value`.
    for (const line of r.text.trim().split('\n').filter((l) => !l.startsWith('#'))) {
      expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? [-+0-9.eE]+|NaN|[+-]Inf$/);
    }
  });

  it('answers unknown paths with 404s: JSON under /api/, plain elsewhere, and the build hint at /', async () => {
    const api = await get('/api/v3/nothing');
    expect(api.status).toBe(404);
    expect(api.json().code).toBe(-1);
    const page = await get('/nothing');
    expect(page.status).toBe(404);
    expect(page.text).toContain('Not found');
    expect((await get('/')).text).toContain('npm run build');
    expect((await get('/ws/solusdt@trade')).status).toBe(426);
  });

  it('serves REST from the running market: configured symbols, live prices and one update-id sequence', async () => {
    const info = (await get('/api/v3/exchangeInfo')).json();
    expect(info.symbols.map((s: { symbol: string }) => s.symbol)).toEqual(['SOLUSDT', 'BTCUSDT']);
    const depth = (await get('/api/v3/depth?symbol=SOLUSDT&limit=5')).json();
    const book = (await get('/api/v3/ticker/bookTicker?symbol=SOLUSDT')).json();
    expect(depth.bids.length).toBeGreaterThan(0);
    expect(Number(depth.bids[0][0])).toBeLessThan(Number(depth.asks[0][0]));
    expect(Number(book.bidPrice)).toBeLessThan(Number(book.askPrice));
    const price = (await get('/api/v3/ticker/price?symbol=SOLUSDT')).json();
    expect(Number(price.price)).toBeGreaterThan(0);
    const serverTime = (await get('/api/v3/time')).json().serverTime;
    expect(Math.abs(serverTime - Date.now())).toBeLessThan(2_000);
  });

  it('serves trades and klines that agree with each other', async () => {
    let trades: any[] = [];
    for (const deadline = Date.now() + 10_000; trades.length < 5 && Date.now() < deadline;) {
      trades = (await get('/api/v3/trades?symbol=SOLUSDT&limit=1000')).json();
      if (trades.length < 5) await new Promise((r) => setTimeout(r, 50)); // poll interval, until a few trades happened
    }
    expect(trades.length).toBeGreaterThanOrEqual(5);
    for (let i = 1; i < trades.length; i++) expect(trades[i].id).toBe(trades[i - 1].id + 1);
    const klines = (await get('/api/v3/klines?symbol=SOLUSDT&interval=1s&limit=1000')).json();
    const last = trades.at(-1);
    const row = klines.find((k: number[]) => k[0]! <= last.time && last.time <= k[6]!);
    expect(row, 'the kline holding the newest trade').toBeDefined();
    // The newest trade cannot be outside its kline's range.
    expect(Number(last.price)).toBeGreaterThanOrEqual(Number(row[3]));
    expect(Number(last.price)).toBeLessThanOrEqual(Number(row[2]));
  });

  it('honours X-MBX-TIME-UNIT on the real market: the same trade, in µs, floors to its ms time', async () => {
    const inMs = (await get('/api/v3/trades?symbol=SOLUSDT&limit=5')).json();
    const inUs = (await get('/api/v3/trades?symbol=SOLUSDT&limit=1000', { 'X-MBX-TIME-UNIT': 'MICROSECOND' })).json();
    const same = inUs.find((t: { id: number }) => t.id === inMs[0].id);
    expect(same, 'the trade seen in ms, again in µs').toBeDefined();
    expect(Math.floor(same.time / 1000)).toBe(inMs[0].time);
    expect(same.time).toBeGreaterThan(1e15);
  });
});
