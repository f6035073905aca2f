// A symbol's state as plain JSON data and back: what a fleet's market writes to Redis and a gateway
// (or a restarted market) restores from. Integers stay integers (ticks, lots); strings of trades stay
// as they were sent. The 1 h bars before `h1From` may travel apart (closed history changes never).
import type { AggTrade, BookTicker, Trade } from './types.ts';
import { symbolModel } from './specs.ts';
import { ASK, BID } from './book.ts';
import type { BarDump } from './bars.ts';
import { createState, type SymbolState } from './state.ts';

export interface StateSnapshot {
  readonly symbol: string;
  readonly timeUs: number;
  readonly nextTradeId: number;
  readonly nextAggId: number;
  /** [price ticks or null before the first trade, lots, timeUs]. */
  readonly last: readonly [number | null, number, number];
  readonly top: BookTicker | null;
  /** [updateId, [[price ticks, lots]…] bids best first, asks best first]. */
  readonly book: readonly [number, readonly (readonly [number, number])[], readonly (readonly [number, number])[]];
  readonly diffU: readonly [number, number];
  readonly touched1000: readonly [readonly number[], readonly number[]];
  /** [id, price, qty, quoteQty, timeUs, buyerMaker 0|1, emittedUs?], oldest first. */
  readonly trades: readonly (readonly [number, string, string, string, number, number, number?])[];
  /** [id, price, qty, firstTradeId, lastTradeId, timeUs, buyerMaker 0|1, emittedUs?], oldest first. */
  readonly aggTrades: readonly (readonly [number, string, string, number, number, number, number, number?])[];
  readonly h1Capacity: number;
  readonly s1: BarDump;
  readonly m1: BarDump;
  /** The 1 h bars from index `h1From` of the series (all of them when 0). */
  readonly h1: BarDump;
}

/** The 1 h bars before `fromOpenUs` (closed history), to be stored once and joined on restore. */
export function historyOf(state: SymbolState, fromOpenUs: number): BarDump {
  const h1 = state.sources.h1;
  const n = Math.max(0, Math.min(h1.length, Math.ceil((fromOpenUs - h1.openTime(0)) / h1.durUs)));
  const all = h1.dump(0);
  return { openUs: all.openUs, cols: all.cols.map((c) => c.slice(0, n)) };
}

/**
 * The state as data. With `h1FromOpenUs`, only the 1 h bars opening at or after it are included
 * (the rest is stored apart, see historyOf); they must then be given back to restoreState.
 */
export function snapshotOf(state: SymbolState, h1FromOpenUs?: number): StateSnapshot {
  const { s1, m1, h1 } = state.sources;
  const h1From = h1FromOpenUs === undefined ? 0 : Math.max(0, Math.min(h1.length, Math.ceil((h1FromOpenUs - h1.openTime(0)) / h1.durUs)));
  const levels = (side: typeof BID | typeof ASK) => {
    const out: [number, number][] = [];
    for (let i = 0; i < state.book.levelCount(side); i++) out.push([state.book.priceAt(side, i), state.book.qtyAt(side, i)]);
    return out;
  };
  const trades: StateSnapshot['trades'][number][] = [];
  for (let i = 0; i < state.trades.length; i++) {
    const t = state.trades.get(i);
    const row = [t.id, t.price, t.qty, t.quoteQty, t.timeUs, t.buyerMaker ? 1 : 0] as const;
    trades.push(t.emittedUs === undefined ? row : [...row, t.emittedUs]);
  }
  const aggTrades: StateSnapshot['aggTrades'][number][] = [];
  for (let i = 0; i < state.aggTrades.length; i++) {
    const a = state.aggTrades.get(i);
    const row = [a.id, a.price, a.qty, a.firstTradeId, a.lastTradeId, a.timeUs, a.buyerMaker ? 1 : 0] as const;
    aggTrades.push(a.emittedUs === undefined ? row : [...row, a.emittedUs]);
  }
  return {
    symbol: state.model.spec.symbol,
    timeUs: state.timeUs,
    nextTradeId: state.nextTradeId,
    nextAggId: state.nextAggId,
    last: [Number.isNaN(state.last.price) ? null : state.last.price, state.last.lots, state.last.timeUs],
    top: state.top ?? null,
    book: [state.book.updateId, levels(BID), levels(ASK)],
    diffU: [state.diffU[100], state.diffU[1000]],
    touched1000: [[...state.touched1000[BID]], [...state.touched1000[ASK]]],
    trades,
    aggTrades,
    h1Capacity: h1.capacity,
    s1: s1.dump(),
    m1: m1.dump(),
    h1: h1.dump(h1From),
  };
}

/** A state from its snapshot (and the closed 1 h history stored apart, when the snapshot left it out). Throws on inconsistent data. */
export function restoreState(snap: StateSnapshot, history?: BarDump): SymbolState {
  const model = symbolModel(snap.symbol);
  const state = createState(model, 0, snap.timeUs, snap.h1Capacity);
  const { s1, m1, h1 } = state.sources;
  s1.load(snap.s1);
  m1.load(snap.m1);
  if (history && (history.cols[0]?.length ?? 0) > 0) {
    // Closed history up to where the snapshot's own 1 h bars start (it may reach further: those are equal).
    const need = Math.max(0, Math.round((snap.h1.openUs - history.openUs) / h1.durUs));
    if (!Number.isNaN(snap.h1.openUs) && need > 0) h1.load({ openUs: history.openUs, cols: history.cols.map((c) => c.slice(0, need)) });
  }
  h1.load(snap.h1);
  const [updateId, bids, asks] = snap.book;
  for (const [p, q] of bids) state.book.set(BID, p, q);
  for (const [p, q] of asks) state.book.set(ASK, p, q);
  state.book.skipTo(updateId);
  // A snapshot written before trades carried their emission time has 6 and 7 columns.
  for (const [id, price, qty, quoteQty, timeUs, bm, emittedUs] of snap.trades) {
    const t: Trade = { symbol: snap.symbol, id, price, qty, quoteQty, timeUs, buyerMaker: bm === 1 };
    state.trades.push(emittedUs === undefined ? t : { ...t, emittedUs });
  }
  for (const [id, price, qty, firstTradeId, lastTradeId, timeUs, bm, emittedUs] of snap.aggTrades) {
    const a: AggTrade = { symbol: snap.symbol, id, price, qty, firstTradeId, lastTradeId, timeUs, buyerMaker: bm === 1 };
    state.aggTrades.push(emittedUs === undefined ? a : { ...a, emittedUs });
  }
  state.top = snap.top ?? undefined;
  state.last = { price: snap.last[0] ?? NaN, lots: snap.last[1], timeUs: snap.last[2] };
  state.nextTradeId = snap.nextTradeId;
  state.nextAggId = snap.nextAggId;
  state.diffU[100] = snap.diffU[0];
  state.diffU[1000] = snap.diffU[1];
  for (const p of snap.touched1000[0]) state.touched1000[BID].add(p);
  for (const p of snap.touched1000[1]) state.touched1000[ASK].add(p);
  return state;
}
