// The `binance` npm package, pointed at a running tickwire by its base URLs only, reads the market.
import { MainClient, WebsocketClient } from 'binance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';

/** The client logs every connect and subscribe at info level; keep errors only. */
const quiet = {
  trace: () => {},
  info: () => {},
  error: (...args: unknown[]) => console.error(...args),
};

describe('binance npm client against tickwire', () => {
  let server: RunningServer;
  let rest: MainClient;
  beforeAll(async () => {
    server = await startServer(loadConfig(['--port', '0']));
    rest = new MainClient({ baseUrl: `http://127.0.0.1:${server.port}` });
  });
  afterAll(() => server.close());

  it('pings, reads the server time and the exchange info', async () => {
    expect(await rest.testConnectivity()).toEqual({});
    // getServerTime() ignores baseUrl (binance 3.6.5 builds that URL from the default host), so
    // the time is read through the client's generic get(), as its time sync would need a fix to.
    const { serverTime } = (await rest.get('api/v3/time')) as { serverTime: number };
    expect(Math.abs(serverTime - Date.now())).toBeLessThan(5_000);
    const info = await rest.getExchangeInfo({ symbols: ['SOLUSDT', 'BTCUSDT'] });
    expect(info.symbols.map((s) => s.symbol)).toEqual(['SOLUSDT', 'BTCUSDT']);
  });

  it('reads klines, the 24h ticker, prices, the book ticker and the order book over REST', async () => {
    const klines = await rest.getKlines({ symbol: 'SOLUSDT', interval: '1m', limit: 5 });
    expect(klines.length).toBeGreaterThan(0);
    expect(klines.length).toBeLessThanOrEqual(5);
    const [openTime, open, , , close, , closeTime] = klines.at(-1)!;
    expect(closeTime).toBe(Number(openTime) + 59_999);
    expect(Number(open)).toBeGreaterThan(0);
    expect(Number(close)).toBeGreaterThan(0);

    const ticker = await rest.get24hrChangeStatistics({ symbol: 'SOLUSDT' });
    expect(ticker).toMatchObject({ symbol: 'SOLUSDT' });
    expect(Number((ticker as { lastPrice: string }).lastPrice)).toBeGreaterThan(0);

    const mini = await rest.get24hrChangeStatistics({ symbols: ['SOLUSDT', 'ETHUSDT'], type: 'MINI' });
    expect((mini as { symbol: string }[]).map((t) => t.symbol)).toEqual(['SOLUSDT', 'ETHUSDT']);

    const price = await rest.getSymbolPriceTicker({ symbol: 'BTCUSDT' });
    expect(price).toMatchObject({ symbol: 'BTCUSDT' });
    const prices = await rest.getSymbolPriceTicker({ symbols: ['BTCUSDT', 'BNBUSDT'] });
    expect((prices as { symbol: string }[]).map((p) => p.symbol)).toEqual(['BTCUSDT', 'BNBUSDT']);

    const book = await rest.getSymbolOrderBookTicker({ symbol: 'ETHUSDT' });
    expect(book).toMatchObject({ symbol: 'ETHUSDT' });
    const depth = await rest.getOrderBook({ symbol: 'SOLUSDT', limit: 5 });
    expect(depth.bids.length).toBeLessThanOrEqual(5);
    expect(Number.isInteger(depth.lastUpdateId)).toBe(true);
  });

  it('sees the weight it used, from the headers', async () => {
    await rest.testConnectivity();
    expect(rest.getRateLimitStates()['x-mbx-used-weight-1m']).toBeGreaterThan(0);
  });

  it('gets a Binance error object for a bad symbol', async () => {
    await expect(rest.getAvgPrice({ symbol: 'NOPEUSDT' })).rejects.toMatchObject({ code: -1121, message: 'Invalid symbol.' });
  });

  it('receives trades over the WebSocket, combined framing, from wsUrl alone', async () => {
    const ws = new WebsocketClient({ wsUrl: `ws://127.0.0.1:${server.port}` }, quiet as never);
    try {
      const trade = await new Promise<Record<string, unknown>>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no trade within 10 s')), 10_000);
        ws.on('message', (raw) => {
          const msg = raw as unknown as Record<string, unknown>;
          if (msg.e === 'trade') {
            clearTimeout(timer);
            resolve(msg);
          }
        });
        ws.on('exception', (e: unknown) => {
          clearTimeout(timer);
          reject(new Error(`client exception: ${JSON.stringify(e)}`));
        });
        void ws.subscribeSpotTrades('SOLUSDT');
      });
      expect(trade).toMatchObject({ e: 'trade', s: 'SOLUSDT', M: true });
      expect(typeof trade.p).toBe('string');
      expect(Number.isInteger(trade.t)).toBe(true);
      expect(Math.abs(Number(trade.T) - Date.now())).toBeLessThan(5_000);
    } finally {
      ws.closeAll(true);
    }
  });
});
