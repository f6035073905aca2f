// @binance/connector's WebsocketAPI, pointed at tickwire by its wsURL only, reads the market over
// /ws-api/v3 and gets the same answers REST gives for the same (frozen) market state.
import { WebsocketAPI, type ConnectorLogger } from '@binance/connector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app.ts';
import { channelFor } from '../../server/bus/bus.ts';
import { loadConfig } from '../../server/config.ts';
import { createManualClock } from '../../server/market/clock.ts';
import { httpGet } from '../http/harness.ts';

const quiet: ConnectorLogger = { debug: () => {}, info: () => {}, warn: (...a) => console.warn(...a), error: (...a) => console.error(...a) };

describe('@binance/connector WebsocketAPI against tickwire', () => {
  let server: RunningServer;
  let client: WebsocketAPI;
  const responses = new Map<string, (msg: any) => void>();
  /** Called with a response whose id is none of ours (the connector made it up). */
  let other: ((msg: any) => void) | undefined;

  beforeAll(async () => {
    const clock = createManualClock(Date.UTC(2026, 10, 21, 12, 0, 0) * 1000);
    server = await startServer(loadConfig(['--port', '0']), { clock, runMarket: false, distDir: '/nonexistent/tickwire-dist' });
    clock.advance(60_000_000);
    server.simulator!.advanceTo(clock.nowUs(), (symbol, batch) => server.bus.publish(channelFor(symbol), batch));
    await new Promise<void>((resolve, reject) => {
      client = new WebsocketAPI('', '', {
        wsURL: `ws://127.0.0.1:${server.port}/ws-api/v3`,
        logger: quiet,
        callbacks: {
          open: () => resolve(),
          error: () => reject(new Error('WebsocketAPI could not connect')),
          message: (data) => {
            const msg = JSON.parse(data);
            (responses.get(msg.id) ?? other)?.(msg);
          },
        },
      });
    });
  });
  afterAll(async () => {
    client.disconnect();
    await server.close();
  });

  /** Run one client call with a fresh id and wait for its response. */
  let n = 0;
  const ask = (send: (id: string) => void) =>
    new Promise<any>((resolve) => {
      const id = `c${++n}`;
      responses.set(id, resolve);
      send(id);
    });
  const rest = async (path: string) => (await httpGet(server.port, path)).json();

  it('pings and reads the server time', async () => {
    expect(await ask((id) => client.ping({ id }))).toMatchObject({ status: 200, result: {} });
    expect((await ask((id) => client.time({ id }))).result).toEqual(await rest('/api/v3/time'));
  });

  it('reads the exchange info, order book, trades and klines REST would give', async () => {
    expect((await ask((id) => client.exchangeInfo({ id, symbol: 'SOLUSDT' }))).result).toEqual(await rest('/api/v3/exchangeInfo?symbol=SOLUSDT'));
    expect((await ask((id) => client.orderbook('SOLUSDT', { id, limit: 5 }))).result).toEqual(await rest('/api/v3/depth?symbol=SOLUSDT&limit=5'));
    expect((await ask((id) => client.trades('SOLUSDT', { id, limit: 10 }))).result).toEqual(await rest('/api/v3/trades?symbol=SOLUSDT&limit=10'));
    const historical = await ask((id) => client.historicalTrades('SOLUSDT', { id, fromId: 3, limit: 4 }));
    expect(historical.result).toEqual(await rest('/api/v3/historicalTrades?symbol=SOLUSDT&fromId=3&limit=4'));
    expect((await ask((id) => client.aggTrades('BTCUSDT', { id, limit: 5 }))).result).toEqual(await rest('/api/v3/aggTrades?symbol=BTCUSDT&limit=5'));
    expect((await ask((id) => client.klines('SOLUSDT', '1m', { id, limit: 3 }))).result).toEqual(await rest('/api/v3/klines?symbol=SOLUSDT&interval=1m&limit=3'));
    expect((await ask((id) => client.uiKlines('SOLUSDT', '1h', { id, limit: 3 }))).result).toEqual(await rest('/api/v3/uiKlines?symbol=SOLUSDT&interval=1h&limit=3'));
  });

  it('reads the tickers and the average price REST would give', async () => {
    expect((await ask((id) => client.ticker24hr({ id, symbol: 'ETHUSDT' }))).result).toEqual(await rest('/api/v3/ticker/24hr?symbol=ETHUSDT'));
    expect((await ask((id) => client.ticker({ id, symbol: 'SOLUSDT', windowSize: '2h' }))).result).toEqual(await rest('/api/v3/ticker?symbol=SOLUSDT&windowSize=2h'));
    expect((await ask((id) => client.tickerPrice({ id, symbols: ['SOLUSDT', 'BNBUSDT'] }))).result)
      .toEqual(await rest(`/api/v3/ticker/price?symbols=${encodeURIComponent('["SOLUSDT","BNBUSDT"]')}`));
    expect((await ask((id) => client.tickerBook({ id, symbol: 'BNBUSDT' }))).result).toEqual(await rest('/api/v3/ticker/bookTicker?symbol=BNBUSDT'));
    // avgPrice takes no options, so no id of ours: the connector makes one up.
    const avg = new Promise<any>((resolve) => (other = resolve));
    client.avgPrice('SOLUSDT');
    expect((await avg).result).toEqual(await rest('/api/v3/avgPrice?symbol=SOLUSDT'));
  });

  it('gets the Binance error body for a symbol the market does not list', async () => {
    const reply = await ask((id) => client.orderbook('NOPEUSDT', { id }));
    expect(reply).toMatchObject({ status: 400, error: { code: -1121, msg: 'Invalid symbol.' } });
  });
});
