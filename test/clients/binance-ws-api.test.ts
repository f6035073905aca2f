// The `binance` package's WebsocketAPIClient, pointed at tickwire by its wsUrl only (it appends
// /ws-api/v3), reads a market that does not move and gets what REST gives for the same state.
import { WebsocketAPIClient } from 'binance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app.ts';
import { channelFor } from '../../server/bus/bus.ts';
import { loadConfig } from '../../server/config.ts';
import { createManualClock } from '../../server/market/clock.ts';
import { httpGet } from '../http/harness.ts';

/** The client logs each connect and every error response; the one error here is expected, so keep it out of the output. */
const quiet = { trace: () => {}, info: () => {}, error: () => {} };

describe('binance WebsocketAPIClient against tickwire', () => {
  let server: RunningServer;
  let client: WebsocketAPIClient;
  const rest = async (path: string) => (await httpGet(server.port, path)).json();

  beforeAll(async () => {
    const clock = createManualClock(Date.UTC(2026, 10, 21, 12, 0, 0) * 1000);
    server = await startServer(loadConfig(['--port', '0']), { clock, runMarket: false, distDir: '/nonexistent/tickwire-dist' });
    clock.advance(60_000_000);
    server.simulator!.advanceTo(clock.nowUs(), (symbol, batch) => server.bus.publish(channelFor(symbol), batch));
    client = new WebsocketAPIClient({ wsUrl: `ws://127.0.0.1:${server.port}` }, quiet as never);
  });
  afterAll(async () => {
    client.getWSClient().closeAll(true);
    await server.close();
  });

  it('pings and reads the server time and exchange info', async () => {
    expect(await client.testSpotConnectivity()).toMatchObject({ status: 200, result: {} });
    expect((await client.getSpotServerTime()).result).toEqual(await rest('/api/v3/time'));
    expect((await client.getSpotExchangeInfo({ symbol: 'SOLUSDT' })).result).toEqual(await rest('/api/v3/exchangeInfo?symbol=SOLUSDT'));
  });

  it('reads the order book, trades, aggregate trades and klines REST would give', async () => {
    expect((await client.getSpotOrderBook({ symbol: 'SOLUSDT', limit: 5 })).result).toEqual(await rest('/api/v3/depth?symbol=SOLUSDT&limit=5'));
    expect((await client.getSpotRecentTrades({ symbol: 'SOLUSDT', limit: 10 })).result).toEqual(await rest('/api/v3/trades?symbol=SOLUSDT&limit=10'));
    expect((await client.getSpotHistoricalTrades({ symbol: 'SOLUSDT', fromId: 2, limit: 3 })).result)
      .toEqual(await rest('/api/v3/historicalTrades?symbol=SOLUSDT&fromId=2&limit=3'));
    expect((await client.getSpotAggregateTrades({ symbol: 'BTCUSDT', limit: 4 })).result).toEqual(await rest('/api/v3/aggTrades?symbol=BTCUSDT&limit=4'));
    expect((await client.getSpotKlines({ symbol: 'SOLUSDT', interval: '1m', limit: 3 })).result).toEqual(await rest('/api/v3/klines?symbol=SOLUSDT&interval=1m&limit=3'));
    expect((await client.getSpotUIKlines({ symbol: 'SOLUSDT', interval: '1h', limit: 3 })).result).toEqual(await rest('/api/v3/uiKlines?symbol=SOLUSDT&interval=1h&limit=3'));
  });

  it('reads the average price and the tickers REST would give', async () => {
    expect((await client.getSpotAveragePrice({ symbol: 'SOLUSDT' })).result).toEqual(await rest('/api/v3/avgPrice?symbol=SOLUSDT'));
    expect((await client.getSpot24hrTicker({ symbol: 'ETHUSDT' })).result).toEqual(await rest('/api/v3/ticker/24hr?symbol=ETHUSDT'));
    expect((await client.getSpotTicker({ symbol: 'SOLUSDT', windowSize: '4h' })).result).toEqual(await rest('/api/v3/ticker?symbol=SOLUSDT&windowSize=4h'));
    expect((await client.getSpotSymbolPriceTicker({ symbol: 'BNBUSDT' })).result).toEqual(await rest('/api/v3/ticker/price?symbol=BNBUSDT'));
    expect((await client.getSpotSymbolOrderBookTicker({ symbol: 'BNBUSDT' })).result).toEqual(await rest('/api/v3/ticker/bookTicker?symbol=BNBUSDT'));
  });

  it('rejects a symbol the market does not list with the Binance error', async () => {
    await expect(client.getSpotOrderBook({ symbol: 'NOPEUSDT' })).rejects.toMatchObject({ status: 400, error: { code: -1121, msg: 'Invalid symbol.' } });
  });
});
