// A fixed-capacity ring of values, oldest dropped first: recent trades and aggregate trades.

export interface Ring<T> {
  readonly length: number;
  readonly capacity: number;
  push(value: T): void;
  /** i = 0 is the oldest held. */
  get(i: number): T;
  /** The newest `n` (or fewer), oldest first. */
  newest(n: number): T[];
  /** First index whose key is ≥ `key`, for keys that never decrease along the ring (length when none). */
  lowerBound(key: number, keyOf: (v: T) => number): number;
}

export function createRing<T>(capacity: number): Ring<T> {
  const items: T[] = [];
  let head = 0;
  const get = (i: number): T => {
    if (i < 0 || i >= items.length) throw new RangeError(`ring: index ${i} outside 0..${items.length - 1}`);
    const p = head + i;
    return items[p >= capacity ? p - capacity : p]!;
  };
  return {
    get length() {
      return items.length;
    },
    capacity,
    push(value) {
      if (items.length < capacity) items.push(value);
      else {
        items[head] = value;
        head = head + 1 === capacity ? 0 : head + 1;
      }
    },
    get,
    newest(n) {
      const from = Math.max(0, items.length - Math.max(0, n));
      const out: T[] = [];
      for (let i = from; i < items.length; i++) out.push(get(i));
      return out;
    },
    lowerBound(key, keyOf) {
      let lo = 0;
      let hi = items.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (keyOf(get(mid)) < key) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    },
  };
}
