// The gateway inside the whole server, fed by the real simulator: live sequences and the exits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { CloseCode } from '../../server/wire/errors.ts';
import { openClient, until, upgradeStatus } from './harness.ts';

describe('the gateway on the live market', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(loadConfig(['--port', '0', '--symbols', 'SOLUSDT:40,BTCUSDT:5']), { distDir: '/nonexistent/tickwire-dist' });
  });
  afterAll(() => server.close());
  const url = (path: string) => `ws://127.0.0.1:${server.port}${path}`;

  it('delivers trades with consecutive ids and diff-depth events whose U follows the last u', async () => {
    const c = await openClient(url('/stream?streams=solusdt@trade/solusdt@depth@100ms/solusdt@avgPrice/solusdt@ticker_1h'));
    try {
      const of = (stream: string) => c.received.filter((m: any) => m.stream === stream).map((m: any) => m.data);
      await until(() => of('solusdt@trade').length >= 10 && of('solusdt@depth@100ms').length >= 5, 8000, 'live trades and depth');
      const trades = of('solusdt@trade');
      expect(trades.every((t: any, i: number) => i === 0 || t.t === trades[i - 1].t + 1)).toBe(true);
      const diffs = of('solusdt@depth@100ms');
      expect(diffs.every((d: any, i: number) => i === 0 || d.U === diffs[i - 1].u + 1)).toBe(true);
      await until(() => of('solusdt@avgPrice').length >= 1, 3000, 'an average price');
      expect(of('solusdt@avgPrice')[0]).toMatchObject({ e: 'avgPrice', s: 'SOLUSDT', i: '5m', w: expect.stringMatching(/^\d+\.\d{8}$/) });
      await until(() => of('solusdt@ticker_1h').length >= 1, 3000, 'a 1h rolling ticker');
      const hour = of('solusdt@ticker_1h')[0];
      expect(hour).toMatchObject({ e: '1hTicker', s: 'SOLUSDT', v: expect.stringMatching(/^\d+\.\d{8}$/) });
      // Binance's rolling-window rule, shared with GET /api/v3/ticker: the window opens at close
      // time minus one hour, rounded down to the minute.
      expect(hour.C - hour.O).toBeGreaterThanOrEqual(60 * 60_000);
      expect(hour.C - hour.O).toBeLessThan(61 * 60_000);
      expect(hour.O % 60_000).toBe(0);
      expect(hour.n).toBeGreaterThan(0);
      expect(hour.L - hour.F + 1).toBe(hour.n);
    } finally {
      await c.close();
    }
  });

  it('leaves upgrades on other paths to the site, which answers 404', async () => {
    expect(await upgradeStatus(url('/nope'))).toBe(404);
    expect(await upgradeStatus(url('/ws/0'))).toBe(101);
  });

  it('sends serverShutdown and closes with 1001 when the server closes', async () => {
    const c = await openClient(url('/ws/btcusdt@bookTicker'));
    await server.close();
    expect((await c.closed).code).toBe(CloseCode.SHUTDOWN);
    expect(c.received.at(-1)).toMatchObject({ e: 'serverShutdown' });
  });
});
