// The seeded random source: reproducible, and its distributions have the moments they claim.
import { describe, expect, it } from 'vitest';
import { createRandom, hashString } from '../../server/market/random.ts';

const draw = (n: number, f: () => number) => Array.from({ length: n }, f);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: number[]) => {
  const m = mean(xs);
  return xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length;
};

describe('random source', () => {
  it('repeats its sequence for the same seed and stream, and differs across seeds and streams', () => {
    const seq = (seed: number, stream: number) => draw(20, createRandom(seed, stream).next);
    expect(seq(1, 0)).toEqual(seq(1, 0));
    expect(seq(1, 0)).not.toEqual(seq(2, 0));
    expect(seq(1, 0)).not.toEqual(seq(1, 1));
  });

  it('draws uniforms in [0, 1) and integers in [0, n)', () => {
    const r = createRandom(5);
    const us = draw(50_000, r.next);
    expect(Math.min(...us)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...us)).toBeLessThan(1);
    expect(mean(us)).toBeCloseTo(0.5, 2);
    const ints = draw(10_000, () => r.int(7));
    expect(new Set(ints)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6]));
  });

  it('draws normals, exponentials, Poisson counts and unit-mean log-normals with the right moments', () => {
    const r = createRandom(9);
    const n = draw(50_000, r.normal);
    expect(mean(n)).toBeCloseTo(0, 1);
    expect(variance(n)).toBeCloseTo(1, 1);
    expect(mean(draw(50_000, () => r.exponential(4)))).toBeCloseTo(0.25, 2);
    for (const m of [0.8, 12, 500]) {
      const p = draw(20_000, () => r.poisson(m));
      expect(Math.abs(mean(p) - m) / m).toBeLessThan(0.03);
      expect(Math.abs(variance(p) - m) / m).toBeLessThan(0.1);
      expect(p.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
    }
    expect(mean(draw(50_000, () => r.lognormal(0.8)))).toBeCloseTo(1, 1);
  });

  it('hashes names to stable 32-bit numbers', () => {
    expect(hashString('SOLUSDT')).toBe(hashString('SOLUSDT'));
    expect(hashString('SOLUSDT')).not.toBe(hashString('BTCUSDT'));
    expect(hashString('')).toBe(0x811c9dc5);
  });
});
