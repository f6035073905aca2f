// Paths and framing, live control messages and the wire's error codes, over real sockets.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WsErrorCode } from '../../server/wire/errors.ts';
import { event } from '../wire/fixtures.ts';
import { openClient, startGateway, until, upgradeStatus, type TestClient, type TestServer } from './harness.ts';

let server: TestServer;
const clients: TestClient[] = [];
beforeEach(async () => {
  server = await startGateway({ maxStreams: 3 });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server.close();
});

async function client(path: string): Promise<TestClient> {
  const c = await openClient(server.url(path));
  clients.push(c);
  return c;
}

describe('paths and framing', () => {
  it('send raw payloads on /ws/<stream>', async () => {
    const c = await client('/ws/solusdt@trade');
    server.publish([event.trade(1)]);
    expect(await c.next()).toMatchObject({ e: 'trade', t: 1 });
  });

  it('subscribe every stream of /ws/<s1>/<s2> and ignore names that are not streams', async () => {
    const c = await client('/ws/solusdt@trade/0/nope@trade/solusdt@bookTicker');
    expect(await c.request({ method: 'LIST_SUBSCRIPTIONS', id: 1 })).toEqual({ result: ['solusdt@trade', 'solusdt@bookTicker'], id: 1 });
    const empty = await client('/ws/0');
    expect(await empty.request({ method: 'LIST_SUBSCRIPTIONS', id: 2 })).toEqual({ result: [], id: 2 });
  });

  it('wrap payloads on /stream?streams= and name the stream with its symbol in lowercase, as Binance does', async () => {
    const c = await client(`/stream?streams=SOLUSDT@trade/${encodeURIComponent('solusdt@kline_1m@+08:00')}`);
    server.publish([event.trade(1), event.kline('1m')]);
    expect(await c.next()).toMatchObject({ stream: 'solusdt@trade', data: { e: 'trade' } });
    expect(await c.next()).toMatchObject({ stream: 'solusdt@kline_1m@+08:00', data: { e: 'kline' } });
  });

  it('keep a literal + in streams= (decodeURIComponent, not form decoding)', async () => {
    const c = await client('/stream?streams=solusdt@kline_1m@+08:00');
    expect(await c.request({ method: 'LIST_SUBSCRIPTIONS', id: 1 })).toEqual({ result: ['solusdt@kline_1m@+08:00'], id: 1 });
  });

  it('treat names that differ only in symbol case as one subscription, and kline_1m and kline_1M as two', async () => {
    const c = await client('/stream?streams=SolUsdt@trade');
    await c.request({ method: 'SUBSCRIBE', params: ['solusdt@trade', 'SOLUSDT@trade', 'SOLUSDT@kline_1M', 'solusdt@kline_1M', 'solusdt@kline_1m'], id: 1 });
    expect(await c.request({ method: 'LIST_SUBSCRIPTIONS', id: 2 })).toEqual({ result: ['solusdt@trade', 'solusdt@kline_1M', 'solusdt@kline_1m'], id: 2 });
    expect(server.metrics.read('tickwire_ws_subscriptions')).toBe(3);
    server.publish([event.trade(1), event.trade(2)]);
    expect(await c.next()).toMatchObject({ stream: 'solusdt@trade', data: { t: 1 } });
    expect(await c.next()).toMatchObject({ stream: 'solusdt@trade', data: { t: 2 } });
    await c.request({ method: 'UNSUBSCRIBE', params: ['SOLusdt@trade', 'SOLUSDT@kline_1m'], id: 3 });
    expect(await c.request({ method: 'LIST_SUBSCRIPTIONS', id: 4 })).toEqual({ result: ['solusdt@kline_1M'], id: 4 });
  });

  it('flip framing with SET_PROPERTY combined, both ways', async () => {
    const c = await client('/ws/solusdt@trade');
    expect(await c.request({ method: 'GET_PROPERTY', params: ['combined'], id: 1 })).toEqual({ result: false, id: 1 });
    expect(await c.request({ method: 'SET_PROPERTY', params: ['combined', true], id: 2 })).toEqual({ result: null, id: 2 });
    expect(await c.request({ method: 'GET_PROPERTY', params: ['combined'], id: 3 })).toEqual({ result: true, id: 3 });
    server.publish([event.trade(1)]);
    expect(await c.next()).toMatchObject({ stream: 'solusdt@trade', data: { t: 1 } });
    await c.request({ method: 'SET_PROPERTY', params: ['combined', false], id: 4 });
    server.publish([event.trade(2)]);
    expect(await c.next()).toMatchObject({ e: 'trade', t: 2 });
    const plain = await client('/stream');
    expect(await plain.request({ method: 'GET_PROPERTY', params: ['combined'], id: 5 })).toEqual({ result: true, id: 5 });
  });

  it('refuse an upgrade on a path that is not a stream path', async () => {
    await expect(upgradeStatus(server.url('/nope'))).rejects.toThrow();
    expect(await upgradeStatus(server.url('/ws'))).toBe(101);
  });

  it('refuse an unknown timeUnit with HTTP 400', async () => {
    expect(await upgradeStatus(server.url('/ws?timeUnit=NANOSECOND'))).toBe(400);
    expect(await upgradeStatus(server.url('/stream?streams=solusdt@trade&timeUnit=MILLISECOND'))).toBe(101);
  });
});

