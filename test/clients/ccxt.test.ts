// ccxt (with ccxt.pro), pointed at a running tickwire by its public REST and spot WebSocket URLs, reads the market.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { binanceOn, type Binance } from './ccxt-local.ts';

const ascending = (xs: readonly number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]!);

describe('ccxt binance against tickwire', () => {
  let server: RunningServer;
  let exchange: Binance;
  let host: string;
  const requested: string[] = [];

  beforeAll(async () => {
    server = await startServer(loadConfig(['--port', '0']), { distDir: '/nonexistent/tickwire-dist' });
    host = `127.0.0.1:${server.port}`;
    exchange = binanceOn(host);
    // ccxt refuses a ws:// (not wss://) URL until its plain http Agent is loaded.
    await exchange.loadHttpProxyAgent();
    const fetch = exchange.fetch.bind(exchange);
    exchange.fetch = (url: string, ...rest: [string?, unknown?, unknown?]) => {
      requested.push(url);
      return fetch(url, ...rest);
    };
  });
  afterAll(async () => {
    await exchange?.close();
    await server?.close();
  });

  it('loads the configured symbols as active spot markets with the exchange filters as precision and limits', async () => {
    const markets = await exchange.loadMarkets();
    expect(Object.keys(markets)).toEqual(['SOL/USDT', 'BTC/USDT', 'ETH/USDT', 'BNB/USDT']);
    const sol = markets['SOL/USDT']!;
    expect(sol).toMatchObject({ id: 'SOLUSDT', base: 'SOL', quote: 'USDT', type: 'spot', spot: true, active: true });
    const filters = (sol.info as { filters: { filterType: string; tickSize?: string; stepSize?: string; minPrice?: string }[] }).filters;
    const price = filters.find((f) => f.filterType === 'PRICE_FILTER')!;
    const lot = filters.find((f) => f.filterType === 'LOT_SIZE')!;
    expect(sol.precision.price).toBe(Number(price.tickSize));
    expect(sol.precision.amount).toBe(Number(lot.stepSize));
    expect(sol.limits.price?.min).toBe(Number(price.minPrice));
  });

  it('fetches a ticker whose last and open lie in the 24h range, with the bid below the ask', async () => {
    const t = await exchange.fetchTicker('SOL/USDT');
    expect(t.symbol).toBe('SOL/USDT');
    const { last, open, high, low, bid, ask, change } = t;
    expect(low).toBeGreaterThan(0);
    expect(low).toBeLessThanOrEqual(Math.min(last!, open!));
    expect(high).toBeGreaterThanOrEqual(Math.max(last!, open!));
    expect(change).toBeCloseTo(last! - open!, 6);
    expect(bid).toBeLessThan(ask!);
    expect(Math.abs(t.timestamp! - Date.now())).toBeLessThan(10_000);
  });

  it('fetches 1m candles oldest first, each a well-formed candle inside the 24h range', async () => {
    const candles = await exchange.fetchOHLCV('SOL/USDT', '1m', undefined, 5);
    expect(candles.length).toBeGreaterThan(1);
    expect(candles.length).toBeLessThanOrEqual(5);
    const day = await exchange.fetchTicker('SOL/USDT'); // after the candles, so its range covers them
    expect(ascending(candles.map(([t]) => t!))).toBe(true);
    for (const [t, o, h, l, c, v] of candles) {
      expect(t! % 60_000).toBe(0);
      expect(l).toBeLessThanOrEqual(Math.min(o!, c!));
      expect(h).toBeGreaterThanOrEqual(Math.max(o!, c!));
      expect(l).toBeGreaterThanOrEqual(day.low!);
      expect(h).toBeLessThanOrEqual(day.high!);
      expect(v).toBeGreaterThanOrEqual(0);
    }
  });

  it('fetches an order book with bids falling, asks rising and the best bid below the best ask', async () => {
    const first = await exchange.fetchOrderBook('SOL/USDT', 5);
    const second = await exchange.fetchOrderBook('SOL/USDT', 5);
    for (const book of [first, second]) {
      expect(book.symbol).toBe('SOL/USDT');
      expect(book.bids.length).toBeGreaterThan(0);
      expect(book.bids.length).toBeLessThanOrEqual(5);
      expect(ascending(book.bids.map(([p]) => -p!))).toBe(true);
      expect(ascending(book.asks.map(([p]) => p!))).toBe(true);
      expect(book.bids[0]![0]).toBeLessThan(book.asks[0]![0]!);
      expect(Number.isInteger(book.nonce)).toBe(true);
    }
    expect(second.nonce).toBeGreaterThanOrEqual(first.nonce!);
  });

  it('fetches recent trades (aggregate trades) with rising ids, in time order, priced in the 24h range', async () => {
    const trades = await exchange.fetchTrades('SOL/USDT', undefined, 20);
    expect(trades.length).toBeGreaterThan(1);
    expect(trades.length).toBeLessThanOrEqual(20);
    const day = await exchange.fetchTicker('SOL/USDT');
    expect(ascending(trades.map((tr) => Number(tr.id)))).toBe(true);
    for (const [i, tr] of trades.entries()) {
      if (i > 0) expect(tr.timestamp).toBeGreaterThanOrEqual(trades[i - 1]!.timestamp!);
      expect(tr.symbol).toBe('SOL/USDT');
      expect(['buy', 'sell']).toContain(tr.side);
      expect(tr.price).toBeGreaterThanOrEqual(day.low!);
      expect(tr.price).toBeLessThanOrEqual(day.high!);
      expect(tr.amount).toBeGreaterThan(0);
      expect(tr.cost).toBeCloseTo(tr.price! * tr.amount!, 6);
    }
  });

  it('fetches raw trades from /api/v3/trades when asked, ids rising by one', async () => {
    const trades = await exchange.fetchTrades('SOL/USDT', undefined, 10, { fetchTradesMethod: 'publicGetTrades' });
    expect(trades.length).toBeGreaterThan(1);
    for (const [i, tr] of trades.entries()) {
      if (i > 0) expect(Number(tr.id)).toBe(Number(trades[i - 1]!.id) + 1);
      expect(tr.price).toBeGreaterThan(0);
    }
    expect(requested.at(-1)).toMatch(/\/api\/v3\/trades\?/);
  });

  // ccxt sends GET /api/v3/ticker?symbol=SOLUSDT&windowSize=1h for fetchTicker(symbol, { rolling: true, windowSize: '1h' }).
  // Binance opens the window at closeTime − 1h rounded down to the minute: up to 59 999 ms wider than asked.
  it('fetches a 1h rolling-window ticker when asked for rolling: true', async () => {
    const t = await exchange.fetchTicker('SOL/USDT', { rolling: true, windowSize: '1h' });
    expect(t.low).toBeLessThanOrEqual(Math.min(t.last!, t.open!));
    expect(t.high).toBeGreaterThanOrEqual(Math.max(t.last!, t.open!));
    const info = t.info as { openTime: number; closeTime: number };
    expect(info.openTime % 60_000).toBe(0);
    expect(info.closeTime - info.openTime).toBeGreaterThanOrEqual(3_600_000);
    expect(info.closeTime - info.openTime).toBeLessThan(3_600_000 + 60_000);
    expect(requested.at(-1)).toMatch(/\/api\/v3\/ticker\?(?=.*symbol=SOLUSDT)(?=.*windowSize=1h)/);
  });

  it('watches trades over the WebSocket with ids rising by one, priced in the 24h range', async () => {
    const seen: Awaited<ReturnType<Binance['watchTrades']>> = [];
    const deadline = Date.now() + 10_000;
    while (seen.length < 5) {
      if (Date.now() > deadline) throw new Error(`only ${seen.length} trades watched in 10 s`);
      seen.push(...(await exchange.watchTrades('SOL/USDT'))); // each call returns the trades new since the last
    }
    const day = await exchange.fetchTicker('SOL/USDT');
    for (const [i, tr] of seen.entries()) {
      if (i > 0) expect(Number(tr.id)).toBe(Number(seen[i - 1]!.id) + 1);
      expect(tr.symbol).toBe('SOL/USDT');
      expect(tr.price).toBeGreaterThanOrEqual(day.low!);
      expect(tr.price).toBeLessThanOrEqual(day.high!);
      expect(Math.abs(tr.timestamp! - Date.now())).toBeLessThan(10_000);
    }
  });

  it('watches an order book built from the REST snapshot and the diff stream, never crossed as it moves', async () => {
    // ccxt checks each diff's U/u against the snapshot's lastUpdateId and the previous diff, and throws on a gap.
    const first = await exchange.watchOrderBook('SOL/USDT');
    const firstNonce = first.nonce!;
    const firstBids = first.bids.slice(0, 5).map(([p]) => p!);
    const firstAsks = first.asks.slice(0, 5).map(([p]) => p!);
    let book = first;
    const deadline = Date.now() + 10_000;
    while (book.nonce === firstNonce) {
      if (Date.now() > deadline) throw new Error('the watched book did not move in 10 s');
      book = await exchange.watchOrderBook('SOL/USDT');
    }
    for (const [bids, asks] of [[firstBids, firstAsks], [book.bids.slice(0, 5).map(([p]) => p!), book.asks.slice(0, 5).map(([p]) => p!)]] as const) {
      expect(bids.length).toBeGreaterThan(0);
      expect(ascending(bids.map((p) => -p))).toBe(true);
      expect(ascending(asks)).toBe(true);
      expect(bids[0]).toBeLessThan(asks[0]!);
    }
    expect(book.nonce).toBeGreaterThan(firstNonce);
    const rest = await exchange.fetchOrderBook('SOL/USDT', 5);
    expect(rest.nonce).toBeGreaterThanOrEqual(book.nonce!);
  });

  it('watches the 24h ticker and the open 1m candle, both inside the 24h range', async () => {
    // ccxt 4.5 watches <sym>@miniTicker (no bid/ask) unless asked for the full ticker by name.
    const t = await exchange.watchTicker('SOL/USDT', { name: 'ticker' });
    expect((t.info as { e?: string }).e).toBe('24hrTicker');
    expect(t.low).toBeLessThanOrEqual(Math.min(t.last!, t.open!));
    expect(t.high).toBeGreaterThanOrEqual(Math.max(t.last!, t.open!));
    expect(t.bid).toBeLessThan(t.ask!);
    const candles = await exchange.watchOHLCV('SOL/USDT', '1m');
    const day = await exchange.fetchTicker('SOL/USDT');
    expect(ascending(candles.map(([time]) => time!))).toBe(true);
    const [time, o, h, l, c] = candles.at(-1)!;
    expect(time! % 60_000).toBe(0);
    expect(Date.now() - time!).toBeLessThan(2 * 60_000);
    expect(l).toBeLessThanOrEqual(Math.min(o!, c!));
    expect(h).toBeGreaterThanOrEqual(Math.max(o!, c!));
    expect(l).toBeGreaterThanOrEqual(day.low!);
    expect(h).toBeLessThanOrEqual(day.high!);
  });

  it('made every request to tickwire and nowhere else', () => {
    expect(requested.length).toBeGreaterThan(0);
    for (const url of requested) expect(url.startsWith(`http://${host}/api/v3/`)).toBe(true);
    const sockets = Object.keys(exchange.clients);
    expect(sockets.length).toBeGreaterThan(0);
    for (const url of sockets) expect(url.startsWith(`ws://${host}/ws/`)).toBe(true);
  });
});
