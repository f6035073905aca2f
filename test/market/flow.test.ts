// The fair price and the arrival process, on their own: volatility as configured, clustered; bursty arrivals.
import { describe, expect, it } from 'vitest';
import { createFairPrice, createHawkes } from '../../server/market/flow.ts';
import { createRandom } from '../../server/market/random.ts';

const S = 1_000_000;

describe('fair price', () => {
  const dailyVol = 0.04;
  const returns: number[] = [];
  const fair = createFairPrice(createRandom(21), dailyVol, 14_000, 0);
  let prev = Math.log(fair.at(0));
  for (let s = 1; s <= 40_000; s++) {
    fair.second(s * S);
    const x = Math.log(fair.at(s * S));
    returns.push(x - prev);
    prev = x;
  }

  it('moves with the configured daily volatility', () => {
    const perSecond = Math.sqrt(returns.reduce((a, r) => a + r * r, 0) / returns.length);
    const daily = perSecond * Math.sqrt(86_400);
    expect(daily).toBeGreaterThan(dailyVol * 0.7);
    expect(daily).toBeLessThan(dailyVol * 1.4);
  });

  it('clusters volatility: large moves follow large moves', () => {
    const abs = returns.map(Math.abs);
    const mean = abs.reduce((a, b) => a + b, 0) / abs.length;
    let num = 0;
    let den = 0;
    for (let i = 0; i < abs.length; i++) {
      den += (abs[i]! - mean) ** 2;
      if (i > 0) num += (abs[i]! - mean) * (abs[i - 1]! - mean);
    }
    expect(num / den).toBeGreaterThan(0.03);
  });
});

describe('taker arrivals', () => {
  it('arrive at the configured mean rate, strictly later each time', () => {
    const arrivals = createHawkes(createRandom(4), 50);
    let t = 0;
    let n = 0;
    while (t < 400 * S) {
      const next = arrivals.next(t, n > 0);
      expect(next).toBeGreaterThan(t);
      t = next;
      n++;
    }
    expect(n / 400).toBeGreaterThan(40);
    expect(n / 400).toBeLessThan(60);
  });
});
