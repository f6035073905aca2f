// The order book on its own: sorted sides, one update id per change, diffs per cadence.
import { describe, expect, it } from 'vitest';
import { ASK, BID, createBook } from '../../server/market/book.ts';

describe('order book', () => {
  it('keeps each side best first and takes one update id per real change', () => {
    const book = createBook();
    book.set(BID, 100, 5);
    book.set(BID, 102, 1);
    book.set(BID, 101, 3);
    book.set(ASK, 105, 2);
    book.set(ASK, 103, 4);
    expect(book.updateId).toBe(5);
    expect([0, 1, 2].map((i) => book.priceAt(BID, i))).toEqual([102, 101, 100]);
    expect([0, 1].map((i) => book.priceAt(ASK, i))).toEqual([103, 105]);
    expect(book.best(BID)).toBe(102);
    expect(book.bestQty(ASK)).toBe(4);
    book.set(BID, 101, 3); // same qty: no change, no id
    book.set(ASK, 104, 0); // removing an absent level: no change
    expect(book.updateId).toBe(5);
    book.set(BID, 102, 0);
    expect(book.best(BID)).toBe(101);
    expect(book.levelCount(BID)).toBe(2);
    expect(book.qtyAtPrice(BID, 102)).toBe(0);
    expect(book.updateId).toBe(6);
  });

  it('refuses fractional or negative prices and sizes', () => {
    const book = createBook();
    expect(() => book.set(BID, 100.5, 1)).toThrow(RangeError);
    expect(() => book.set(ASK, 100, -1)).toThrow(RangeError);
    expect(() => book.set(ASK, 0, 1)).toThrow(RangeError);
    expect(book.updateId).toBe(0);
  });

  it('reports, per cadence, the levels changed since its last diff with their new absolute qty', () => {
    const book = createBook();
    book.set(BID, 100, 5); // before tracking: not in any diff
    book.trackDiffs(true);
    expect(book.takeDiff(100)).toBeUndefined();
    book.set(BID, 100, 7);
    book.set(ASK, 110, 1);
    book.set(ASK, 109, 2);
    const fast = book.takeDiff(100)!;
    expect(fast).toEqual({ firstUpdateId: 2, lastUpdateId: 4, bids: [[100, 7]], asks: [[109, 2], [110, 1]] });
    book.set(ASK, 110, 0);
    expect(book.takeDiff(100)).toEqual({ firstUpdateId: 5, lastUpdateId: 5, bids: [], asks: [[110, 0]] });
    expect(book.takeDiff(100)).toBeUndefined();
    // The slow cadence saw all of it, folded into one diff.
    expect(book.takeDiff(1000)).toEqual({ firstUpdateId: 2, lastUpdateId: 5, bids: [[100, 7]], asks: [[109, 2], [110, 0]] });
  });
});
