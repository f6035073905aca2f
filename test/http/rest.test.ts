// REST over real sockets on port 0, against a fake market: shapes, types, error codes, weights, 429s, time windows.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, START_US, type Harness, type Reply } from './harness.ts';

const used = (r: Reply) => Number(r.headers['x-mbx-used-weight']);
const isDecimal = (v: unknown) => typeof v === 'string' && /^\d+\.\d{8}$/.test(v);
const ms = (us: number) => Math.floor(us / 1000);

describe('REST endpoints', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ weightPerMinute: 1_000_000 });
  });
  afterAll(() => h.close());

  /** The weight one request added, read from the headers around it. */
  async function weightOf(path: string): Promise<number> {
    const before = used(await h.get('/api/v3/ping')); // a ping weighs 1
    const r = await h.get(path);
    return used(r) - before;
  }

  it('answers ping with {} and time with the clock in ms, or in µs when asked', async () => {
    const ping = await h.get('/api/v3/ping');
    expect(ping.status).toBe(200);
    expect(ping.headers['content-type']).toBe('application/json;charset=UTF-8');
    expect(ping.json()).toEqual({});
    expect((await h.get('/api/v3/time')).json()).toEqual({ serverTime: ms(h.clock.nowUs()) });
    expect((await h.get('/api/v3/time', { 'X-MBX-TIME-UNIT': 'MICROSECOND' })).json()).toEqual({ serverTime: h.clock.nowUs() });
  });

  it('lists every symbol in exchangeInfo with Binance spot fields and filters, and no contractType', async () => {
    const info = (await h.get('/api/v3/exchangeInfo')).json();
    expect(info.timezone).toBe('UTC');
    expect(info.serverTime).toBe(ms(h.clock.nowUs()));
    expect(info.exchangeFilters).toEqual([]);
    expect(info.rateLimits).toContainEqual({ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 1_000_000 });
    expect(info.symbols.map((s: any) => s.symbol)).toEqual(h.market.specs.map((s) => s.symbol));
    const sol = info.symbols[0];
    const spec = h.market.specs[0]!;
    expect(sol).toMatchObject({
      symbol: spec.symbol, status: 'TRADING', baseAsset: spec.baseAsset, quoteAsset: spec.quoteAsset,
      baseAssetPrecision: spec.decimals, quotePrecision: spec.decimals, quoteAssetPrecision: spec.decimals,
      icebergAllowed: true, ocoAllowed: true, isSpotTradingAllowed: true, isMarginTradingAllowed: false,
      permissions: [], permissionSets: [['SPOT']],
    });
    expect(sol.orderTypes).toContain('LIMIT');
    expect(sol).not.toHaveProperty('contractType');
    const filter = (t: string) => sol.filters.find((f: any) => f.filterType === t);
    expect(filter('PRICE_FILTER')).toEqual({ filterType: 'PRICE_FILTER', minPrice: spec.minPrice, maxPrice: spec.maxPrice, tickSize: spec.tickSize });
    expect(filter('LOT_SIZE')).toEqual({ filterType: 'LOT_SIZE', minQty: spec.minQty, maxQty: spec.maxQty, stepSize: spec.stepSize });
    expect(filter('NOTIONAL')).toEqual({
      filterType: 'NOTIONAL', minNotional: spec.minNotional, applyMinToMarket: true,
      maxNotional: spec.maxNotional, applyMaxToMarket: false, avgPriceMins: 5,
    });
  });

  it('narrows exchangeInfo to symbol or symbols, in the order asked', async () => {
    const one = (await h.get('/api/v3/exchangeInfo?symbol=BTCUSDT')).json();
    expect(one.symbols.map((s: any) => s.symbol)).toEqual(['BTCUSDT']);
    const two = (await h.get('/api/v3/exchangeInfo?symbols=%5B%22BTCUSDT%22,%22SOLUSDT%22%5D')).json();
    expect(two.symbols.map((s: any) => s.symbol)).toEqual(['BTCUSDT', 'SOLUSDT']);
    expect(await weightOf('/api/v3/exchangeInfo')).toBe(20);
  });

  it('serves depth with the default of 100 levels, best first, and weighs it by limit', async () => {
    const d = (await h.get('/api/v3/depth?symbol=SOLUSDT')).json();
    expect(Object.keys(d)).toEqual(['lastUpdateId', 'bids', 'asks']);
    expect(Number.isInteger(d.lastUpdateId)).toBe(true);
    expect(d.bids).toHaveLength(100);
    expect(d.asks).toHaveLength(100);
    expect(d.bids.every((l: unknown[]) => l.length === 2 && l.every(isDecimal))).toBe(true);
    expect(Number(d.bids[0][0])).toBeGreaterThan(Number(d.bids[1][0]));
    expect(Number(d.asks[0][0])).toBeLessThan(Number(d.asks[1][0]));
    expect((await h.get('/api/v3/depth?symbol=SOLUSDT&limit=7')).json().asks).toHaveLength(7);
    const table: [number, number][] = [[1, 5], [100, 5], [101, 25], [500, 25], [501, 50], [1000, 50], [1001, 250], [5000, 250]];
    for (const [limit, weight] of table) expect(await weightOf(`/api/v3/depth?symbol=SOLUSDT&limit=${limit}`), `limit ${limit}`).toBe(weight);
    expect(await weightOf('/api/v3/depth?symbol=SOLUSDT')).toBe(5);
  });

  it('serves the newest trades oldest first, with ms times by default and µs on request', async () => {
    const trades = (await h.get('/api/v3/trades?symbol=SOLUSDT&limit=3')).json();
    const newest = h.market.recentTrades('SOLUSDT', 3);
    expect(trades).toEqual(
      newest.map((t) => ({
        id: t.id, price: t.price, qty: t.qty, quoteQty: t.quoteQty, time: ms(t.timeUs), isBuyerMaker: t.buyerMaker, isBestMatch: true,
      })),
    );
    expect((await h.get('/api/v3/trades?symbol=SOLUSDT')).json()).toHaveLength(500);
    const micro = (await h.get('/api/v3/trades?symbol=SOLUSDT&limit=1', { 'x-mbx-time-unit': 'microsecond' })).json();
    expect(micro[0].time).toBe(newest[2]!.timeUs);
    expect(await weightOf('/api/v3/trades?symbol=SOLUSDT')).toBe(25);
  });

  it('serves historicalTrades from an id, oldest first, in the trades row format, with no API key', async () => {
    const all = h.market.recentTrades('SOLUSDT', Number.MAX_SAFE_INTEGER); // every trade the fake holds
    const rows = (await h.get('/api/v3/historicalTrades?symbol=SOLUSDT&fromId=10&limit=3')).json();
    expect(h.market.queries.at(-1)).toEqual({ kind: 'tradesFrom', symbol: 'SOLUSDT', q: { fromId: 10, limit: 3 } });
    const byId = new Map(all.map((t) => [t.id, t]));
    expect(rows).toEqual(
      [10, 11, 12].map((id) => {
        const t = byId.get(id)!;
        return { id, price: t.price, qty: t.qty, quoteQty: t.quoteQty, time: ms(t.timeUs), isBuyerMaker: t.buyerMaker, isBestMatch: true };
      }),
    );
    const micro = (await h.get('/api/v3/historicalTrades?symbol=SOLUSDT&fromId=10&limit=1', { 'X-MBX-TIME-UNIT': 'MICROSECOND' })).json();
    expect(micro[0].time).toBe(byId.get(10)!.timeUs);
    // Without fromId: the newest, exactly what /api/v3/trades answers; 500 unless told.
    const newest = (await h.get('/api/v3/historicalTrades?symbol=SOLUSDT')).json();
    expect(newest).toHaveLength(500);
    expect(newest).toEqual((await h.get('/api/v3/trades?symbol=SOLUSDT')).json());
    expect((await h.get('/api/v3/historicalTrades?symbol=SOLUSDT&limit=1000&fromId=1')).json()).toHaveLength(1000);
    // Older than the oldest held: from the oldest held; beyond the newest: nothing.
    expect((await h.get('/api/v3/historicalTrades?symbol=SOLUSDT&fromId=0&limit=2')).json().map((t: any) => t.id)).toEqual([1, 2]);
    expect((await h.get(`/api/v3/historicalTrades?symbol=SOLUSDT&fromId=${all.at(-1)!.id + 1}`)).json()).toEqual([]);
    expect(await weightOf('/api/v3/historicalTrades?symbol=SOLUSDT')).toBe(25);
    expect(await weightOf('/api/v3/historicalTrades?symbol=SOLUSDT&limit=1000')).toBe(25);
  });

  it('serves aggTrades from an id, from a start time, or up to an end time', async () => {
    const all = await h.market.aggTrades('SOLUSDT', { limit: 1000, fromId: 1 });
    const fromId = (await h.get('/api/v3/aggTrades?symbol=SOLUSDT&fromId=10&limit=2')).json();
    expect(fromId.map((a: any) => a.a)).toEqual([10, 11]);
    const a10 = all[9]!;
    expect(fromId[0]).toEqual({ a: 10, p: a10.price, q: a10.qty, f: a10.firstTradeId, l: a10.lastTradeId, T: ms(a10.timeUs), m: a10.buyerMaker, M: true });

    // A start time in ms selects from the first trade at or after that millisecond.
    const start = (await h.get(`/api/v3/aggTrades?symbol=SOLUSDT&startTime=${ms(a10.timeUs)}&limit=3`)).json();
    expect(start.map((a: any) => a.a)).toEqual([10, 11, 12]);
    // An end time in ms covers that whole millisecond, so the trade shown at T=end is included.
    const end = (await h.get(`/api/v3/aggTrades?symbol=SOLUSDT&endTime=${ms(a10.timeUs)}&limit=3`)).json();
    expect(end.map((a: any) => a.a)).toEqual([8, 9, 10]);
    expect(h.market.queries.at(-1)).toEqual({
      kind: 'aggTrades', symbol: 'SOLUSDT', q: { limit: 3, fromId: undefined, startTimeUs: undefined, endTimeUs: ms(a10.timeUs) * 1000 + 999 },
    });
    const newest = (await h.get('/api/v3/aggTrades?symbol=SOLUSDT')).json();
    expect(newest).toHaveLength(500);
    expect(newest.at(-1).a).toBe(all.at(-1)!.id);
    expect(await weightOf('/api/v3/aggTrades?symbol=SOLUSDT&limit=1')).toBe(4);
  });

  it('answers an inverted time window with an empty list rather than asking the market', async () => {
    const before = h.market.queries.length;
    const r = await h.get(`/api/v3/aggTrades?symbol=SOLUSDT&startTime=${ms(START_US)}&endTime=${ms(START_US) - 1}`);
    expect(r.json()).toEqual([]);
    expect(h.market.queries.length).toBe(before);
  });

  it('serves klines and uiKlines as twelve-field rows with the interval, time zone and window passed through', async () => {
    for (const path of ['/api/v3/klines', '/api/v3/uiKlines']) {
      const rows = (await h.get(`${path}?symbol=SOLUSDT&interval=1m&limit=2`)).json();
      expect(rows).toHaveLength(2);
      const [t, o, hi, lo, c, v, closeT, qv, n, tbb, tbq, ignore] = rows[1];
      expect([o, hi, lo, c, v, qv, tbb, tbq].every(isDecimal)).toBe(true);
      expect(closeT).toBe(t + 60_000 - 1);
      expect(Number.isInteger(n)).toBe(true);
      expect(ignore).toBe('0');
      expect(t).toBe(Math.floor(ms(h.clock.nowUs()) / 60_000) * 60_000);
      expect(await weightOf(`${path}?symbol=SOLUSDT&interval=1m&limit=1`)).toBe(2);
    }
    const startMs = ms(START_US) - 10 * 60_000;
    const window = (await h.get(`/api/v3/klines?symbol=SOLUSDT&interval=1m&startTime=${startMs}&limit=3`)).json();
    expect(window.map((r: number[]) => r[0])).toEqual([startMs, startMs + 60_000, startMs + 120_000]);
    const hours = (await h.get('/api/v3/klines?symbol=BTCUSDT&interval=1h&timeZone=5:45&limit=1')).json();
    expect(((hours[0][0] / 60_000) % 60 + 60) % 60).toBe(15); // hour boundaries at :15 UTC for +05:45
    expect(h.market.queries.at(-1)).toMatchObject({ kind: 'klines', symbol: 'BTCUSDT', q: { interval: '1h', tzOffsetMin: 345, limit: 1 } });
  });

  it('serves the 24h ticker as an object for symbol and an array otherwise, FULL or MINI', async () => {
    const full = (await h.get('/api/v3/ticker/24hr?symbol=SOLUSDT')).json();
    expect(Object.keys(full).sort()).toEqual([
      'askPrice', 'askQty', 'bidPrice', 'bidQty', 'closeTime', 'count', 'firstId', 'highPrice', 'lastId', 'lastPrice', 'lastQty',
      'lowPrice', 'openPrice', 'openTime', 'prevClosePrice', 'priceChange', 'priceChangePercent', 'quoteVolume', 'symbol',
      'volume', 'weightedAvgPrice',
    ]);
    const t = h.market.ticker24h('SOLUSDT');
    expect(full).toMatchObject({ symbol: 'SOLUSDT', lastPrice: t.lastPrice, openTime: ms(t.openTimeUs), closeTime: ms(t.closeTimeUs), count: t.count });
    const mini = (await h.get('/api/v3/ticker/24hr?symbol=SOLUSDT&type=MINI')).json();
    expect(Object.keys(mini).sort()).toEqual([
      'closeTime', 'count', 'firstId', 'highPrice', 'lastId', 'lastPrice', 'lowPrice', 'openPrice', 'openTime', 'quoteVolume', 'symbol', 'volume',
    ]);
    const list = (await h.get('/api/v3/ticker/24hr?symbols=["BTCUSDT"]')).json();
    expect(list.map((x: any) => x.symbol)).toEqual(['BTCUSDT']);
    const every = (await h.get('/api/v3/ticker/24hr?type=MINI')).json();
    expect(every.map((x: any) => x.symbol)).toEqual(['SOLUSDT', 'BTCUSDT']);
    expect(await weightOf('/api/v3/ticker/24hr?symbol=SOLUSDT')).toBe(2);
    expect(await weightOf('/api/v3/ticker/24hr?symbols=["SOLUSDT","BTCUSDT"]')).toBe(2);
    expect(await weightOf('/api/v3/ticker/24hr')).toBe(80);
  });

  it('serves the rolling-window ticker over the windowSize asked, an object for symbol, an array for symbols', async () => {
    const windowOf = () => h.market.queries.filter((q) => q.kind === 'rollingTicker').at(-1)?.q;
    const full = (await h.get('/api/v3/ticker?symbol=SOLUSDT&windowSize=1h')).json();
    expect(windowOf()).toEqual({ windowMinutes: 60 });
    expect(Object.keys(full)).toEqual([
      'symbol', 'priceChange', 'priceChangePercent', 'weightedAvgPrice', 'openPrice', 'highPrice', 'lowPrice', 'lastPrice',
      'volume', 'quoteVolume', 'openTime', 'closeTime', 'firstId', 'lastId', 'count',
    ]);
    const r = h.market.rollingTicker('SOLUSDT', 60);
    expect(full).toEqual({
      symbol: 'SOLUSDT', priceChange: r.priceChange, priceChangePercent: r.priceChangePercent, weightedAvgPrice: r.weightedAvgPrice,
      openPrice: r.open, highPrice: r.high, lowPrice: r.low, lastPrice: r.last, volume: r.volume, quoteVolume: r.quoteVolume,
      openTime: ms(r.openTimeUs), closeTime: ms(r.closeTimeUs), firstId: r.firstId, lastId: r.lastId, count: r.count,
    });
    // Binance: openTime is closeTime minus the window, rounded down to the minute.
    expect(full.openTime % 60_000).toBe(0);
    expect(full.closeTime - full.openTime).toBeGreaterThanOrEqual(3_600_000);
    expect(full.closeTime - full.openTime).toBeLessThan(3_660_000);

    const table: [string, number][] = [['', 1440], ['&windowSize=1m', 1], ['&windowSize=59m', 59], ['&windowSize=23h', 1380], ['&windowSize=7d', 10_080]];
    for (const [param, minutes] of table) {
      expect((await h.get(`/api/v3/ticker?symbol=SOLUSDT${param}`)).status, param).toBe(200);
      expect(windowOf(), param).toEqual({ windowMinutes: minutes });
    }

    const mini = (await h.get('/api/v3/ticker?symbol=SOLUSDT&type=MINI')).json();
    expect(Object.keys(mini)).toEqual([
      'symbol', 'openPrice', 'highPrice', 'lowPrice', 'lastPrice', 'volume', 'quoteVolume', 'openTime', 'closeTime', 'firstId', 'lastId', 'count',
    ]);
    const list = (await h.get('/api/v3/ticker?symbols=["BTCUSDT","SOLUSDT"]&windowSize=5m&type=FULL')).json();
    expect(list.map((x: any) => x.symbol)).toEqual(['BTCUSDT', 'SOLUSDT']);
    expect(list[1]).toEqual({ ...list[1], lastPrice: h.market.rollingTicker('SOLUSDT', 5).last });
    const micro = (await h.get('/api/v3/ticker?symbol=SOLUSDT&windowSize=2m', { 'X-MBX-TIME-UNIT': 'MICROSECOND' })).json();
    expect(micro.closeTime).toBe(h.clock.nowUs());

    expect(await weightOf('/api/v3/ticker?symbol=SOLUSDT')).toBe(4);
    expect(await weightOf('/api/v3/ticker?symbol=SOLUSDT&windowSize=7d')).toBe(4);
    expect(await weightOf('/api/v3/ticker?symbols=["SOLUSDT","BTCUSDT"]')).toBe(8);
  });

  it('serves price and book tickers for one symbol, a list, or all', async () => {
    const price = (await h.get('/api/v3/ticker/price?symbol=SOLUSDT')).json();
    expect(price).toEqual({ symbol: 'SOLUSDT', price: h.market.ticker24h('SOLUSDT').lastPrice });
    expect((await h.get('/api/v3/ticker/price')).json().map((p: any) => p.symbol)).toEqual(['SOLUSDT', 'BTCUSDT']);
    expect((await h.get('/api/v3/ticker/price?symbols=["BTCUSDT"]')).json()).toEqual([
      { symbol: 'BTCUSDT', price: h.market.ticker24h('BTCUSDT').lastPrice },
    ]);
    const b = h.market.bookTicker('BTCUSDT');
    expect((await h.get('/api/v3/ticker/bookTicker?symbol=BTCUSDT')).json()).toEqual({
      symbol: 'BTCUSDT', bidPrice: b.bidPrice, bidQty: b.bidQty, askPrice: b.askPrice, askQty: b.askQty,
    });
    expect((await h.get('/api/v3/ticker/bookTicker')).json()).toHaveLength(2);
    for (const path of ['/api/v3/ticker/price', '/api/v3/ticker/bookTicker']) {
      expect(await weightOf(`${path}?symbol=SOLUSDT`)).toBe(2);
      expect(await weightOf(`${path}?symbols=["SOLUSDT"]`)).toBe(4);
      expect(await weightOf(path)).toBe(4);
    }
  });

  it('serves avgPrice with the window in minutes and the close time', async () => {
    const a = h.market.avgPrice('SOLUSDT');
    expect((await h.get('/api/v3/avgPrice?symbol=SOLUSDT')).json()).toEqual({ mins: 5, price: a.price, closeTime: ms(a.closeTimeUs) });
    expect(await weightOf('/api/v3/avgPrice?symbol=SOLUSDT')).toBe(2);
  });

  it('counts answered requests by endpoint and status', async () => {
    const labels = { endpoint: '/api/v3/avgPrice', status: '200' };
    const before = h.metrics.read('tickwire_rest_requests_total', labels);
    await h.get('/api/v3/avgPrice?symbol=SOLUSDT');
    await h.get('/api/v3/avgPrice?symbol=NOPE');
    expect(h.metrics.read('tickwire_rest_requests_total', labels)).toBe(before + 1);
    expect(h.metrics.read('tickwire_rest_requests_total', { endpoint: '/api/v3/avgPrice', status: '400' })).toBeGreaterThanOrEqual(1);
  });
});

