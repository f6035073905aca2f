// The rate knob: mean taker orders per second, with bursts, as configured.
import { describe, expect, it } from 'vitest';
import { testMarket } from './harness.ts';

/** Taker orders = batches that carry trades; counted per second. */
function takerOrdersPerSec(tradesPerSec: number, seconds: number): { rate: number; dispersion: number } {
  const m = testMarket({ seed: 3, symbols: [{ symbol: 'ETHUSDT', tradesPerSec }] });
  const perSecond = new Array<number>(seconds).fill(0);
  const t0 = m.clock.nowUs();
  m.run(seconds * 1_000_000, 100_000, ({ batch }) => {
    const first = batch[0];
    if (first?.type !== 'trade') return;
    const s = Math.floor((first.timeUs - t0 - 1) / 1_000_000);
    perSecond[s] = (perSecond[s] ?? 0) + 1;
  });
  const mean = perSecond.reduce((a, b) => a + b, 0) / seconds;
  const variance = perSecond.reduce((a, b) => a + (b - mean) ** 2, 0) / seconds;
  return { rate: mean, dispersion: variance / mean };
}

describe('taker order rate', () => {
  for (const [rate, seconds] of [[2, 600], [20, 200], [400, 20]] as const) {
    it(`runs about ${rate} taker orders per second when configured so`, () => {
      const seen = takerOrdersPerSec(rate, seconds);
      expect(seen.rate).toBeGreaterThan(rate * 0.75);
      expect(seen.rate).toBeLessThan(rate * 1.25);
    });
  }

  it('comes in bursts: counts per second vary well beyond a Poisson stream (variance/mean = 1)', () => {
    expect(takerOrdersPerSec(20, 300).dispersion).toBeGreaterThan(1.6);
  });
});
