// Every stream through a real gateway: which events feed it, and the payload shape on the wire.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { event, SYMBOLS, T0_US } from '../wire/fixtures.ts';
import { openClient, startGateway, type TestClient, type TestServer } from './harness.ts';

let server: TestServer;
const clients: TestClient[] = [];
beforeEach(async () => {
  server = await startGateway();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server.close();
});

async function combined(streams: string[], query = ''): Promise<TestClient> {
  const c = await openClient(server.url(`/stream?streams=${streams.map(encodeURIComponent).join('/')}${query}`));
  clients.push(c);
  return c;
}

const ms = (us: number) => Math.floor(us / 1000);

describe('stream payloads', () => {
  it('deliver trade, aggTrade and bookTicker with their field types', async () => {
    const c = await combined(['solusdt@trade', 'solusdt@aggTrade', 'solusdt@bookTicker']);
    server.publish([event.trade(7), event.aggTrade(3), event.bookTicker(99)]);
    const trade = await c.next();
    expect(trade.stream).toBe('solusdt@trade');
    expect(trade.data).toMatchObject({ e: 'trade', s: 'SOLUSDT', t: 7, M: true });
    expect([typeof trade.data.E, typeof trade.data.T, typeof trade.data.p, typeof trade.data.q, typeof trade.data.m]).toEqual(['number', 'number', 'string', 'string', 'boolean']);
    const agg = await c.next();
    expect(agg).toMatchObject({ stream: 'solusdt@aggTrade', data: { e: 'aggTrade', a: 3, f: 9, l: 11 } });
    const book = await c.next();
    expect(book.stream).toBe('solusdt@bookTicker');
    expect(Object.keys(book.data).sort()).toEqual(['A', 'B', 'a', 'b', 's', 'u']);
    expect(book.data.u).toBe(99);
  });

  it('deliver only the subscribed symbol', async () => {
    const c = await combined(['btcusdt@trade']);
    server.publish([event.trade(1, 'SOLUSDT')], 'SOLUSDT');
    server.publish([event.trade(2, 'BTCUSDT')], 'BTCUSDT');
    expect((await c.next()).data).toMatchObject({ s: 'BTCUSDT', t: 2 });
  });

  it('serve @ticker and @miniTicker from one ticker event', async () => {
    const c = await combined(['solusdt@ticker', 'solusdt@miniTicker']);
    server.publish([event.ticker()]);
    const full = await c.next();
    const mini = await c.next();
    expect(full).toMatchObject({ stream: 'solusdt@ticker', data: { e: '24hrTicker', s: 'SOLUSDT', E: ms(T0_US) } });
    expect(Object.keys(full.data)).toHaveLength(23);
    expect(mini).toMatchObject({ stream: 'solusdt@miniTicker', data: { e: '24hrMiniTicker' } });
    expect(Object.keys(mini.data).sort()).toEqual(['E', 'c', 'e', 'h', 'l', 'o', 'q', 's', 'v']);
  });

  it("serve @avgPrice from the market's avgPrice event of the subscribed symbol only", async () => {
    const c = await combined(['solusdt@avgPrice']);
    server.publish([event.avgPrice('BTCUSDT')], 'BTCUSDT');
    server.publish([event.ticker('SOLUSDT'), event.avgPrice('SOLUSDT')]);
    expect(await c.next()).toEqual({ stream: 'solusdt@avgPrice', data: { e: 'avgPrice', E: ms(T0_US), s: 'SOLUSDT', i: '5m', w: '141.02000000', T: ms(T0_US - 2000) } });
  });

  it("serve @ticker_<1h|4h|1d> from the market's rollingTicker event of that window", async () => {
    const c = await combined(['solusdt@ticker_4h']);
    server.publish([event.rollingTicker('1h'), event.rollingTicker('4h'), event.rollingTicker('1d')]);
    const got = await c.next();
    expect(got).toMatchObject({ stream: 'solusdt@ticker_4h', data: { e: '4hTicker', E: ms(T0_US), s: 'SOLUSDT', o: '140.00000000', c: '142.35000000', n: 20 } });
    server.publish([event.rollingTicker('4h', 'BTCUSDT')], 'BTCUSDT');
    server.publish([event.rollingTicker('4h')]);
    expect((await c.next()).data.s).toBe('SOLUSDT');
  });

  it('collect one second of tickers into the !…@arr streams, never empty', async () => {
    const c = await combined(['!miniTicker@arr', '!ticker@arr']);
    for (const s of SYMBOLS) server.publish([event.ticker(s, T0_US)], s);
    const mini = await c.next();
    const full = await c.next();
    expect(mini.stream).toBe('!miniTicker@arr');
    expect(mini.data.map((t: { s: string }) => t.s)).toEqual([...SYMBOLS]);
    expect(mini.data.every((t: { e: string }) => t.e === '24hrMiniTicker')).toBe(true);
    expect(full.stream).toBe('!ticker@arr');
    expect(full.data.map((t: { e: string }) => t.e)).toEqual(SYMBOLS.map(() => '24hrTicker'));
    // A second where only one symbol reports goes out when the next second starts.
    server.publish([event.ticker('BTCUSDT', T0_US + 1_000_000)], 'BTCUSDT');
    server.publish([event.ticker('BTCUSDT', T0_US + 2_000_000)], 'BTCUSDT');
    const late = await c.next();
    expect(late.data.map((t: { s: string; E: number }) => [t.s, t.E])).toEqual([['BTCUSDT', ms(T0_US + 1_000_000)]]);
    expect(c.received.every((m: any) => m.data.length > 0)).toBe(true);
  });

  it('list the !…@arr tickers in the configured symbol order whatever order they arrived in', async () => {
    const c = await combined(['!miniTicker@arr']);
    for (const s of [...SYMBOLS].reverse()) server.publish([event.ticker(s, T0_US)], s);
    expect((await c.next()).data.map((t: { s: string }) => t.s)).toEqual([...SYMBOLS]);
  });

  it('serve klines by interval, and @+08:00 from the UTC event where boundaries agree', async () => {
    const c = await combined(['solusdt@kline_1m', 'solusdt@kline_1m@+08:00', 'solusdt@kline_1d@+08:00', 'solusdt@kline_1d']);
    server.publish([event.kline('1m', 0)]);
    const a = await c.next();
    const b = await c.next();
    expect([a.stream, b.stream]).toEqual(['solusdt@kline_1m', 'solusdt@kline_1m@+08:00']);
    expect(a.data).toEqual(b.data);
    expect(a.data.k).toMatchObject({ i: '1m', x: false, B: '0' });
    server.publish([event.kline('1d', 480)]);
    server.publish([event.kline('1d', 0)]);
    expect((await c.next()).stream).toBe('solusdt@kline_1d@+08:00');
    expect((await c.next()).stream).toBe('solusdt@kline_1d');
  });

  it('cut partial books to 5, 10 and 20 levels at the subscribed speed', async () => {
    const c = await combined(['solusdt@depth5', 'solusdt@depth10@100ms', 'solusdt@depth20@1000ms']);
    server.publish([event.depthSnapshot(160, 100)]);
    const ten = await c.next();
    expect(ten.stream).toBe('solusdt@depth10@100ms');
    expect(ten.data.bids).toHaveLength(10);
    server.publish([event.depthSnapshot(170, 1000)]);
    const five = await c.next();
    const twenty = await c.next();
    expect(five).toMatchObject({ stream: 'solusdt@depth5', data: { lastUpdateId: 170 } });
    expect([five.data.bids.length, five.data.asks.length, twenty.data.asks.length]).toEqual([5, 5, 20]);
    expect(Object.keys(five.data)).toEqual(['lastUpdateId', 'bids', 'asks']);
  });

  it('serve the diff book at the subscribed speed only', async () => {
    const c = await combined(['solusdt@depth', 'solusdt@depth@100ms']);
    server.publish([event.depthUpdate(157, 160, 100)]);
    server.publish([event.depthUpdate(150, 160, 1000)]);
    const fast = await c.next();
    const slow = await c.next();
    expect(fast).toMatchObject({ stream: 'solusdt@depth@100ms', data: { e: 'depthUpdate', U: 157, u: 160 } });
    expect(slow).toMatchObject({ stream: 'solusdt@depth', data: { U: 150, u: 160 } });
    expect(fast.data.b).toEqual([['142.34000000', '10.00000000']]);
  });

  it('send times in microseconds on timeUnit=MICROSECOND, in either case', async () => {
    const upper = await combined(['solusdt@trade'], '&timeUnit=MICROSECOND');
    const lower = await openClient(server.url('/ws/solusdt@trade?timeUnit=microsecond'));
    const milli = await combined(['solusdt@trade']);
    clients.push(lower);
    server.publish([event.trade(5)]);
    expect((await upper.next()).data.E).toBe(T0_US + 5);
    expect((await lower.next()).T).toBe(T0_US + 5);
    expect((await milli.next()).data.E).toBe(ms(T0_US + 5));
  });
});