describe('control messages', () => {
  it.each([[1], ['0123456789abcdef0123456789abcdef'], [null]])('answer SUBSCRIBE, UNSUBSCRIBE and LIST with the id %j of the same JSON type', async (id) => {
    const c = await client('/ws');
    expect(await c.request({ method: 'SUBSCRIBE', params: ['solusdt@trade', 'solusdt@depth'], id })).toEqual({ result: null, id });
    expect(await c.request({ method: 'UNSUBSCRIBE', params: ['solusdt@depth'], id })).toEqual({ result: null, id });
    expect(await c.request({ method: 'LIST_SUBSCRIPTIONS', id })).toEqual({ result: ['solusdt@trade'], id });
    server.publish([event.trade(3), event.depthUpdate(1, 2)]);
    expect(await c.next()).toMatchObject({ e: 'trade', t: 3 });
  });

  it('stop delivering a stream after UNSUBSCRIBE', async () => {
    const c = await client('/ws/solusdt@trade/solusdt@bookTicker');
    await c.request({ method: 'UNSUBSCRIBE', params: ['solusdt@trade'], id: 1 });
    server.publish([event.trade(1), event.bookTicker(5)]);
    expect(await c.next()).toMatchObject({ u: 5 });
    expect(c.received).toHaveLength(2);
  });

  const errors: [what: string, request: unknown, code: number][] = [
    ['an unknown property', { method: 'SET_PROPERTY', params: ['speed', true], id: 10 }, WsErrorCode.UNKNOWN_PROPERTY],
    ['a value that is not a boolean', { method: 'SET_PROPERTY', params: ['combined', 1], id: 'eleven' }, WsErrorCode.INVALID_VALUE_TYPE],
    ['an invalid stream', { method: 'SUBSCRIBE', params: ['solusdt@trades'], id: 12 }, WsErrorCode.INVALID_REQUEST],
    ['an unknown method', { method: 'PING', id: 13 }, WsErrorCode.INVALID_REQUEST],
  ];
  it.each(errors)('answer %s with code %i nested under error, with the id', async (_what, request, code) => {
    const c = await client('/ws');
    const reply = await c.request(request as { id: unknown });
    expect(reply).toEqual({ error: { code, msg: expect.any(String) }, id: (request as { id: unknown }).id });
    expect(server.metrics.read('tickwire_ws_rejected_total', { code: String(code) })).toBe(1);
  });

  it('answer text that is not JSON with code 3 and id null, and live on', async () => {
    const c = await client('/ws');
    c.ws.send('{"method":"SUBSCRIBE",');
    expect(await c.next()).toEqual({ error: { code: 3, msg: expect.stringMatching(/^Invalid JSON/) }, id: null });
    expect(await c.request({ method: 'LIST_SUBSCRIPTIONS', id: 1 })).toEqual({ result: [], id: 1 });
  });

  it('answer a bad id with code 2 and id null', async () => {
    const c = await client('/ws');
    c.send({ method: 'LIST_SUBSCRIPTIONS', id: 1.5 });
    expect(await c.next()).toEqual({ error: { code: 2, msg: expect.stringContaining('request ID') }, id: null });
  });

  it('answer a binary frame with code 3 and keep the connection', async () => {
    const c = await client('/ws/solusdt@trade');
    c.ws.send(Buffer.from('{"method":"LIST_SUBSCRIPTIONS","id":1}'), { binary: true });
    expect(await c.next()).toEqual({ error: { code: 3, msg: expect.stringContaining('binary') }, id: null });
    server.publish([event.trade(4)]);
    expect(await c.next()).toMatchObject({ t: 4 });
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('refuse a SUBSCRIBE that would pass the stream limit, keeping the earlier streams', async () => {
    const c = await client('/ws/solusdt@trade/solusdt@aggTrade');
    const over = await c.request({ method: 'SUBSCRIBE', params: ['solusdt@bookTicker', 'solusdt@depth'], id: 1 });
    expect(over).toEqual({ error: { code: 2, msg: expect.stringContaining('at most 3') }, id: 1 });
    expect(await c.request({ method: 'LIST_SUBSCRIPTIONS', id: 2 })).toEqual({ result: ['solusdt@trade', 'solusdt@aggTrade'], id: 2 });
    // Names already held do not count twice.
    expect(await c.request({ method: 'SUBSCRIBE', params: ['solusdt@trade', 'solusdt@depth'], id: 3 })).toEqual({ result: null, id: 3 });
    const path = await client('/ws/solusdt@trade/solusdt@aggTrade/solusdt@bookTicker/solusdt@depth');
    expect((await path.request({ method: 'LIST_SUBSCRIPTIONS', id: 4 })).result).toHaveLength(3);
  });

  it('count subscriptions and connections in the gauges', async () => {
    const a = await client('/ws/solusdt@trade/solusdt@depth');
    await client('/stream?streams=btcusdt@trade');
    expect(server.metrics.read('tickwire_ws_connections')).toBe(2);
    expect(server.metrics.read('tickwire_ws_subscriptions')).toBe(3);
    await a.close();
    await until(() => server.metrics.read('tickwire_ws_connections') === 1, 3000, 'the close to reach the server');
    expect(server.metrics.read('tickwire_ws_subscriptions')).toBe(1);
  });
});
