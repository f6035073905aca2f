// Limits of docs/protocol.md#limits-and-keep-alive over real sockets: message rate, connection attempts per IP, frame size.
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
    for (let i = 1; i <= 8; i++) {
      expect(await c.request({ method: 'LIST_SUBSCRIPTIONS', id: i })).toEqual({ result: [], id: i });
      await new Promise((r) => setTimeout(r, 220));
    }
  });

  it('refuse connection attempts over the per-IP limit with HTTP 429', async () => {
    const s = (await startGateway({ connAttemptsPerIp: 3, connAttemptWindowMs: 60_000 }));
    for (let i = 0; i < 3; i++) expect(await upgradeStatus(s.url('/ws'))).toBe(101);
    expect(await upgradeStatus(s.url('/stream'))).toBe(429);
    expect(s.metrics.read('tickwire_ws_connection_attempts_rejected_total')).toBe(1);
  });

  it('open the door again when the attempt window is over', async () => {
    const s = (await startGateway({ connAttemptsPerIp: 1, connAttemptWindowMs: 1000 }));
    const first = Date.now();
    expect(await upgradeStatus(s.url('/ws'))).toBe(101);
    expect(await upgradeStatus(s.url('/ws'))).toBe(429);
    await new Promise((r) => setTimeout(r, 1050 - (Date.now() - first)));
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

  it('cut a frame over twice maxPayloadBytes without a close frame (uWS does it, as documented)', async () => {
    const s = (await startGateway({ maxPayloadBytes: 1024 }));
    const c = await client(s, '/ws');
    c.ws.send('x'.repeat(2 * 1024 + 1));
    expect((await c.closed).code).toBe(1006);
    await new Promise((r) => setTimeout(r, 20));
    expect(s.gateway.connections).toBe(0);
  });
});
