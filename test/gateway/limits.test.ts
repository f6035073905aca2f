// Limits of wire.md §5 over real sockets: message rate, connection attempts per IP, frame size.
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

  it('close a client one message over the rate once its burst is spent', async () => {
    const s = (await startGateway({ maxMessagesPerSec: 5 }));
    const c = await client(s, '/ws');
    for (let i = 1; i <= 5; i++) await c.request({ method: 'LIST_SUBSCRIPTIONS', id: i });
    s.timers.advance(199); // not quite one token back
    c.send({ method: 'LIST_SUBSCRIPTIONS', id: 6 });
    expect((await c.closed).code).toBe(CloseCode.TOO_MANY_MESSAGES);
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
