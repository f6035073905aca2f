// Bad input never crashes anything: seeded random requests get exactly one answer each, and the
// connection lives on.
import { afterEach, describe, expect, it } from 'vitest';
import { parseControl } from '../../server/wire/control.ts';
import { SYMBOL_SET } from '../wire/fixtures.ts';
import { openClient, startGateway, type TestServer } from './harness.ts';
import { createRandom } from '../../server/market/random.ts';

/** A fixed-seed source (the simulator's own PRNG), so every run makes the same cases. */
const rng = (seed: number): (() => number) => {
  const r = createRandom(seed);
  return () => r.next();
};

const ATOMS: unknown[] = [
  null, true, false, 0, -1, 1.5, 2 ** 53, 1e308, '', 'x'.repeat(40), 'solusdt@trade', 'SOLUSDT@depth5@100ms', 'nope', 'combined',
  'SUBSCRIBE', 'UNSUBSCRIBE', 'LIST_SUBSCRIPTIONS', 'SET_PROPERTY', 'GET_PROPERTY', '\u0000', '\ud83d\ude00', '__proto__',
];

function value(r: () => number, depth: number): unknown {
  const pick = r();
  if (depth > 3 || pick < 0.5) return ATOMS[Math.floor(r() * ATOMS.length)];
  if (pick < 0.75) return Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1));
  const keys = ['method', 'params', 'id', 'x', '__proto__'];
  return Object.fromEntries(Array.from({ length: Math.floor(r() * 4) }, () => [keys[Math.floor(r() * keys.length)]!, value(r, depth + 1)]));
}

function request(r: () => number): string {
  const shape = r();
  if (shape < 0.1) return JSON.stringify(value(r, 0)).slice(0, Math.floor(r() * 30)); // truncated JSON
  if (shape < 0.2) return JSON.stringify(value(r, 0));
  const req: Record<string, unknown> = { method: value(r, 2), id: value(r, 3) };
  if (r() < 0.8) req.params = r() < 0.7 ? Array.from({ length: Math.floor(r() * 3) }, () => value(r, 2)) : value(r, 2);
  return JSON.stringify(req);
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('bad input', () => {
  it('parseControl answers 2,000 random requests without throwing, with wire codes only', () => {
    const r = rng(42);
    const codes = new Set<number>();
    let accepted = 0;
    for (let i = 0; i < 2000; i++) {
      const parsed = parseControl(request(r), SYMBOL_SET);
      if (parsed.ok) accepted++;
      else codes.add(parsed.error.code);
    }
    expect(accepted).toBeGreaterThan(0);
    expect([...codes].every((c) => [0, 1, 2, 3].includes(c))).toBe(true);
    expect(codes.has(2) && codes.has(3)).toBe(true);
  });

  it('gets exactly one reply per random request over a live connection, which stays open', async () => {
    const s = (server = await startGateway({ maxMessagesPerSec: 100_000, maxStreams: 10 }));
    const c = await openClient(s.url('/ws'));
    const r = rng(7);
    const n = 300;
    for (let i = 0; i < n; i++) c.ws.send(request(r));
    c.send({ method: 'LIST_SUBSCRIPTIONS', id: 'last' });
    for (let i = 0; i < n; i++) {
      const reply = await c.next();
      expect('result' in reply || 'error' in reply).toBe(true);
    }
    expect(await c.next()).toMatchObject({ id: 'last' });
    await c.close();
  });
});
