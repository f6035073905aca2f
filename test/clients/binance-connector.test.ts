// @binance/connector (Binance's own Node connector), pointed at a running tickwire by baseURL and wsURL only, reads the market.
import { Spot, WebsocketStream, type ConnectorLogger } from '@binance/connector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';

/** The connector logs every connect and SUBSCRIBE at info level; keep warnings and errors. */
const quiet: ConnectorLogger = {
  debug: () => {},
  info: () => {},
  warn: (...args) => console.warn(...args),
  error: (...args) => console.error(...args),
};

type KlineRow = [number, string, string, string, string, string, number, string, number, string, string, string];
interface Ticker {
  symbol: string; lastPrice: string; openPrice: string; highPrice: string; lowPrice: string; priceChange: string;
  bidPrice: string; askPrice: string; openTime: number; closeTime: number; firstId: number; lastId: number; count: number;
}
interface Depth { lastUpdateId: number; bids: [string, string][]; asks: [string, string][] }
interface Filter { filterType: string; [k: string]: unknown }
interface ExchangeInfo { symbols: { symbol: string; status: string; baseAsset: string; quoteAsset: string; filters: Filter[] }[] }
interface TradeEvent { e: string; s: string; t: number; p: string; q: string; T: number }

const DAY_MS = 86_400_000;

