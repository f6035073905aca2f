// Limits of docs/protocol.md#limits-and-keep-alive over real sockets: message rate, connection attempts per IP, frame size.
// The gateway's time is manual (harness.ts): it moves only when a test advances it.
import { describe, expect, it } from 'vitest';
import { CloseCode, CloseReason } from '../../server/wire/errors.ts';
import { event } from '../wire/fixtures.ts';
import { upgradeStatus, useGateway } from './harness.ts';

const { start: startGateway, client } = useGateway();

describe('limits', () => {
  it('close a connection that sends 6 messages in one second, while another keeps receiving', async () => {
    const s = (await startGateway({ maxMessagesPerSec: 5 }));
    const noisy = await client(s, '/ws');
    const quiet = await client(s, '/ws/solusdt@trade');
    for (let i = 1; i <= 6; i++) noisy.send({ method: 'LIST_SUBSCRIPTIONS', id: i });
    expect(await noisy.closed).toEqual({ code: CloseCode.TOO_MANY_MESSAGES, reason: CloseReason.TOO_MANY_MESSAGES });
    expect(noisy.received).toHaveLength(5); // the first five were answered
    s.publish([event.trade(1)]);
    expect(await quiet.next()).toMatchObject({ t: 1 });
    expect(s.metrics.read('tickwire_ws_server_closes_total', { reason: 'too_many_messages' })).toBe(1);
  });

  it('count pings toward the message rate', async () => {
    const s = (await startGateway({ maxMessagesPerSec: 5 }));
    const c = await client(s, '/ws');
    for (let i = 0; i < 6; i++) c.ws.ping();
    expect((await c.closed).code).toBe(CloseCode.TOO_MANY_MESSAGES);
  });

  it('let a client that stays at the rate live on', async () => {
    const s = (await startGateway({ maxMessagesPerSec: 5 }));
    const c = await client(s, '/ws');
    // A burst of five, then one message every 200 ms (5/s) for four seconds.
    for (let i = 1; i <= 5; i++) expect(await c.request({ method: 'LIST_SUBSCRIPTIONS', id: i })).toEqual({ result: [], id: i });
    for (let i = 6; i <= 25; i++) {
      s.timers.advance(200);
      expect(await c.request({ method: 'LIST_SUBSCRIPTIONS', id: i })).toEqual({ result: [], id: i });
    }
    expect(s.gateway.connections).toBe(1);
  });

  it('take the frames a client sent under the rate while the server stalled, though they arrive together', async () => {
    const s = (await startGateway({ maxMessagesPerSec: 5 }));
    const c = await client(s, '/ws');
    for (let i = 1; i <= 5; i++) await c.request({ method: 'LIST_SUBSCRIPTIONS', id: i }); // burst spent
    s.timers.stall(2000); // busy 2 s: a client at 4/s sent 8 frames meanwhile
    for (let i = 6; i <= 12; i++) c.send({ method: 'LIST_SUBSCRIPTIONS', id: i });
    expect(await c.request({ method: 'LIST_SUBSCRIPTIONS', id: 13 })).toEqual({ result: [], id: 13 }); // the eighth
    expect(s.gateway.connections).toBe(1);
  });

  it('close a client that sends 8 frames at once after 2 idle seconds', async () => {
    const s = (await startGateway({ maxMessagesPerSec: 5 }));
    const c = await client(s, '/ws');
    for (let i = 1; i <= 5; i++) await c.request({ method: 'LIST_SUBSCRIPTIONS', id: i });
    s.timers.advance(2000); // idle: the server could have read each frame as it came
    for (let i = 6; i <= 13; i++) c.send({ method: 'LIST_SUBSCRIPTIONS', id: i });
    expect((await c.closed).code).toBe(CloseCode.TOO_MANY_MESSAGES);
  });

  it('close a client one message over the rate once its burst is spent', async () => {
    const s = (await startGateway({ maxMessagesPerSec: 5 }));
    const c = await client(s, '/ws');
    for (let i = 1; i <= 5; i++) await c.request({ method: 'LIST_SUBSCRIPTIONS', id: i });
    s.timers.advance(199); // not quite one token back
    c.send({ method: 'LIST_SUBSCRIPTIONS', id: 6 });
    expect((await c.closed).code).toBe(CloseCode.TOO_MANY_MESSAGES);
  });

  it('refuse SUBSCRIBEs over the per-IP budget of subscription changes with code 2, keep the connections, and take them once it refills', async () => {
    // maxStreams 2: an IP may change 16 × 2 = 32 subscriptions at once and gets 4 × 2 = 8 back a second.
    const s = (await startGateway({ maxStreams: 2, maxMessagesPerSec: 1000 }));
    const a = await client(s, '/ws');
    const b = await client(s, '/ws');
    const two = ['solusdt@trade', 'solusdt@aggTrade'];
    let id = 0;
    for (let i = 0; i < 8; i++) { // 8 swaps of two streams: 32 changes
      expect(await a.request({ method: 'SUBSCRIBE', params: two, id: ++id })).toEqual({ result: null, id });
      expect(await a.request({ method: 'UNSUBSCRIBE', params: two, id: ++id })).toEqual({ result: null, id });
    }
    // The other connection of the same IP shares the budget; nothing is subscribed.
    expect(await b.request({ method: 'SUBSCRIBE', params: two, id: ++id })).toEqual({
      error: { code: 2, msg: 'Invalid request: too many subscription changes from this address; retry in 250 ms' }, id,
    });
    expect(await b.request({ method: 'LIST_SUBSCRIPTIONS', id: ++id })).toEqual({ result: [], id });
    s.timers.advance(249);
    expect((await b.request({ method: 'SUBSCRIBE', params: two, id: ++id })).error.code).toBe(2);
    s.timers.advance(1);
    expect(await b.request({ method: 'SUBSCRIBE', params: two, id: ++id })).toEqual({ result: null, id });
    // Names already held cost nothing, in any letter case.
    expect(await b.request({ method: 'SUBSCRIBE', params: ['SOLUSDT@trade'], id: ++id })).toEqual({ result: null, id });
    expect(s.metrics.read('tickwire_ws_subscribe_refused_total')).toBe(2);
    expect(s.gateway.connections).toBe(2);
  });

  it('refuse connection attempts over the per-IP limit with HTTP 429', async () => {
    const s = (await startGateway({ connAttemptsPerIp: 3, connAttemptWindowMs: 60_000 }));
    for (let i = 0; i < 3; i++) expect(await upgradeStatus(s.url('/ws'))).toBe(101);
    expect(await upgradeStatus(s.url('/stream'))).toBe(429);
    expect(s.metrics.read('tickwire_ws_connection_attempts_rejected_total')).toBe(1);
  });

  it('open the door again when the attempt window is over, not before', async () => {
    const s = (await startGateway({ connAttemptsPerIp: 1, connAttemptWindowMs: 1000 }));
    expect(await upgradeStatus(s.url('/ws'))).toBe(101);
    expect(await upgradeStatus(s.url('/ws'))).toBe(429);
    s.timers.advance(999);
    expect(await upgradeStatus(s.url('/ws'))).toBe(429);
    s.timers.advance(1);
    expect(await upgradeStatus(s.url('/ws'))).toBe(101);
  });

  it('close with 1009 on a frame over maxPayloadBytes', async () => {
    const s = (await startGateway({ maxPayloadBytes: 1024 }));
    const c = await client(s, '/ws');
    expect(await c.request({ method: 'SUBSCRIBE', params: ['solusdt@trade'], id: 1, pad: 'x'.repeat(900) })).toEqual({ result: null, id: 1 });
    c.send({ method: 'SUBSCRIBE', params: ['solusdt@trade'], id: 2, pad: 'x'.repeat(1100) });
    expect(await c.closed).toEqual({ code: CloseCode.TOO_BIG, reason: CloseReason.TOO_BIG });
    expect(s.metrics.read('tickwire_ws_server_closes_total', { reason: 'too_big' })).toBe(1);
  });
});
