// The rate knob: mean taker orders per second, with bursts, as configured.
import { describe, expect, it } from 'vitest';
import { testMarket } from './harness.ts';

/** Taker orders = batches that carry trades. */
function takerOrdersPerSec(tradesPerSec: number, seconds: number): { rate: number; burstiest: number } {
  const m = testMarket({ seed: 3, symbols: [{ symbol: 'ETHUSDT', tradesPerSec }] });
  const perSecond = new Map<number, number>();
  m.run(seconds * 1_000_000, 100_000, ({ batch }) => {
    const first = batch[0];
    if (first?.type !== 'trade') return;
    const s = Math.floor(first.timeUs / 1_000_000);
    perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
  });
  let total = 0;
  for (const n of perSecond.values()) total += n;
  return { rate: total / seconds, burstiest: Math.max(...perSecond.values()) };
}

describe('taker order rate', () => {
  for (const [rate, seconds] of [[2, 600], [20, 200], [400, 20]] as const) {
    it(`runs about ${rate} taker orders per second when configured so`, () => {
      const seen = takerOrdersPerSec(rate, seconds);
      expect(seen.rate).toBeGreaterThan(rate * 0.75);
      expect(seen.rate).toBeLessThan(rate * 1.25);
    });
  }

  it('comes in bursts: the busiest second holds well over the mean', () => {
    const seen = takerOrdersPerSec(20, 200);
    expect(seen.burstiest).toBeGreaterThan(seen.rate * 2);
  });
});
