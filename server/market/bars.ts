// A bounded, contiguous series of fixed-length OHLCV bars in integer ticks and lots (columnar ring).
// Every interval has a bar, empty ones included (o=h=l=c=previous close, count 0), so bar i opens
// at openTime(0) + i × duration. The simulator keeps 1 s, 1 m and 1 h series; klines are built from them.

/** One bar's worth of trades, or a whole bar when history is generated. */
export interface BarDelta {
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  /** Base volume, lots. */
  readonly volume: number;
  /** Quote volume in tick × lot units. */
  readonly quote: number;
  readonly count: number;
  /** Trade id of the first trade (ids of one bar are contiguous). */
  readonly firstId: number;
  readonly takerBase: number;
  readonly takerQuote: number;
}

export interface BarSeries {
  readonly durUs: number;
  readonly capacity: number;
  /** Number of bars held (oldest dropped beyond capacity). */
  readonly length: number;
  openTime(i: number): number;
  open(i: number): number;
  high(i: number): number;
  low(i: number): number;
  close(i: number): number;
  volume(i: number): number;
  quote(i: number): number;
  count(i: number): number;
  firstId(i: number): number;
  takerBase(i: number): number;
  takerQuote(i: number): number;
  /** Start the series with an empty bar opening at `openUs` (a multiple of durUs) at price `close`. */
  start(openUs: number, close: number): void;
  /** Append empty bars until the last bar contains `timeUs`. */
  rollTo(timeUs: number): void;
  /** Roll to `timeUs`, then merge trades happening in that bar. */
  absorb(timeUs: number, d: BarDelta): void;
  /** Same as absorb for one trade, without allocating. */
  trade(timeUs: number, price: number, lots: number, quote: number, id: number, takerBuy: boolean): void;
  /** Bars [from, length) as plain numbers (snapshots): the open time of bar `from` and one array per column. */
  dump(from?: number): BarDump;
  /** Append bars from a dump; the first must open right after the last held bar (or the series be empty). */
  load(d: BarDump): void;
}

/** Consecutive bars as plain data: `cols` holds open, high, low, close, volume, quote, count, firstId, takerBase, takerQuote. */
export interface BarDump {
  readonly openUs: number;
  readonly cols: readonly (readonly number[])[];
}

const COLS = 11;

export function createBarSeries(durUs: number, capacity: number): BarSeries {
  // Columns: 0 t, 1 o, 2 h, 3 l, 4 c, 5 v, 6 q, 7 n, 8 f, 9 vb, 10 qb.
  const col: Float64Array[] = Array.from({ length: COLS }, () => new Float64Array(capacity));
  const [T, O, H, L, C, V, Q, N, F, VB, QB] = col as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  let head = 0; // physical index of bar 0
  let length = 0;
  const at = (i: number) => {
    if (i < 0 || i >= length) throw new RangeError(`bars: index ${i} outside 0..${length - 1}`);
    const p = head + i;
    return p >= capacity ? p - capacity : p;
  };
  const last = () => at(length - 1);

  function push(openUs: number, close: number): void {
    let p: number;
    if (length < capacity) {
      p = head + length;
      if (p >= capacity) p -= capacity;
      length++;
    } else {
      p = head;
      head = head + 1 === capacity ? 0 : head + 1;
    }
    T[p] = openUs;
    O[p] = H[p] = L[p] = C[p] = close;
    V[p] = Q[p] = N[p] = VB[p] = QB[p] = 0;
    F[p] = -1;
  }

  function rollTo(timeUs: number): void {
    if (length === 0) throw new Error('bars: rollTo before start');
    let p = last();
    while (timeUs >= T[p]! + durUs) {
      push(T[p]! + durUs, C[p]!);
      p = last();
    }
  }

  return {
    durUs,
    capacity,
    get length() {
      return length;
    },
    openTime: (i) => T[at(i)]!,
    open: (i) => O[at(i)]!,
    high: (i) => H[at(i)]!,
    low: (i) => L[at(i)]!,
    close: (i) => C[at(i)]!,
    volume: (i) => V[at(i)]!,
    quote: (i) => Q[at(i)]!,
    count: (i) => N[at(i)]!,
    firstId: (i) => F[at(i)]!,
    takerBase: (i) => VB[at(i)]!,
    takerQuote: (i) => QB[at(i)]!,
    start(openUs, close) {
      if (openUs % durUs !== 0) throw new RangeError(`bars: start ${openUs} is not a multiple of ${durUs}`);
      head = 0;
      length = 0;
      push(openUs, close);
    },
    rollTo,
    absorb(timeUs, d) {
      rollTo(timeUs);
      if (d.count === 0) return;
      const p = last();
      if (N[p] === 0) {
        O[p] = d.open;
        H[p] = d.high;
        L[p] = d.low;
        F[p] = d.firstId;
      } else {
        if (d.high > H[p]!) H[p] = d.high;
        if (d.low < L[p]!) L[p] = d.low;
      }
      C[p] = d.close;
      V[p] = V[p]! + d.volume;
      Q[p] = Q[p]! + d.quote;
      N[p] = N[p]! + d.count;
      VB[p] = VB[p]! + d.takerBase;
      QB[p] = QB[p]! + d.takerQuote;
    },
    dump(from = 0) {
      const n = Math.max(0, length - from);
      const cols = col.slice(1).map((c) => {
        const out = new Array<number>(n);
        for (let i = 0; i < n; i++) out[i] = c[at(from + i)]!;
        return out;
      });
      return { openUs: n === 0 ? NaN : T[at(from)]!, cols };
    },
    load(d) {
      const n = d.cols[0]?.length ?? 0;
      if (d.cols.length !== COLS - 1 || d.cols.some((c) => c.length !== n)) throw new RangeError(`bars: a dump needs ${COLS - 1} columns of equal length`);
      if (n === 0) return;
      if (d.openUs % durUs !== 0) throw new RangeError(`bars: dump opens at ${d.openUs}, not a multiple of ${durUs}`);
      if (length > 0 && d.openUs !== T[last()]! + durUs) throw new RangeError(`bars: dump opens at ${d.openUs}, not right after the last bar`);
      for (let i = 0; i < n; i++) {
        push(d.openUs + i * durUs, 0);
        const p = last();
        for (let c = 1; c < COLS; c++) col[c]![p] = d.cols[c - 1]![i]!;
      }
    },
    trade(timeUs, price, lots, quote, id, takerBuy) {
      let p = last();
      if (timeUs >= T[p]! + durUs) {
        rollTo(timeUs);
        p = last();
      }
      if (N[p] === 0) {
        O[p] = H[p] = L[p] = price;
        F[p] = id;
      } else if (price > H[p]!) H[p] = price;
      else if (price < L[p]!) L[p] = price;
      C[p] = price;
      V[p] = V[p]! + lots;
      Q[p] = Q[p]! + quote;
      N[p] = N[p]! + 1;
      if (takerBuy) {
        VB[p] = VB[p]! + lots;
        QB[p] = QB[p]! + quote;
      }
    },
  };
}
