// Keep-alive, lifetime and shutdown: the gateway's own timers and the close codes they end with.
// The gateway's time is manual (harness.ts): each test steps it, so deadlines are exact.
import { describe, expect, it } from 'vitest';
import { CloseCode, CloseReason } from '../../server/wire/errors.ts';
import { T0_US, tradeEvent } from '../wire/fixtures.ts';
import { until, upgradeAnswer, upgradeStatus, useGateway, type TestServer } from './harness.ts';

const gateway = useGateway();
const startGateway = gateway.start;
const client = (s: TestServer, path: string, autoPong = true) => gateway.client(s, path, { autoPong });

describe('keep-alive and lifetime', () => {
  it('ping every pingIntervalMs and close a client that sends no pong within pongTimeoutMs', async () => {
    const s = (await startGateway({ pingIntervalMs: 150, pongTimeoutMs: 1000, maxMessagesPerSec: 1000 }));
    const silent = await client(s, '/ws', false);
    const alive = await client(s, '/ws', true);
    let pings = 0;
    alive.ws.on('ping', () => pings++);
    // Six intervals (900 ms): a ping each time; the live client's pong is in before the next step
    // (its request is answered after the pong, frames being read in order).
    for (let i = 1; i <= 6; i++) {
      s.timers.advance(150);
      await until(() => pings === i, 3000, `ping ${i}`);
      expect(await alive.request({ method: 'LIST_SUBSCRIPTIONS', id: i })).toEqual({ result: [], id: i });
    }
    expect(s.gateway.connections).toBe(2);
    s.timers.advance(100); // 1000 ms without a pong: not yet over the deadline
    expect(s.gateway.connections).toBe(2);
    s.timers.advance(50); // past it
    expect(await silent.closed).toEqual({ code: CloseCode.PONG_TIMEOUT, reason: CloseReason.PONG_TIMEOUT });
    expect(await alive.request({ method: 'LIST_SUBSCRIPTIONS', id: 7 })).toEqual({ result: [], id: 7 });
    expect(s.metrics.read('tickwire_ws_server_closes_total', { reason: 'pong_timeout' })).toBe(1);
  });

  it('close a connection at maxLifetimeMs with 1000, not before', async () => {
    const s = (await startGateway({ maxLifetimeMs: 1000 }));
    const c = await client(s, '/ws');
    s.timers.advance(990);
    expect(await c.request({ method: 'LIST_SUBSCRIPTIONS', id: 1 })).toEqual({ result: [], id: 1 });
    s.timers.advance(250); // the next housekeeping tick at or after 1000 ms
    expect(await c.closed).toEqual({ code: CloseCode.LIFETIME, reason: CloseReason.LIFETIME });
    expect(s.metrics.read('tickwire_ws_server_closes_total', { reason: 'lifetime' })).toBe(1);
  });
});

describe('shutdown', () => {
  it('send serverShutdown in each framing and unit, then close with 1001', async () => {
    const s = (await startGateway());
    const raw = await client(s, '/ws/solusdt@trade');
    const wrapped = await client(s, '/stream?streams=solusdt@trade&timeUnit=MICROSECOND');
    s.clock.advance(2500);
    await s.gateway.shutdown();
    expect(s.gateway.connections).toBe(0);
    expect(await raw.closed).toEqual({ code: CloseCode.SHUTDOWN, reason: CloseReason.SHUTDOWN });
    expect(raw.received).toEqual([{ e: 'serverShutdown', E: Math.floor((T0_US + 2500) / 1000) }]);
    expect((await wrapped.closed).code).toBe(CloseCode.SHUTDOWN);
    expect(wrapped.received).toEqual([{ stream: '!serverShutdown', data: { e: 'serverShutdown', E: T0_US + 2500 } }]);
    expect(await upgradeStatus(s.url('/ws'))).toBe(503);
  });

  it('refuse new upgrades with 503 -1001 while not ready (a fleet gateway catching up), keeping open sockets', async () => {
    let ready = true;
    const s = await startGateway({}, { ready: () => ready });
    const open = await client(s, '/ws/solusdt@trade');
    ready = false;
    for (const path of ['/ws/solusdt@trade', '/stream?streams=solusdt@trade']) {
      const refused = await upgradeAnswer(s.url(path));
      expect(refused.status).toBe(503);
      expect(JSON.parse(refused.body)).toMatchObject({ code: -1001, msg: expect.stringContaining('catching up') });
    }
    expect(s.gateway.connections).toBe(1);
    ready = true;
    expect(await upgradeStatus(s.url('/ws/solusdt@trade'))).toBe(101);
    s.publish([tradeEvent(1)]);
    await until(() => open.received.length === 1, 3000, 'the open socket to get the trade');
  });

  it('resolve at once when nobody is connected', async () => {
    const s = (await startGateway());
    let done = false;
    void s.gateway.shutdown().then(() => (done = true));
    // The gateway's time stands still: only a shutdown that waits for nothing can finish.
    await until(() => done, 3000, 'shutdown');
    expect(s.timers.now()).toBe(0);
  });
});
