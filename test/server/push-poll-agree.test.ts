// Push and poll tell the same story: what the WebSocket streams sent, REST serves field for field
// (the dashboard puts the two side by side). Whole server, manual clock, market stepped by the test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireAggTrade, WireCombined, WireKline, WireTrade } from '../../server/wire/payloads.ts';
import { httpGet } from '../http/harness.ts';
import { startManualServer, type ManualServer } from './manual-server.ts';

describe('REST agrees with the streams', () => {
  let m: ManualServer;
  const rest = async (path: string) => (await httpGet(m.server.port, path)).json();
  const data = <T>(stream: string) =>
    (m.messages as WireCombined<T>[]).filter((msg) => msg.stream === stream).map((msg) => msg.data);

  beforeAll(async () => {
    m = await startManualServer(['--symbols', 'SOLUSDT:10'], '/stream?streams=solusdt@trade/solusdt@aggTrade/solusdt@kline_1m');
    // 75 s of market: more than one 1m kline closes.
    for (let i = 0; i < 75; i++) await m.step(1_000_000);
  });
  afterAll(() => m.close());

  it('serves every streamed trade with the same id, price, qty, time and side', async () => {
    const pushed = data<WireTrade>('solusdt@trade');
    expect(pushed.length).toBeGreaterThan(100);
    const polled = await rest('/api/v3/trades?symbol=SOLUSDT&limit=1000');
    const byId = new Map(polled.map((t: { id: number }) => [t.id, t]));
    const overlap = pushed.filter((t) => byId.has(t.t));
    expect(overlap.length).toBe(Math.min(pushed.length, 1000));
    for (const t of overlap) {
      expect(byId.get(t.t)).toMatchObject({ id: t.t, price: t.p, qty: t.q, time: t.T, isBuyerMaker: t.m, isBestMatch: true });
    }
    expect(polled.at(-1).id).toBe(pushed.at(-1)!.t);
    expect((await rest('/api/v3/ticker/price?symbol=SOLUSDT')).price).toBe(pushed.at(-1)!.p);
  });

  it('serves every streamed aggTrade from its id on, identically', async () => {
    const pushed = data<WireAggTrade>('solusdt@aggTrade');
    expect(pushed.length).toBeGreaterThan(50);
    const polled = await rest(`/api/v3/aggTrades?symbol=SOLUSDT&fromId=${pushed[0]!.a}&limit=1000`);
    expect(polled.slice(0, pushed.length)).toEqual(pushed.map(({ a, p, q, f, l, T, m: maker, M }) => ({ a, p, q, f, l, T, m: maker, M })));
  });

  it('serves each kline the stream closed with the same twelve values', async () => {
    const closed = data<WireKline>('solusdt@kline_1m').filter((e) => e.k.x);
    expect(closed.length).toBeGreaterThanOrEqual(1);
    for (const { k } of closed) {
      const [row] = await rest(`/api/v3/klines?symbol=SOLUSDT&interval=1m&startTime=${k.t}&limit=1`);
      expect(row).toEqual([k.t, k.o, k.h, k.l, k.c, k.v, k.T, k.q, k.n, k.V, k.Q, '0']);
    }
  });
});
