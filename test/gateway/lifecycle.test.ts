// Keep-alive, lifetime and shutdown: the gateway's own timers and the close codes they end with.
import { describe, expect, it } from 'vitest';
import { CloseCode, CloseReason } from '../../server/wire/errors.ts';
import { T0_US } from '../wire/fixtures.ts';
import { sleep, upgradeStatus, useGateway, type TestServer } from './harness.ts';

const gateway = useGateway();
const startGateway = gateway.start;
const client = (s: TestServer, path: string, autoPong = true) => gateway.client(s, path, { autoPong });

describe('keep-alive and lifetime', () => {
  it('ping every pingIntervalMs and close a client that sends no pong within pongTimeoutMs', async () => {
    // Margins are wide (a ping every 150 ms, a 1 s deadline) so a loaded machine cannot fail the live client.
    const s = (await startGateway({ pingIntervalMs: 150, pongTimeoutMs: 1000 }));
    const silent = await client(s, '/ws', false);
    const alive = await client(s, '/ws', true);
    let pings = 0;
    alive.ws.on('ping', () => pings++);
    const opened = Date.now();
    expect(await silent.closed).toEqual({ code: CloseCode.PONG_TIMEOUT, reason: CloseReason.PONG_TIMEOUT });
    const after = Date.now() - opened;
    expect(after).toBeGreaterThanOrEqual(1000);
    expect(after).toBeLessThan(3000);
    expect(pings).toBeGreaterThanOrEqual(3);
    await sleep(300);
    expect(await alive.request({ method: 'LIST_SUBSCRIPTIONS', id: 1 })).toEqual({ result: [], id: 1 });
    expect(s.metrics.read('tickwire_ws_server_closes_total', { reason: 'pong_timeout' })).toBe(1);
  });

  it('close a connection at maxLifetimeMs with 1000', async () => {
    const s = (await startGateway({ maxLifetimeMs: 1000 }));
    const c = await client(s, '/ws');
    const opened = Date.now();
    expect(await c.closed).toEqual({ code: CloseCode.LIFETIME, reason: CloseReason.LIFETIME });
    expect(Date.now() - opened).toBeGreaterThanOrEqual(950);
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

  it('resolve at once when nobody is connected', async () => {
    const s = (await startGateway());
    const t = Date.now();
    await s.gateway.shutdown();
    expect(Date.now() - t).toBeLessThan(100);
  });
});
