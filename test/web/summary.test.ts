import { describe, expect, it } from 'vitest';
import { decimalsOf, formatBytes, formatPct, formatPrice } from '../../web/src/state/format.ts';
import { chartScale } from '../../web/src/state/dashboard.ts';
import { ratio, summarize } from '../../web/src/state/summary.ts';

describe('summary strip', () => {
  it('says the comparison in one line from the live figures, bytes compared per trade seen', () => {
    const text = summarize({
      push: { trades: 1204, p50: 3, bytes: 120_400 },
      poll: { intervalMs: 1000, mode: 'latest', trades: 97, missed: 1107, p50: 480, bytes: 60_140 },
    });
    // push 100 B per trade, poll 620 B per trade
    expect(text).toBe('Push: 1,204 trades, p50 3.0 ms. Polling (latest price) every 1 s: saw 97 of them (1,107 missed), p50 480 ms old, 6.2× the bytes per trade seen.');
  });

  it('shows dashes before there is anything to compare', () => {
    const text = summarize({
      push: { trades: 0, p50: null, bytes: 0 },
      poll: { intervalMs: 250, mode: 'every', trades: 0, missed: 0, p50: null, bytes: 0 },
    });
    expect(text).toBe('Push: 0 trades, p50 —. Polling (every trade) every 250 ms: saw 0 of them (0 missed), p50 — old, — the bytes per trade seen.');
  });

  it('keeps two digits for small ratios and none for large ones', () => {
    expect(ratio(5, 100)).toBe('0.05×');
    expect(ratio(31, 10)).toBe('3.1×');
    expect(ratio(250, 10)).toBe('25×');
  });
});

describe('formatting', () => {
  it('shows prices at the tick size of the symbol', () => {
    expect(decimalsOf('0.01000000')).toBe(2);
    expect(decimalsOf('1.00000000')).toBe(0);
    expect(decimalsOf('0.00010000')).toBe(4);
    expect(formatPrice('142.35000000', 2)).toBe('142.35');
    expect(formatPrice(null, 2)).toBe('—');
    expect(formatPrice('abc', 2)).toBe('—');
  });

  it('signs percentages and scales bytes', () => {
    expect(formatPct(1.234)).toBe('+1.23%');
    expect(formatPct(-0.5)).toBe('−0.50%');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(2048)).toBe('2.0 KB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.00 MB');
  });
});

describe('shared chart scale', () => {
  it('covers both panels’ prices and stays put while they move inside its grid', () => {
    const a = chartScale(1000.01, 140.21, 140.36, 60);
    expect(a.xMax).toBe(1000.1);
    expect(a.xMin).toBeCloseTo(940.1, 9);
    expect(a.yMin).toBeLessThanOrEqual(140.21);
    expect(a.yMax).toBeGreaterThanOrEqual(140.36);
    const b = chartScale(1000.04, 140.22, 140.35, 60);
    expect(b).toEqual(a);
    const flat = chartScale(5, 94000, 94000, 60);
    expect(flat.yMin).toBeLessThan(94000);
    expect(flat.yMax).toBeGreaterThan(94000);
  });
});
