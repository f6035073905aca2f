// A price-level order book in integer ticks and lots, with one update-id sequence and diff tracking
// for the two depth-stream cadences. Pure data structure: no randomness, no formatting.
import type { DepthSpeed } from './types.ts';

export const BID = 0;
export const ASK = 1;
export type Side = typeof BID | typeof ASK;

/** Levels that changed since the last diff of one cadence, with the update ids they span. */
export interface BookDiff {
  readonly firstUpdateId: number;
  readonly lastUpdateId: number;
  /** [price ticks, new qty lots] (0 = removed), best first. */
  readonly bids: readonly (readonly [number, number])[];
  readonly asks: readonly (readonly [number, number])[];
}

interface SideLevels {
  // key = price for bids, −price for asks: ascending, so the best level is always the last one.
  readonly keys: number[];
  readonly qty: number[];
}

interface DiffTracker {
  lastEmitted: number;
  readonly touched: [Set<number>, Set<number>];
}

export interface Book {
  /** The last update id used; every level change takes the next one. */
  readonly updateId: number;
  levelCount(side: Side): number;
  /** Best price in ticks (NaN when the side is empty) and its qty. */
  best(side: Side): number;
  bestQty(side: Side): number;
  /** Price and qty of the i-th level from the best (0 = best). */
  priceAt(side: Side, i: number): number;
  qtyAt(side: Side, i: number): number;
  /** Qty resting at a price (0 when absent). */
  qtyAtPrice(side: Side, price: number): number;
  /** Set the absolute qty at a price (0 removes). Takes one update id when something changes. */
  set(side: Side, price: number, qty: number): void;
  /** Levels changed since the previous call for this speed; undefined when no id was used since. */
  takeDiff(speed: DepthSpeed): BookDiff | undefined;
  /**
   * Start (true) or stop (false) recording changed levels for diffs; either way the next diff
   * starts after the current update id. Off by default, so a book being warmed up records nothing.
   */
  trackDiffs(on: boolean): void;
  /**
   * Move the update-id sequence on to `updateId` (≥ the current one) without a level change: a
   * replica follows the market's sequence, and a resumed market skips ids a dead one may have shown.
   */
  skipTo(updateId: number): void;
  /**
   * Resume diff tracking where a previous market left it: each cadence's next diff starts after
   * `lastEmitted[speed]`, and already counts the prices in `touched[speed]` ([bids, asks]) as changed.
   */
  resumeDiffs(lastEmitted: Readonly<Record<DepthSpeed, number>>, touched: Readonly<Record<DepthSpeed, readonly [readonly number[], readonly number[]]>>): void;
}

export function createBook(): Book {
  const sides: [SideLevels, SideLevels] = [{ keys: [], qty: [] }, { keys: [], qty: [] }];
  const sign = (side: Side) => (side === BID ? 1 : -1);
  const trackers: Record<DepthSpeed, DiffTracker> = {
    100: { lastEmitted: 0, touched: [new Set(), new Set()] },
    1000: { lastEmitted: 0, touched: [new Set(), new Set()] },
  };
  let updateId = 0;
  let tracking = false;

  /** Index of key, or −(insertion point) − 1. */
  function search(keys: number[], key: number): number {
    let lo = 0;
    let hi = keys.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = keys[mid]!;
      if (k < key) lo = mid + 1;
      else if (k > key) hi = mid - 1;
      else return mid;
    }
    return -lo - 1;
  }

  function diff(t: DiffTracker): BookDiff | undefined {
    if (updateId === t.lastEmitted) return undefined;
    const levels = (side: Side) => {
      const prices = [...t.touched[side]].sort(side === BID ? (a, b) => b - a : (a, b) => a - b);
      t.touched[side].clear();
      return prices.map((p) => [p, book.qtyAtPrice(side, p)] as const);
    };
    const out: BookDiff = { firstUpdateId: t.lastEmitted + 1, lastUpdateId: updateId, bids: levels(BID), asks: levels(ASK) };
    t.lastEmitted = updateId;
    return out;
  }

  const book: Book = {
    get updateId() {
      return updateId;
    },
    levelCount: (side) => sides[side].keys.length,
    best(side) {
      const s = sides[side];
      return s.keys.length === 0 ? NaN : s.keys[s.keys.length - 1]! * sign(side);
    },
    bestQty(side) {
      const s = sides[side];
      return s.qty.length === 0 ? 0 : s.qty[s.qty.length - 1]!;
    },
    priceAt(side, i) {
      const s = sides[side];
      const k = s.keys[s.keys.length - 1 - i];
      return k === undefined ? NaN : k * sign(side);
    },
    qtyAt(side, i) {
      const s = sides[side];
      return s.qty[s.qty.length - 1 - i] ?? 0;
    },
    qtyAtPrice(side, price) {
      const s = sides[side];
      const i = search(s.keys, price * sign(side));
      return i >= 0 ? s.qty[i]! : 0;
    },
    set(side, price, qty) {
      if (!Number.isSafeInteger(price) || price <= 0 || !Number.isSafeInteger(qty) || qty < 0) {
        throw new RangeError(`book.set: price ${price} and qty ${qty} must be integers, price > 0, qty ≥ 0`);
      }
      const s = sides[side];
      const key = price * sign(side);
      const i = search(s.keys, key);
      if (i >= 0) {
        if (s.qty[i] === qty) return;
        if (qty === 0) {
          s.keys.splice(i, 1);
          s.qty.splice(i, 1);
        } else s.qty[i] = qty;
      } else {
        if (qty === 0) return;
        const at = -i - 1;
        s.keys.splice(at, 0, key);
        s.qty.splice(at, 0, qty);
      }
      updateId++;
      if (tracking) {
        trackers[100].touched[side].add(price);
        trackers[1000].touched[side].add(price);
      }
    },
    takeDiff: (speed) => diff(trackers[speed]),
    skipTo(id) {
      if (!Number.isSafeInteger(id) || id < updateId) throw new RangeError(`book.skipTo: ${id} is before the current update id ${updateId}`);
      updateId = id;
    },
    resumeDiffs(lastEmitted, touched) {
      tracking = true;
      for (const speed of [100, 1000] as const) {
        const t = trackers[speed];
        t.lastEmitted = lastEmitted[speed];
        for (const side of [BID, ASK] as const) {
          t.touched[side].clear();
          for (const p of touched[speed][side]) t.touched[side].add(p);
        }
      }
    },
    trackDiffs(on) {
      tracking = on;
      for (const t of Object.values(trackers)) {
        t.lastEmitted = updateId;
        t.touched[0].clear();
        t.touched[1].clear();
      }
    },
  };
  return book;
}