describe('@binance/connector against tickwire', () => {
  let server: RunningServer;
  let spot: Spot;
  let base: string;
  const ticker = async (symbol: string) => (await spot.ticker24hr(symbol)).data as Ticker;

  beforeAll(async () => {
    server = await startServer(loadConfig(['--port', '0']), { distDir: '/nonexistent/tickwire-dist' });
    base = `127.0.0.1:${server.port}`;
    spot = new Spot('', '', { baseURL: `http://${base}`, logger: quiet, timeout: 5_000 });
  });
  afterAll(() => server.close());

  it('reads the exchange info of one symbol and of all, with price and lot filters', async () => {
    const one = (await spot.exchangeInfo({ symbol: 'SOLUSDT' })).data as ExchangeInfo;
    expect(one.symbols).toHaveLength(1);
    const sol = one.symbols[0]!;
    expect(sol).toMatchObject({ symbol: 'SOLUSDT', status: 'TRADING', baseAsset: 'SOL', quoteAsset: 'USDT' });
    const price = sol.filters.find((f) => f.filterType === 'PRICE_FILTER');
    const lot = sol.filters.find((f) => f.filterType === 'LOT_SIZE');
    expect(Number(price?.tickSize)).toBeGreaterThan(0);
    expect(Number(price?.minPrice)).toBeLessThan(Number(price?.maxPrice));
    expect(Number(lot?.stepSize)).toBeGreaterThan(0);

    const all = (await spot.exchangeInfo()).data as ExchangeInfo;
    expect(all.symbols.map((s) => s.symbol)).toEqual(['SOLUSDT', 'BTCUSDT', 'ETHUSDT', 'BNBUSDT']);
  });

  it('reads 1m klines oldest first, each row a well-formed candle inside the 24h range', async () => {
    const { status, headers, data } = await spot.klines('SOLUSDT', '1m', { limit: 5 });
    expect(status).toBe(200);
    expect(Number(headers['x-mbx-used-weight-1m'])).toBeGreaterThan(0);
    const rows = data as KlineRow[];
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.length).toBeLessThanOrEqual(5);
    const day = await ticker('SOLUSDT'); // after the klines, so its range covers them
    for (const [i, [openTime, o, h, l, c, v, closeTime]] of rows.entries()) {
      expect(openTime % 60_000).toBe(0);
      expect(closeTime).toBe(openTime + 59_999);
      if (i > 0) expect(openTime).toBeGreaterThan(rows[i - 1]![0]);
      expect(Number(l)).toBeLessThanOrEqual(Math.min(Number(o), Number(c)));
      expect(Number(h)).toBeGreaterThanOrEqual(Math.max(Number(o), Number(c)));
      expect(Number(l)).toBeGreaterThanOrEqual(Number(day.lowPrice));
      expect(Number(h)).toBeLessThanOrEqual(Number(day.highPrice));
      expect(Number(v)).toBeGreaterThanOrEqual(0);
    }
    // The newest row is the open minute: it started no later than now.
    expect(rows.at(-1)![0]).toBeLessThanOrEqual(Date.now());
  });

  it('reads a 24h ticker whose last and open lie in its range and whose change is last minus open', async () => {
    const t = await ticker('SOLUSDT');
    expect(t.symbol).toBe('SOLUSDT');
    const [last, open, high, low] = [t.lastPrice, t.openPrice, t.highPrice, t.lowPrice].map(Number) as [number, number, number, number];
    expect(low).toBeGreaterThan(0);
    expect(low).toBeLessThanOrEqual(Math.min(last, open));
    expect(high).toBeGreaterThanOrEqual(Math.max(last, open));
    expect(Number(t.priceChange)).toBeCloseTo(last - open, 6);
    expect(Number(t.bidPrice)).toBeLessThan(Number(t.askPrice));
    expect(t.closeTime - t.openTime).toBeGreaterThan(DAY_MS - 120_000);
    expect(t.closeTime - t.openTime).toBeLessThanOrEqual(DAY_MS);
    expect(t.count).toBe(t.lastId - t.firstId + 1);

    const mini = (await spot.ticker24hr('', ['SOLUSDT', 'btcusdt'], 'MINI')).data as Ticker[];
    expect(mini.map((m) => m.symbol)).toEqual(['SOLUSDT', 'BTCUSDT']);
    expect(mini[1]).not.toHaveProperty('bidPrice');
  });

  it('reads an order book with bids falling, asks rising and the best bid below the best ask', async () => {
    const first = (await spot.depth('SOLUSDT', { limit: 5 })).data as Depth;
    const second = (await spot.depth('SOLUSDT', { limit: 5 })).data as Depth;
    for (const book of [first, second]) {
      expect(book.bids.length).toBeGreaterThan(0);
      expect(book.bids.length).toBeLessThanOrEqual(5);
      expect(book.asks.length).toBeLessThanOrEqual(5);
      const bids = book.bids.map(([p]) => Number(p));
      const asks = book.asks.map(([p]) => Number(p));
      for (let i = 1; i < bids.length; i++) expect(bids[i]).toBeLessThan(bids[i - 1]!);
      for (let i = 1; i < asks.length; i++) expect(asks[i]).toBeGreaterThan(asks[i - 1]!);
      expect(bids[0]).toBeLessThan(asks[0]!);
      for (const [, q] of [...book.bids, ...book.asks]) expect(Number(q)).toBeGreaterThan(0);
    }
    expect(second.lastUpdateId).toBeGreaterThanOrEqual(first.lastUpdateId);
  });

  it('rejects a bad symbol with HTTP 400 and the Binance error body', async () => {
    await expect(spot.depth('NOPEUSDT')).rejects.toMatchObject({ response: { status: 400, data: { code: -1121, msg: 'Invalid symbol.' } } });
  });

  // rollingWindowTicker('SOLUSDT', [], { windowSize: '1h' }) sends GET /api/v3/ticker?windowSize=1h&symbol=SOLUSDT.
  // Binance opens the window at closeTime − 1h rounded down to the minute: up to 59 999 ms wider than asked.
  it('reads a 1h rolling-window ticker whose window is one hour and whose last price lies in its range', async () => {
    const t = (await spot.rollingWindowTicker('SOLUSDT', [], { windowSize: '1h' })).data as Ticker;
    expect(t.symbol).toBe('SOLUSDT');
    expect(Number(t.lowPrice)).toBeLessThanOrEqual(Number(t.lastPrice));
    expect(Number(t.highPrice)).toBeGreaterThanOrEqual(Number(t.lastPrice));
    expect(t.openTime % 60_000).toBe(0);
    expect(t.closeTime - t.openTime).toBeGreaterThanOrEqual(3_600_000);
    expect(t.closeTime - t.openTime).toBeLessThan(3_600_000 + 60_000);
    expect(t.count).toBe(t.lastId - t.firstId + 1);
  });

  // historicalTrades('SOLUSDT', { fromId, limit }) sends GET /api/v3/historicalTrades?fromId=<id>&limit=<n>&symbol=SOLUSDT,
  // with no API key: the endpoint is public market data on Binance now.
  it('looks up older trades from a trade id, consecutive from that id', async () => {
    const recent = (await spot.trades('SOLUSDT', { limit: 10 })).data as { id: number }[];
    const fromId = recent[0]!.id;
    const older = (await spot.historicalTrades('SOLUSDT', { fromId, limit: 3 })).data as { id: number; price: string }[];
    expect(older.map((tr) => tr.id)).toEqual([fromId, fromId + 1, fromId + 2]);
  });

  describe('WebsocketStream', () => {
    /** Opens a stream client that keeps every frame; `done` disconnects it and waits for the socket to close. */
    function openStream() {
      const frames: string[] = [];
      const client = new WebsocketStream({
        wsURL: `ws://${base}`,
        logger: quiet,
        callbacks: { message: (data) => frames.push(data) },
      });
      async function done() {
        const socket = client.wsConnection.ws;
        if (!socket || socket.readyState === socket.CLOSED) return;
        const closed = new Promise((resolve) => socket.once('close', resolve));
        // disconnect() marks the close as ours, so the connector does not reconnect 5 s later.
        if (socket.readyState === socket.OPEN) client.disconnect();
        else socket.terminate();
        await closed;
      }
      return { client, frames, done };
    }

    async function until(test: () => boolean, what: string, ms = 10_000): Promise<void> {
      const end = Date.now() + ms;
      while (!test()) {
        if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }

    const tradesOf = (frames: string[], symbol: string) =>
      frames.map((f) => JSON.parse(f) as TradeEvent).filter((m) => m.e === 'trade' && m.s === symbol);

    it('streams trades on /ws/<symbol>@trade with ids rising by one and prices in the 24h range', async () => {
      const { client, frames, done } = openStream();
      try {
        client.trade('SOLUSDT');
        await until(() => frames.length >= 5, 'five SOLUSDT trades');
        const trades = tradesOf(frames, 'SOLUSDT');
        expect(trades.length).toBe(frames.length);
        const day = await ticker('SOLUSDT'); // after the trades
        for (const [i, tr] of trades.entries()) {
          if (i > 0) {
            expect(tr.t).toBe(trades[i - 1]!.t + 1);
            expect(tr.T).toBeGreaterThanOrEqual(trades[i - 1]!.T);
          }
          expect(Number(tr.p)).toBeGreaterThanOrEqual(Number(day.lowPrice));
          expect(Number(tr.p)).toBeLessThanOrEqual(Number(day.highPrice));
          expect(Number(tr.q)).toBeGreaterThan(0);
          expect(Math.abs(tr.T - Date.now())).toBeLessThan(10_000);
        }
        expect(day.lastId).toBeGreaterThanOrEqual(trades.at(-1)!.t);
      } finally {
        await done();
      }
    });

    it('subscribes to a second stream on the open connection and gets its id back, then its trades', async () => {
      const { client, frames, done } = openStream();
      try {
        client.trade('SOLUSDT');
        await until(() => client.isConnected() && frames.length > 0, 'the first SOLUSDT trade');
        const before = Date.now();
        client.subscribe(['btcusdt@trade']); // connected: sent as SUBSCRIBE with id Date.now()
        await until(() => tradesOf(frames, 'BTCUSDT').length >= 2, 'two BTCUSDT trades');
        const replies = frames.map((f) => JSON.parse(f) as { result?: unknown; id?: unknown }).filter((m) => 'id' in m);
        expect(replies).toHaveLength(1);
        expect(replies[0]!.result).toBeNull();
        expect(replies[0]!.id).toBeGreaterThanOrEqual(before);
        const btc = tradesOf(frames, 'BTCUSDT');
        expect(btc[1]!.t).toBe(btc[0]!.t + 1);
        const btcDay = await ticker('BTCUSDT');
        expect(Number(btc[0]!.p)).toBeGreaterThanOrEqual(Number(btcDay.lowPrice));
        expect(Number(btc[0]!.p)).toBeLessThanOrEqual(Number(btcDay.highPrice));
      } finally {
        await done();
      }
    });
  });
});
