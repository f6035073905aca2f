// Slow consumers and fan-out cost: a paused client is closed with the slow-consumer code while the
// others get every frame in order, and a payload is serialized once per time unit, not per subscriber.
import { describe, expect, it } from 'vitest';
import { CloseCode, CloseReason } from '../../server/wire/errors.ts';
import type { MarketEvent } from '../../server/market/types.ts';
import { event } from '../wire/fixtures.ts';
import { until, useGateway, type TestClient, type TestServer } from './harness.ts';

const { start: startGateway, client } = useGateway();

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const ids = (c: TestClient) => c.received.map((m: any) => m.t as number);
/** True when `list` is 1, 2, 3, … with no gap. */
const inOrder = (list: number[]) => list.every((id, i) => id === i + 1);

describe('slow consumers', () => {
  it('close a paused client with the slow-consumer code while another receives every trade in order', async () => {
    const limit = 64 * 1024;
    const s = (await startGateway({ maxBackpressureBytes: limit }));
    const paused = await client(s, '/ws/solusdt@trade');
    const healthy = await client(s, '/ws/solusdt@trade');
    (paused.ws as any)._socket.pause();

    let id = 0;
    const slowCloses = () => s.metrics.read('tickwire_ws_slow_consumer_closes_total');
    // Publish until the paused client is closed, then a little more; bounded either way.
    for (let batch = 0; batch < 2000 && slowCloses() === 0; batch++) {
      const events: MarketEvent[] = [];
      for (let i = 0; i < 100; i++) events.push(event.trade(++id));
      s.publish(events);
      await tick();
    }
    expect(slowCloses()).toBe(1);
    for (let batch = 0; batch < 20; batch++) {
      s.publish([event.trade(++id)]);
      await tick();
    }
    await until(() => healthy.received.length === id, 5000, 'the healthy client to catch up');
    expect(inOrder(ids(healthy))).toBe(true);
    expect(s.gateway.connections).toBe(1);

    (paused.ws as any)._socket.resume();
    expect(await paused.closed).toEqual({ code: CloseCode.SLOW_CONSUMER, reason: CloseReason.SLOW_CONSUMER });
    // What the slow client got before its close frame is a gap-free prefix: nothing was dropped.
    expect(paused.received.length).toBeGreaterThan(0);
    expect(inOrder(ids(paused))).toBe(true);
  });
});

describe('fan-out', () => {
  it('serialize a payload once per time unit in use, whatever the number of subscribers', async () => {
    const s = (await startGateway());
    const encoded = () => s.metrics.read('tickwire_payloads_encoded_total', { type: 'trade' });
    const frames = () => s.metrics.read('tickwire_frames_delivered_total', { type: 'trade' });
    const raw = await Promise.all(Array.from({ length: 12 }, () => client(s, '/ws/solusdt@trade')));
    const wrapped = await Promise.all(Array.from({ length: 8 }, () => client(s, '/stream?streams=solusdt@trade')));
    const all = [...raw, ...wrapped];

    s.publish([event.trade(1)]);
    await until(() => all.every((c) => c.received.length === 1), 3000, 'every subscriber');
    expect(encoded()).toBe(1);
    expect(frames()).toBe(all.length);

    const micro = await client(s, '/ws/solusdt@trade?timeUnit=MICROSECOND');
    s.publish([event.trade(2)]);
    await until(() => micro.received.length === 1, 3000, 'the µs subscriber');
    expect(encoded()).toBe(3);
    expect(frames()).toBe(2 * all.length + 1);
    expect(s.metrics.read('tickwire_events_published_total', { type: 'trade' })).toBe(2);
  });

  it('keep its subscriber counts equal to what uWS delivers as sockets flip framing and leave', async () => {
    const s = (await startGateway());
    const frames = () => s.metrics.read('tickwire_frames_delivered_total', { type: 'trade' });
    const cs = await Promise.all(Array.from({ length: 6 }, () => client(s, '/ws/solusdt@trade')));
    await cs[0]!.request({ method: 'SET_PROPERTY', params: ['combined', true], id: 1 });
    await cs[1]!.request({ method: 'SET_PROPERTY', params: ['combined', true], id: 1 });
    await cs[1]!.request({ method: 'SET_PROPERTY', params: ['combined', false], id: 2 });
    await cs[2]!.request({ method: 'UNSUBSCRIBE', params: ['solusdt@trade'], id: 1 });
    await cs[3]!.request({ method: 'SUBSCRIBE', params: ['SOLUSDT@trade'], id: 1 });
    await cs[4]!.close();
    await until(() => s.gateway.connections === 5, 3000, 'the close to reach the server');
    const before = cs.map((c) => c.received.length);
    s.publish([event.trade(1)]);
    // 0: combined, 1: raw again, 2: none, 3: the same stream named twice (one subscription), 4: gone, 5: raw.
    const expected = [1, 1, 0, 1, 0, 1];
    await until(() => cs.every((c, i) => c.received.length - before[i]! === expected[i]), 3000, 'the frames');
    expect(frames()).toBe(4);
    expect(s.metrics.read('tickwire_ws_subscriptions')).toBe(4);
  });

  it('do no work for events nobody subscribed to', async () => {
    const s = (await startGateway());
    await client(s, '/ws/btcusdt@trade');
    s.publish([event.trade(1, 'SOLUSDT'), event.bookTicker(1), event.depthSnapshot(1), event.kline('1h')]);
    expect(s.metrics.read('tickwire_payloads_encoded_total', { type: 'trade' })).toBe(0);
    expect(s.metrics.read('tickwire_events_published_total', { type: 'trade' })).toBe(0);
    expect(s.metrics.read('tickwire_events_published_total', { type: 'depthSnapshot' })).toBe(0);
  });
});