const SYMBOLS_RANGE = '^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$';
const WINDOW_RANGE = '^([1-9]|[1-5][0-9])m$|^([1-9]|1[0-9]|2[0-3])h$|^[1-7]d$';

describe('REST errors', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ weightPerMinute: 1_000_000 });
  });
  afterAll(() => h.close());

  const cases: [string, number, string | undefined][] = [
    ['/api/v3/depth?symbol=solusdt', -1100, "Illegal characters found in parameter 'symbol'; legal range is '^[A-Z0-9-_.]{1,20}$'."],
    ['/api/v3/depth?symbol=SOLUSDT&limit=abc', -1100, undefined],
    ['/api/v3/depth?symbol=SOLUSDT&symbol=SOLUSDT', -1101, 'Duplicate values for a parameter detected.'],
    ['/api/v3/depth', -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."],
    ['/api/v3/klines?symbol=SOLUSDT', -1102, "Mandatory parameter 'interval' was not sent, was empty/null, or malformed."],
    ['/api/v3/aggTrades?symbol=SOLUSDT&startTime=', -1105, "Parameter 'startTime' was empty."],
    ['/api/v3/klines?symbol=SOLUSDT&interval=7m', -1120, 'Invalid interval.'],
    ['/api/v3/depth?symbol=DOGEUSDT', -1121, 'Invalid symbol.'],
    ['/api/v3/ticker/price?symbols=["SOLUSDT","DOGEUSDT"]', -1121, 'Invalid symbol.'],
    ['/api/v3/exchangeInfo?symbol=DOGEUSDT', -1121, 'Invalid symbol.'],
    ['/api/v3/ticker/24hr?symbol=SOLUSDT&symbols=["BTCUSDT"]', -1128, 'Combination of optional parameters invalid.'],
    ['/api/v3/aggTrades?symbol=SOLUSDT&fromId=1&startTime=1', -1128, 'Combination of optional parameters invalid.'],
    ['/api/v3/depth?symbol=SOLUSDT&limit=5001', -1130, "Data sent for parameter 'limit' is not valid."],
    ['/api/v3/trades?symbol=SOLUSDT&limit=0', -1130, "Data sent for parameter 'limit' is not valid."],
    ['/api/v3/klines?symbol=SOLUSDT&interval=1m&limit=1001', -1130, "Data sent for parameter 'limit' is not valid."],
    ['/api/v3/klines?symbol=SOLUSDT&interval=1m&timeZone=%2B14:30', -1130, "Data sent for parameter 'timeZone' is not valid."],
    ['/api/v3/ticker/price?symbols=[SOLUSDT]', -1135, "JSON sent for parameter 'symbols' is not valid"],
    ['/api/v3/ticker/24hr?symbol=SOLUSDT&type=HALF', -1139, 'Invalid ticker type.'],
    ['/api/v3/ticker/bookTicker?symbols=%5B%22SOLUSDT%22,%22SOLUSDT%22%5D', -1151, 'Symbol is present multiple times in the list.'],
    // GET /api/v3/ticker (rolling window)
    ['/api/v3/ticker', -1102, "Param 'symbol' or 'symbols' must be sent, but both were empty/null!"],
    ['/api/v3/ticker?windowSize=1h&type=MINI', -1102, "Param 'symbol' or 'symbols' must be sent, but both were empty/null!"],
    ['/api/v3/ticker?symbol=solusdt', -1100, "Illegal characters found in parameter 'symbol'; legal range is '^[A-Z0-9-_.]{1,20}$'."],
    ['/api/v3/ticker?symbols=["SOLUSDT","btcusdt"]', -1100, `Illegal characters found in parameter 'symbols'; legal range is '${SYMBOLS_RANGE}'.`],
    ...['60m', '24h', '8d', '0m', '1d2h', '1H', '1w'].map((w): [string, number, string] => [
      `/api/v3/ticker?symbol=SOLUSDT&windowSize=${w}`, -1100, `Illegal characters found in parameter 'windowSize'; legal range is '${WINDOW_RANGE}'.`,
    ]),
    ['/api/v3/ticker?symbol=SOLUSDT&windowSize=', -1105, "Parameter 'windowSize' was empty."],
    ['/api/v3/ticker?symbol=', -1105, "Parameter 'symbol' was empty."],
    ['/api/v3/ticker?symbols=[]', -1105, "Parameter 'symbols' was empty."],
    ['/api/v3/ticker?symbol=DOGEUSDT', -1121, 'Invalid symbol.'],
    ['/api/v3/ticker?symbols=["SOLUSDT","DOGEUSDT"]', -1121, 'Invalid symbol.'],
    ['/api/v3/ticker?symbol=SOLUSDT&symbols=["BTCUSDT"]', -1128, 'Combination of optional parameters invalid.'],
    ['/api/v3/ticker?symbols=SOLUSDT', -1135, "JSON sent for parameter 'symbols' is not valid"],
    ['/api/v3/ticker?symbol=SOLUSDT&type=mini', -1139, 'Invalid ticker type.'],
    ['/api/v3/ticker?symbols=["SOLUSDT","SOLUSDT"]', -1151, 'Symbol is present multiple times in the list.'],
    // GET /api/v3/historicalTrades
    ['/api/v3/historicalTrades', -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."],
    ['/api/v3/historicalTrades?fromId=1', -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."],
    ['/api/v3/historicalTrades?symbol=solusdt', -1100, "Illegal characters found in parameter 'symbol'; legal range is '^[A-Z0-9-_.]{1,20}$'."],
    ['/api/v3/historicalTrades?symbol=SOLUSDT&fromId=-1', -1100, "Illegal characters found in parameter 'fromId'; legal range is '^[0-9]{1,20}$'."],
    ['/api/v3/historicalTrades?symbol=SOLUSDT&fromId=', -1105, "Parameter 'fromId' was empty."],
    ['/api/v3/historicalTrades?symbol=DOGEUSDT', -1121, 'Invalid symbol.'],
    ['/api/v3/historicalTrades?symbol=SOLUSDT&limit=1001', -1130, "Data sent for parameter 'limit' is not valid."],
    ['/api/v3/historicalTrades?symbol=SOLUSDT&limit=0', -1130, "Data sent for parameter 'limit' is not valid."],
    ['/api/v3/historicalTrades?symbol=SOLUSDT&fromId=99999999999999999999', -1130, "Data sent for parameter 'fromId' is not valid."],
  ];

  it.each(cases)('answers %s with 400 and code %i', async (path, code, msg) => {
    const r = await h.get(path);
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toBe('application/json;charset=UTF-8');
    const body = r.json();
    expect(body.code).toBe(code);
    expect(typeof body.msg).toBe('string');
    if (msg !== undefined) expect(body.msg).toBe(msg);
    expect(used(r)).toBeGreaterThan(0);
  });

  it('counts every refusal by its code', () => {
    for (const code of new Set(cases.map((c) => c[1]))) {
      const expected = cases.filter((c) => c[1] === code).length;
      expect(h.metrics.read('tickwire_rest_rejected_total', { code: String(code) }), `code ${code}`).toBe(expected);
    }
  });

  it('refuses an unknown X-MBX-TIME-UNIT with -1100', async () => {
    const r = await h.get('/api/v3/time', { 'X-MBX-TIME-UNIT': 'SECOND' });
    expect(r.status).toBe(400);
    expect(r.json().code).toBe(-1100);
  });

  it('answers an unknown endpoint with a JSON 404', async () => {
    const r = await h.get('/api/v3/orderbook?symbol=SOLUSDT');
    expect(r.status).toBe(404);
    expect(r.json()).toEqual({ code: -1, msg: 'Unknown endpoint /api/v3/orderbook.' });
  });

  it('logs an unexpected failure with its fields, answers 500 -1000, and goes on serving', async () => {
    const logged: string[] = [];
    const original = console.error;
    console.error = (line: string) => void logged.push(line);
    try {
      h.market.failNext('ticker24h');
      const r = await h.get('/api/v3/ticker/24hr?symbol=SOLUSDT');
      expect(r.status).toBe(500);
      expect(r.json().code).toBe(-1000);
    } finally {
      console.error = original;
    }
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0]!)).toMatchObject({
      level: 'error', endpoint: '/api/v3/ticker/24hr', query: 'symbol=SOLUSDT', error: 'fake market: ticker24h failed on purpose',
    });
    expect((await h.get('/api/v3/ticker/24hr?symbol=SOLUSDT')).status).toBe(200);
    expect(h.metrics.read('tickwire_rest_requests_total', { endpoint: '/api/v3/ticker/24hr', status: '500' })).toBe(1);
  });
});

