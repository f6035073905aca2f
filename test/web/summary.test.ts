import { describe, expect, it } from 'vitest';
import { decimalsOf, formatBytes, formatPct, formatPrice } from '../../web/src/state/format.ts';
import { chartScale } from '../../web/src/state/dashboard.ts';
import { ratio, summarize, versus } from '../../web/src/state/summary.ts';

describe('summary strip', () => {
  it('compares bytes like for like: per trade seen, trade messages against trade requests only', () => {
    const text = summarize({
      // push: 1.2 MB in all, of which 120,400 B were aggTrade messages: 100 B per trade
      push: { trades: 1204, missed: 0, p50: 3, p99: 9, bytes: 1_200_000, tradeBytes: 120_400 },
      // poll: 60,140 B in all, of which 60,140 − 20,000 were aggTrades responses: 413 B per trade
      poll: { intervalMs: 1000, mode: 'latest', trades: 97, missed: 1107, p50: 480, p99: 990, bytes: 60_140, tradeBytes: 40_140 },
    });
    expect(text).toBe(
      'Push: 1,204 trades, p50 3.0 ms. Polling (latest price) every 1 s: saw 97 of them (1,107 missed), p50 480 ms old. ' +
        'Bytes per trade seen, trade messages vs trade requests only: push 100 B, polling 414 B (4.1×). ' +
        'All bytes in: push 1.14 MB (trades, top of book, 24 h ticker, 1 s klines, 10-level book), polling 58.7 KB (trades, top of book, 24 h change).',
    );
    // Dividing the totals instead would have said polling costs about half of push per trade.
    expect(ratio(60_140 / 97, 1_200_000 / 1204)).toBe('0.6×');
  });

  it('names the chosen transports and keeps bytes per trade like for like', () => {
    const side = { trades: 100, missed: 0, p50: 5, p99: 9, bytes: 50_000, tradeBytes: 14_000 };
    const longPoll = summarize({
      push: { ...side, transport: 'sse' },
      poll: { ...side, tradeBytes: 15_000, bytes: 15_000, intervalMs: 1000, mode: 'latest', transport: 'long-poll' },
    });
    expect(longPoll).toMatch(/^Push \(Server-Sent Events\): 100 trades, p50 5\.0 ms\. Long-polling \(every trade, one request held until trades come\): saw 100 of them \(0 missed\)/);
    expect(longPoll).toContain('push 140 B, polling 150 B (1.1×)');
    expect(longPoll).toMatch(/polling 14\.6 KB \(trades\)\.$/);
    const wsApi = summarize({ push: side, poll: { ...side, intervalMs: 500, mode: 'every', transport: 'ws-api' } });
    expect(wsApi).toMatch(/^Push: 100 trades.* WebSocket API requests \(every trade\) every 500 ms: saw 100/);
  });

  it('shows dashes before there is anything to compare', () => {
    const zero = { trades: 0, missed: 0, p50: null, p99: null, bytes: 0, tradeBytes: 0 };
    const text = summarize({ push: zero, poll: { ...zero, intervalMs: 250, mode: 'every' } });
    expect(text).toBe(
      'Push: 0 trades, p50 —. Polling (every trade) every 250 ms: saw 0 of them (0 missed), p50 — old. ' +
        'Bytes per trade seen, trade messages vs trade requests only: push —, polling — (—). ' +
        'All bytes in: push 0 B (trades, top of book, 24 h ticker, 1 s klines, 10-level book), polling 0 B (trades, top of book, 24 h change).',
    );
  });

  it('lays the deciding figures out side by side, each with what it means', () => {
    const rows = versus({
      push: { trades: 50, missed: 0, p50: 2.5, p99: 12, bytes: 99_999, tradeBytes: 5000 },
      poll: { intervalMs: 1000, mode: 'every', trades: 48, missed: 2, p50: 510, p99: 1010, bytes: 30_000, tradeBytes: 24_000 },
    });
    expect(rows.map((r) => [r.label, r.push, r.poll])).toEqual([
      ['trades seen', '50', '48'],
      ['missed', '0', '2'],
      ['latency p50', '2.5 ms', '510 ms'],
      ['latency p99', '12 ms', '1010 ms'],
      ['bytes / trade', '100 B', '500 B'],
    ]);
    for (const r of rows) expect(r.tip.length).toBeGreaterThan(20);
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
