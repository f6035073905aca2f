// Rolling-window statistics folded from 1m klines: exact decimal sums, extremes, ids and percentages.
import { describe, expect, it } from 'vitest';
import { foldKlines } from '../../server/market/rolling.ts';
import type { Kline } from '../../server/market/types.ts';
import { kline } from '../wire/fixtures.ts';

const minute = 60_000_000;
function k(i: number, o: string, h: string, l: string, c: string, v: string, q: string, trades: number, ids: [number, number]): Kline {
  return {
    ...kline('1m'), openTimeUs: kline('1m').openTimeUs + i * minute, closeTimeUs: kline('1m').openTimeUs + (i + 1) * minute - 1000,
    open: o, high: h, low: l, close: c, volume: v, quoteVolume: q, trades, firstTradeId: ids[0], lastTradeId: ids[1],
  };
}

describe('foldKlines', () => {
  const klines = [
    k(0, '100.00000000', '101.00000000', '99.50000000', '100.50000000', '0.10000000', '10.05000000', 2, [10, 11]),
    k(1, '100.50000000', '100.50000000', '100.50000000', '100.50000000', '0.00000000', '0.00000000', 0, [-1, -1]),
    k(2, '100.50000000', '102.25000000', '100.00000000', '102.00000000', '0.20000000', '20.30000000', 3, [12, 14]),
  ];
  const closeTimeUs = klines[2]!.closeTimeUs;

  it('sums volumes exactly and takes the extremes, the first open and the last close', () => {
    expect(foldKlines(klines, 8, closeTimeUs)).toEqual({
      symbol: 'SOLUSDT', open: '100.00000000', last: '102.00000000', high: '102.25000000', low: '99.50000000',
      volume: '0.30000000', quoteVolume: '30.35000000', weightedAvgPrice: '101.16666666',
      priceChange: '2.00000000', priceChangePercent: '2.000',
      openTimeUs: klines[0]!.openTimeUs, closeTimeUs, firstId: 10, lastId: 14, count: 5,
    });
  });

  it('reports a falling window with negative change and a window without trades with ids of -1', () => {
    const falling = [k(0, '100.00000000', '100.00000000', '98.00000000', '98.76500000', '1.00000000', '99.00000000', 1, [5, 5])];
    expect(foldKlines(falling, 8, 0)).toMatchObject({ priceChange: '-1.23500000', priceChangePercent: '-1.235' });
    const quiet = [klines[1]!];
    expect(foldKlines(quiet, 8, 0)).toMatchObject({ firstId: -1, lastId: -1, count: 0, weightedAvgPrice: '0.00000000', volume: '0.00000000' });
    expect(foldKlines([], 8, 0)).toBeUndefined();
  });
});