describe('REST weight limit', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('reports the weight used this minute in both headers, and starts again at the next minute', async () => {
    h = await startHarness({ weightPerMinute: 100 });
    const a = await h.get('/api/v3/ping');
    const b = await h.get('/api/v3/depth?symbol=SOLUSDT');
    expect([used(a), used(b)]).toEqual([1, 6]);
    expect(b.headers['x-mbx-used-weight-1m']).toBe('6');
    h.clock.advance(60_000_000);
    expect(used(await h.get('/api/v3/ping'))).toBe(1);
  });

  it('refuses with 429, -1003 and Retry-After until the minute ends, then serves again', async () => {
    h = await startHarness({ weightPerMinute: 10 });
    h.clock.advance(45_500_000); // START_US is 250 µs into a minute: 14.49975 s of it remain
    for (let i = 1; i <= 8; i++) expect((await h.get('/api/v3/ping')).status).toBe(200);
    expect((await h.get('/api/v3/avgPrice?symbol=SOLUSDT')).status).toBe(200); // 8 + 2 = 10: at the limit, not over
    const r = await h.get('/api/v3/ping');
    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBe('15');
    expect(r.json()).toMatchObject({ code: -1003 });
    expect(r.json().msg).toContain('current limit is 10 request weight per 1 MINUTE');
    expect(used(r)).toBe(11);
    expect(h.metrics.read('tickwire_rest_rejected_total', { code: '-1003' })).toBe(1);
    expect(h.metrics.read('tickwire_rest_requests_total', { endpoint: '/api/v3/ping', status: '429' })).toBe(1);
    h.clock.advance(15_000_000);
    const next = await h.get('/api/v3/ping');
    expect(next.status).toBe(200);
    expect(used(next)).toBe(1);
  });

  it('weighs the 24h ticker by how many symbols it names', async () => {
    const symbols = Array.from({ length: 101 }, (_, i) => `S${i}USDT`);
    h = await startHarness({ weightPerMinute: 1_000_000, market: { symbols, trades: 4 } });
    const list = (n: number) => encodeURIComponent(JSON.stringify(symbols.slice(0, n)));
    const cost = async (query: string) => {
      const before = used(await h!.get('/api/v3/ping'));
      const r = await h!.get(`/api/v3/ticker/24hr${query}`);
      expect(r.status).toBe(200);
      return used(r) - before;
    };
    expect(await cost(`?symbols=${list(20)}`)).toBe(2);
    expect(await cost(`?symbols=${list(21)}`)).toBe(40);
    expect(await cost(`?symbols=${list(100)}`)).toBe(40);
    expect(await cost(`?symbols=${list(101)}`)).toBe(80);
    expect(await cost('')).toBe(80);
  });

  it('weighs the rolling-window ticker at 4 a symbol, capped at 200 from 50 symbols on', async () => {
    const symbols = Array.from({ length: 101 }, (_, i) => `S${i}USDT`);
    h = await startHarness({ weightPerMinute: 1_000_000, market: { symbols, trades: 4 } });
    const list = (n: number) => encodeURIComponent(JSON.stringify(symbols.slice(0, n)));
    const cost = async (query: string) => {
      const before = used(await h!.get('/api/v3/ping'));
      const r = await h!.get(`/api/v3/ticker${query}`);
      expect(r.status).toBe(200);
      return used(r) - before;
    };
    expect(await cost('?symbol=S7USDT&windowSize=7d')).toBe(4);
    expect(await cost(`?symbols=${list(1)}`)).toBe(4);
    expect(await cost(`?symbols=${list(20)}&type=MINI`)).toBe(80);
    expect(await cost(`?symbols=${list(49)}`)).toBe(196);
    expect(await cost(`?symbols=${list(50)}`)).toBe(200);
    expect(await cost(`?symbols=${list(51)}`)).toBe(200);
    expect(await cost(`?symbols=${list(100)}&windowSize=1m`)).toBe(200);
  });
});
