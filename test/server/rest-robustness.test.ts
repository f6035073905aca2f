// Bad input never crashes anything: seeded random queries against every endpoint of the live server
// get a 200 or the wire's own 400, always JSON, never a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { httpGet } from '../http/harness.ts';
import { createRandom } from '../../server/market/random.ts';

const ENDPOINTS = [
  'ping', 'time', 'exchangeInfo', 'depth', 'trades', 'aggTrades', 'klines', 'uiKlines',
  'ticker/24hr', 'ticker/price', 'ticker/bookTicker', 'avgPrice',
];
const NAMES = ['symbol', 'symbols', 'limit', 'interval', 'startTime', 'endTime', 'timeZone', 'fromId', 'type', 'x'];
const VALUES = [
  '', '0', '-1', '1', '1000', '5000', '5001', '99999999999999999999', '9007199254740991', '9007199254740992', '1e3', 'abc',
  '%', '%E0%A4%A', '%00', 'SOLUSDT', 'BTCUSDT', 'solusdt', 'NOPEUSDT', '["SOLUSDT"]', '["SOLUSDT","SOLUSDT"]', '[]', '[1]',
  '{}', 'null', '[', '1s', '1m', '1M', '1w', '3d', '+08:00', '-12:00', '14:00', '5:45', '-13', 'MINI', 'FULL',
  String(Date.now()), String(Date.now() * 1000), String(Date.now() - 3_600_000), 'x'.repeat(300),
];

/** A fixed-seed source (the simulator's own PRNG), so every run makes the same cases. */
const mulberry32 = (seed: number): (() => number) => {
  const r = createRandom(seed);
  return () => r.next();
};

describe('REST under bad input', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(loadConfig(['--port', '0', '--rest-weight-per-minute', '1000000000']), { distDir: '/nonexistent/tickwire-dist' });
  });
  afterAll(() => server.close());

  it('answers 600 seeded random queries with 200 or a JSON 400, never a 500', async () => {
    const random = mulberry32(20261122);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const seen = new Map<number, number>();
    for (let i = 0; i < 600; i++) {
      const parts: string[] = [];
      const n = Math.floor(random() * 5);
      for (let j = 0; j < n; j++) parts.push(`${pick(NAMES)}=${pick(VALUES)}`);
      // Most requests name a valid symbol, so the checks after the symbol are reached too.
      if (random() < 0.6) parts.unshift('symbol=SOLUSDT');
      const path = `/api/v3/${pick(ENDPOINTS)}?${parts.join('&')}`;
      const headers: Record<string, string> = random() < 0.3 ? { 'X-MBX-TIME-UNIT': pick(['MICROSECOND', 'millisecond', 'bogus']) } : {};
      const r = await httpGet(server.port, path, headers);
      expect([200, 400], `${path} → ${r.status} ${r.text.slice(0, 200)}`).toContain(r.status);
      const body = r.json();
      if (r.status === 400) expect(body).toEqual({ code: expect.any(Number), msg: expect.any(String) });
      seen.set(r.status, (seen.get(r.status) ?? 0) + 1);
    }
    // The generator reaches both outcomes, so the test says something about each.
    expect(seen.get(200)).toBeGreaterThan(50);
    expect(seen.get(400)).toBeGreaterThan(50);
  });
});
