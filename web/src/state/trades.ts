// Trade-id arithmetic: what a feed saw, what it missed, and how a REST backfill joins the live tail.
// Rows are aggregate trades: `a` is the aggregate id (+1 each), `f..l` the trade ids it covers.

export interface AggRow {
  /** Aggregate trade id. */
  readonly a: number;
  readonly p: string;
  readonly q: string;
  /** First and last trade id covered. */
  readonly f: number;
  readonly l: number;
  /** Trade time, epoch ms. */
  readonly T: number;
  /** Buyer was the maker (the taker sold). */
  readonly m: boolean;
}

export type Accepted =
  /** New trades: `trades` of them, after `missed` unseen ones. */
  | { readonly kind: 'new'; readonly trades: number; readonly missed: number }
  /** Seen already (an overlap between backfill and live): ignore it. */
  | { readonly kind: 'duplicate' };

/**
 * Counts trades by trade id. The first row sets the baseline (nothing before it counts as
 * missed); after that, a jump in trade ids is a miss, a row at or below the last id is a duplicate.
 */
export interface TradeSequence {
  accept(row: Pick<AggRow, 'a' | 'f' | 'l'>): Accepted;
  /**
   * Take `row` as the position without counting it: a trade that happened before this feed was
   * watching (the newest trade a first poll finds) says where to continue, not what was seen.
   * False when the row is not newer than the position (a duplicate).
   */
  place(row: Pick<AggRow, 'a' | 'f' | 'l'>): boolean;
  /** Last aggregate id accepted, or null before the first. */
  readonly lastAggId: number | null;
  readonly lastTradeId: number | null;
  readonly trades: number;
  readonly missed: number;
  /** Forget the position (new symbol, resumed after a pause, server restarted); totals stay. */
  rebase(): void;
}

export function createTradeSequence(): TradeSequence {
  let lastAggId: number | null = null;
  let lastTradeId: number | null = null;
  let trades = 0;
  let missed = 0;
  return {
    accept(row) {
      if (lastTradeId !== null && row.l <= lastTradeId) return { kind: 'duplicate' };
      const from = lastTradeId === null ? row.f : Math.max(row.f, lastTradeId + 1);
      const gap = lastTradeId === null ? 0 : Math.max(0, row.f - lastTradeId - 1);
      const n = row.l - from + 1;
      lastAggId = row.a;
      lastTradeId = row.l;
      trades += n;
      missed += gap;
      return { kind: 'new', trades: n, missed: gap };
    },
    place(row) {
      if (lastTradeId !== null && row.l <= lastTradeId) return false;
      lastAggId = row.a;
      lastTradeId = row.l;
      return true;
    },
    get lastAggId() {
      return lastAggId;
    },
    get lastTradeId() {
      return lastTradeId;
    },
    get trades() {
      return trades;
    },
    get missed() {
      return missed;
    },
    rebase() {
      lastAggId = lastTradeId = null;
    },
  };
}

export interface MergeResult {
  /** Rows to apply now, oldest first, each aggregate id once. */
  readonly apply: AggRow[];
  /** Aggregate id of the last row in `apply` (or the input lastId when it is empty). */
  readonly lastId: number;
  /** False: history before the live tail is still missing; fetch again from `lastId + 1`. */
  readonly done: boolean;
}

/**
 * Join one REST page (`aggTrades?fromId=lastId+1`) to the live rows buffered while it was in
 * flight. `pageFull`: the page came back with `limit` rows, so more history may follow it.
 * The page must have been requested after the live subscription was confirmed, so page ∪ live
 * covers every trade after `lastId`.
 */
export function mergeBackfill(lastId: number, page: readonly AggRow[], live: readonly AggRow[], pageFull: boolean): MergeResult {
  const apply: AggRow[] = [];
  let last = lastId;
  for (const row of [...page].sort((x, y) => x.a - y.a)) {
    if (row.a <= last) continue;
    apply.push(row);
    last = row.a;
  }
  const firstLive = live.find((r) => r.a > last);
  const reached = firstLive === undefined ? !pageFull : firstLive.a <= last + 1 || !pageFull;
  if (!reached) return { apply, lastId: last, done: false };
  for (const row of live) {
    if (row.a <= last) continue;
    apply.push(row);
    last = row.a;
  }
  return { apply, lastId: last, done: true };
}
