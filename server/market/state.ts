// The market's queryable state for one symbol, apart from the logic that generates it: bar series,
// trade and aggregate-trade rings, the book as of the last 100 ms diff, the top of book, the last
// trade and the next ids. It changes only by applying the market's own events (applyBatch), so a
// replica restored from a snapshot and fed the events after it holds exactly what the market holds.
import type { AggTrade, BookTicker, DepthSpeed, MarketEvent, Trade } from './types.ts';
import type { SymbolModel } from './specs.ts';
import { parseUnits } from './specs.ts';
import { ASK, BID, createBook, type Book } from './book.ts';
import { createBarSeries } from './bars.ts';
import type { KlineSources } from './klines.ts';
import { createRing, type Ring } from './ring.ts';
import type { LastTrade } from './ticker.ts';
import { HOUR_US, MINUTE_US, SECOND_US } from './intervals.ts';
import { MINUTE_HISTORY_HOURS } from './history.ts';

/** Trades and aggregate trades held per symbol (the newest). */
export const TRADE_RING = 10_000;
/** Bars held: about 70 minutes of 1 s bars, 74 hours of 1 m bars; 1 h bars are sized by the history. */
const S1_BARS = 3_600 + 600;
const M1_BARS = (MINUTE_HISTORY_HOURS + 26) * 60;
const H1_SPARE = 31 * 24;

export interface SymbolState {
  readonly model: SymbolModel;
  readonly sources: KlineSources;
  readonly trades: Ring<Trade>;
  readonly aggTrades: Ring<AggTrade>;
  /** The book as of the last 100 ms diff (its updateId is that diff's lastUpdateId). Never tracks diffs. */
  readonly book: Book;
  /** The last bookTicker event's top of book (its update id may be past book.updateId). */
  top: BookTicker | undefined;
  last: LastTrade;
  /** Time of the last event applied, µs. */
  timeUs: number;
  nextTradeId: number;
  nextAggId: number;
  /** lastUpdateId of the last diff of each cadence. */
  readonly diffU: Record<DepthSpeed, number>;
  /** Prices ([bids, asks]) the 100 ms diffs changed since the last 1000 ms diff: a resumed market's next 1 s diff needs them. */
  readonly touched1000: readonly [Set<number>, Set<number>];
}

/** An empty state; `historyHours` sizes the 1 h series (or `h1Bars`, a restored series' capacity). */
export function createState(model: SymbolModel, historyHours: number, timeUs: number, h1Bars?: number): SymbolState {
  return {
    model,
    sources: {
      s1: createBarSeries(SECOND_US, S1_BARS),
      m1: createBarSeries(MINUTE_US, M1_BARS),
      h1: createBarSeries(HOUR_US, h1Bars ?? Math.ceil(historyHours) + H1_SPARE),
    },
    trades: createRing<Trade>(TRADE_RING),
    aggTrades: createRing<AggTrade>(TRADE_RING),
    book: createBook(),
    top: undefined,
    last: { price: NaN, lots: 0, timeUs },
    timeUs,
    nextTradeId: 1,
    nextAggId: 1,
    diffU: { 100: 0, 1000: 0 },
    touched1000: [new Set(), new Set()],
  };
}

/** Roll every bar series on to `timeUs` (empty bars carry the close): the same at any time the market does it. */
export function rollTo(state: SymbolState, timeUs: number): void {
  state.sources.s1.rollTo(timeUs);
  state.sources.m1.rollTo(timeUs);
  state.sources.h1.rollTo(timeUs);
  if (timeUs > state.timeUs) state.timeUs = timeUs;
}

/**
 * Apply one batch of this symbol's events, in order. Derived events (klines, tickers, snapshots,
 * averages) carry nothing new and only move time. Throws RangeError on an event that cannot follow
 * the state (a trade id out of sequence, a diff that does not start after the last one).
 */
export function applyBatch(state: SymbolState, events: readonly MarketEvent[]): void {
  const { model, sources } = state;
  for (const ev of events) {
    rollTo(state, ev.timeUs);
    switch (ev.type) {
      case 'trade': {
        const t = ev.trade;
        if (t.id !== state.nextTradeId) throw new RangeError(`replica: trade ${t.id} of ${t.symbol} arrived, ${state.nextTradeId} was next`);
        const ticks = parseUnits(t.price) / model.tickUnits;
        const lots = parseUnits(t.qty) / model.lotUnits;
        const quote = ticks * lots;
        sources.s1.trade(t.timeUs, ticks, lots, quote, t.id, !t.buyerMaker);
        sources.m1.trade(t.timeUs, ticks, lots, quote, t.id, !t.buyerMaker);
        sources.h1.trade(t.timeUs, ticks, lots, quote, t.id, !t.buyerMaker);
        state.trades.push(t);
        state.last = { price: ticks, lots, timeUs: t.timeUs };
        state.nextTradeId = t.id + 1;
        break;
      }
      case 'aggTrade':
        if (ev.aggTrade.id !== state.nextAggId) throw new RangeError(`replica: aggTrade ${ev.aggTrade.id} arrived, ${state.nextAggId} was next`);
        state.aggTrades.push(ev.aggTrade);
        state.nextAggId = ev.aggTrade.id + 1;
        break;
      case 'bookTicker':
        state.top = ev.book;
        break;
      case 'depthUpdate': {
        if (ev.firstUpdateId !== state.diffU[ev.speed] + 1) {
          throw new RangeError(`replica: a ${ev.speed} ms diff starts at ${ev.firstUpdateId}, ${state.diffU[ev.speed] + 1} was next`);
        }
        state.diffU[ev.speed] = ev.lastUpdateId;
        if (ev.speed === 1000) {
          state.touched1000[BID].clear();
          state.touched1000[ASK].clear();
          break;
        }
        for (const [side, levels] of [[BID, ev.bids], [ASK, ev.asks]] as const) {
          for (const [p, q] of levels) {
            const price = parseUnits(p) / model.tickUnits;
            state.book.set(side, price, parseUnits(q) / model.lotUnits);
            state.touched1000[side].add(price);
          }
        }
        state.book.skipTo(ev.lastUpdateId);
        break;
      }
      default:
        break;
    }
  }
}
