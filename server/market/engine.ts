// One symbol's market: a limit order book that makers keep around a moving fair price, taker orders
// that walk it (trades, aggTrades, bookTicker), and the 100 ms tick that publishes depth, tickers and
// klines. Integer ticks and lots inside; strings are made once, when an event is made. The engine
// owns the generating book and randomness; the queryable state (state.ts) changes only by the
// events it makes, applied as they are made, so a replica fed the same events holds the same.
import type { AggTrade, BookTicker, DepthSnapshot, MarketEvent, Trade } from './types.ts';
import type { Random } from './random.ts';
import type { SymbolModel } from './specs.ts';
import { formatUnits } from './specs.ts';
import { ASK, BID, createBook, type Side } from './book.ts';
import { SECOND_US } from './intervals.ts';
import { applyBatch, rollTo, type SymbolState } from './state.ts';
import { createFairPrice, createHawkes } from './flow.ts';
import { createPublisher } from './publish.ts';

export const TICK_US = 100_000;
/** Levels kept per side: refilled below MIN, trimmed above MAX. */
export const MIN_LEVELS = 60;
export const MAX_LEVELS = 100;
/** Widest distance from the best price kept on a side, in level gaps. */
const MAX_SPAN_GAPS = 400;
/** A taker picking off stale quotes takes at most this multiple of its drawn size. */
const PICK_OFF_FACTOR = 3;

export interface EngineOptions {
  readonly model: SymbolModel;
  readonly rng: Random;
  /** Mean taker orders per second. */
  readonly tradesPerSec: number;
  /**
   * The queryable state: bars holding the history up to startUs and the next trade id (fresh), or a
   * whole state restored from a snapshot and the log (resume: the book, ids and bars carry on).
   */
  readonly state: SymbolState;
  readonly startUs: number;
  /** Fair price at startUs, in ticks (the last close of the history, or the last trade's price). */
  readonly startTicks: number;
  /**
   * Resume a market that stopped: the book starts as the state's, and its update ids, the trade
   * and aggregate-trade ids continue after every id already published. Goes live at once.
   */
  readonly resume?: boolean;
}

export type Emit = (batch: MarketEvent[]) => void;

export interface Engine {
  readonly model: SymbolModel;
  readonly state: SymbolState;
  /** Time of the last event run, µs. */
  readonly timeUs: number;
  /** Taker orders run so far, and the id the next trade takes (for calibration). */
  readonly takerOrders: number;
  readonly nextTradeId: number;
  /** When the next event is due, µs. */
  nextUs(): number;
  /** Run the next event. Without `emit` only the state moves (history warm-up): no events are made. */
  step(emit: Emit | undefined): void;
  /** Start publishing at `nowUs`: depth diffs and kline closes count from here. */
  goLive(nowUs: number): void;
  depth(limit: number): DepthSnapshot;
  bookTicker(): BookTicker;
}

export function createEngine(opts: EngineOptions): Engine {
  const { model, rng, state } = opts;
  const symbol = model.spec.symbol;
  const gap = model.gapTicks;
  const book = createBook();
  const px = (ticks: number) => formatUnits(ticks * model.tickUnits);
  const qty = (lots: number) => formatUnits(lots * model.lotUnits);

  let timeUs = opts.startUs;
  let nextTradeId = state.nextTradeId;
  let nextAggId = state.nextAggId;
  let takers = 0;

  const fairPrice = createFairPrice(rng, model.dailyVol, opts.startTicks, opts.startUs);
  const fair = fairPrice.at;
  const arrivals = createHawkes(rng, opts.tradesPerSec);
  const makerRate = 3 + 2 * opts.tradesPerSec;
  const scheduleMaker = (t: number): number => t + Math.max(1, Math.round(rng.exponential(makerRate) * SECOND_US));

  let nextTick = (Math.floor(opts.startUs / TICK_US) + 1) * TICK_US;
  let nextTaker = arrivals.next(opts.startUs, false);
  let nextMaker = scheduleMaker(opts.startUs);

  const levelLots = () => Math.max(1, Math.round(model.meanLevelLots * rng.lognormal(1)));

  const farOf = (side: Side): number => book.priceAt(side, book.levelCount(side) - 1);

  /** Seed an empty side next to the fair price, then keep MIN..MAX levels. */
  function ensureDepth(side: Side, f: number): void {
    if (book.levelCount(side) === 0) {
      const other = book.best(side === BID ? ASK : BID);
      let p = side === BID ? Math.ceil(f) - 1 : Math.floor(f) + 1;
      if (!Number.isNaN(other)) p = side === BID ? Math.min(p, other - 1) : Math.max(p, other + 1);
      // No room (a bid would have to sit below price 1): leave the side empty until the price moves.
      if (p < 1 || (!Number.isNaN(other) && (side === BID ? p >= other : p <= other))) return;
      book.set(side, p, levelLots());
    }
    if (book.levelCount(side) === 0) return;
    // Orders left far behind by a moving price are withdrawn: a side spans MAX_SPAN_GAPS at most.
    const best = book.best(side);
    while (Math.abs(farOf(side) - best) > MAX_SPAN_GAPS * gap) book.set(side, farOf(side), 0);
    // Refill beyond the far end, or at a free price inside the span once the far end reaches it.
    const dir = side === BID ? -1 : 1;
    for (let tries = 0; book.levelCount(side) < MIN_LEVELS && tries < 4 * MIN_LEVELS; tries++) {
      let p = farOf(side) + dir * gap * (1 + rng.int(2));
      if (Math.abs(p - best) > MAX_SPAN_GAPS * gap) p = best + dir * gap * (1 + rng.int(MAX_SPAN_GAPS - 1));
      if (p < 1 || book.qtyAtPrice(side, p) > 0) continue;
      book.set(side, p, levelLots());
    }
    while (book.levelCount(side) > MAX_LEVELS) book.set(side, farOf(side), 0);
  }

  if (opts.resume) {
    // The book as last published; ids a dead market may have shown past it (on a bookTicker) are skipped.
    for (const side of [BID, ASK] as const) {
      for (let i = 0; i < state.book.levelCount(side); i++) book.set(side, state.book.priceAt(side, i), state.book.qtyAt(side, i));
    }
    book.skipTo(Math.max(book.updateId, state.book.updateId, state.top?.updateId ?? 0));
    const toArrays = (s: readonly [Set<number>, Set<number>]) => [[...s[BID]], [...s[ASK]]] as const;
    book.resumeDiffs(state.diffU, { 100: [[], []], 1000: toArrays(state.touched1000) });
  }
  // Start with a full book around the starting price (a resumed one is only topped up).
  ensureDepth(BID, fair(opts.startUs));
  ensureDepth(ASK, fair(opts.startUs));

  let top: BookTicker = makeTop();
  function makeTop(): BookTicker {
    return {
      symbol,
      updateId: book.updateId,
      bidPrice: px(book.best(BID)),
      bidQty: qty(book.bestQty(BID)),
      askPrice: px(book.best(ASK)),
      askQty: qty(book.bestQty(ASK)),
    };
  }
  const topKey = () => `${book.best(BID)}:${book.bestQty(BID)}:${book.best(ASK)}:${book.bestQty(ASK)}`;
  let topAt = topKey();
  /** Append a bookTicker event when the best bid or ask moved since `before`. */
  function topChanged(t: number, b0: number, bq0: number, a0: number, aq0: number, events: MarketEvent[] | undefined): void {
    if (book.best(BID) === b0 && book.bestQty(BID) === bq0 && book.best(ASK) === a0 && book.bestQty(ASK) === aq0) return;
    if (!events) return;
    top = makeTop();
    topAt = topKey();
    events.push({ type: 'bookTicker', timeUs: t, book: top });
  }

  function taker(t: number, emit: Emit | undefined): void {
    const f = fair(t);
    const b0 = book.best(BID), bq0 = book.bestQty(BID), a0 = book.best(ASK), aq0 = book.bestQty(ASK);
    let buy: boolean;
    if (f > a0) buy = rng.next() < 0.9;
    else if (f < b0) buy = rng.next() >= 0.9;
    else buy = rng.next() < 0.5 + 0.35 * Math.tanh((f - (a0 + b0) / 2) / (2 * gap));
    const side: Side = buy ? ASK : BID;
    let rem = Math.max(1, Math.round(model.meanTakerLots * rng.lognormal(1)));
    // Stale quotes on the wrong side of the fair price get picked off, by a somewhat larger order.
    let stale = 0;
    for (let i = 0; i < book.levelCount(side); i++) {
      const p = book.priceAt(side, i);
      if (buy ? p >= f : p <= f) break;
      stale += book.qtyAt(side, i);
    }
    if (stale > rem) rem = Math.min(stale, rem * PICK_OFF_FACTOR);
    // Trades are made (and applied to the state) in warm-up too; only a live engine emits them.
    const events: MarketEvent[] = [];
    const buyerMaker = !buy;
    while (rem > 0) {
      const p = book.best(side);
      const q = book.bestQty(side);
      const take = Math.min(rem, book.levelCount(side) === 1 ? q - 1 : q);
      if (take <= 0) break;
      const price = px(p);
      let fills = 1 + rng.poisson(0.8);
      if (fills > take) fills = take;
      const firstId = nextTradeId;
      let left = take;
      for (let k = fills; k >= 1; k--) {
        const lots = k === 1 ? left : Math.max(1, Math.min(left - (k - 1), Math.round((left * 2 * rng.next()) / k)));
        left -= lots;
        const id = nextTradeId++;
        const quote = p * lots;
        const trade: Trade = {
          symbol, id, price, qty: qty(lots), quoteQty: formatUnits(quote * model.tickLotUnits), timeUs: t, buyerMaker,
        };
        events.push({ type: 'trade', timeUs: t, trade });
      }
      const agg: AggTrade = {
        symbol, id: nextAggId++, price, qty: qty(take), firstTradeId: firstId, lastTradeId: nextTradeId - 1, timeUs: t, buyerMaker,
      };
      events.push({ type: 'aggTrade', timeUs: t, aggTrade: agg });
      book.set(side, p, q - take);
      rem -= take;
    }
    takers++;
    ensureDepth(side, f);
    topChanged(t, b0, bq0, a0, aq0, emit ? events : undefined);
    applyBatch(state, events);
    if (emit && events.length > 0) emit(events);
  }

  function maker(t: number, emit: Emit | undefined): void {
    const f = fair(t);
    const b0 = book.best(BID), bq0 = book.bestQty(BID), a0 = book.best(ASK), aq0 = book.bestQty(ASK);
    // Makers fade quotes the fair price has moved through, then re-quote.
    while (book.levelCount(ASK) > 0 && book.best(ASK) < f) book.set(ASK, book.best(ASK), 0);
    while (book.levelCount(BID) > 0 && book.best(BID) > f) book.set(BID, book.best(BID), 0);
    ensureDepth(BID, f);
    ensureDepth(ASK, f);
    // Makers also step up to the fair price when a trend has left the spread wide.
    const wideBid = book.best(BID) < f - 2 * gap;
    const wideAsk = book.best(ASK) > f + 2 * gap;
    if (wideBid) book.set(BID, Math.min(book.best(ASK) - 1, Math.floor(f) - rng.int(gap)), levelLots());
    if (wideAsk) book.set(ASK, Math.max(book.best(BID) + 1, Math.ceil(f) + rng.int(gap)), levelLots());
    const side: Side = rng.next() < 0.5 ? BID : ASK;
    const bb = book.best(BID);
    const ba = book.best(ASK);
    const u = rng.next();
    if (u < 0.5) {
      const d = Math.floor(rng.exponential(1 / 6));
      const jitter = gap > 1 ? rng.int(gap) : 0;
      const p = side === BID ? Math.min(Math.floor(f), ba - 1) - d * gap - jitter : Math.max(Math.ceil(f), bb + 1) + d * gap + jitter;
      if (p >= 1) book.set(side, p, book.qtyAtPrice(side, p) + levelLots());
    } else if (u < 0.9) {
      const n = book.levelCount(side);
      // Mostly near the top, sometimes anywhere in the book.
      const i = rng.next() < 0.3 ? rng.int(n) : Math.min(n - 1, Math.floor(rng.exponential(1 / 10)));
      const p = book.priceAt(side, i);
      const q = book.qtyAt(side, i);
      const keep = rng.next() < 0.5 || q <= 1 ? 0 : Math.max(1, Math.round(q * rng.next()));
      if (keep > 0 || n > 1) book.set(side, p, keep);
    } else if (ba - bb > 1) {
      const step = 1 + rng.int(Math.min(gap, ba - bb - 1));
      book.set(side, side === BID ? bb + step : ba - step, levelLots());
    }
    ensureDepth(side, f);
    const events: MarketEvent[] | undefined = emit ? [] : undefined;
    topChanged(t, b0, bq0, a0, aq0, events);
    if (emit && events!.length > 0) {
      applyBatch(state, events!);
      emit(events!);
    }
  }

  const publisher = createPublisher({ model, book, sources: state.sources, last: () => state.last, top: () => engine.bookTicker() });

  function tick(t: number, emit: Emit | undefined): void {
    // Bars roll before the tick's klines are made; a replica rolls on the tick's first event.
    rollTo(state, t);
    if (t % SECOND_US === 0) fairPrice.second(t);
    if (!emit) return;
    const events = publisher.tick(t);
    applyBatch(state, events);
    emit(events);
  }

  const engine: Engine = {
    get takerOrders() {
      return takers;
    },
    get nextTradeId() {
      return nextTradeId;
    },
    model,
    state,
    get timeUs() {
      return timeUs;
    },
    nextUs: () => Math.min(nextTick, nextTaker, nextMaker),
    step(emit) {
      if (nextTick <= nextTaker && nextTick <= nextMaker) {
        timeUs = nextTick;
        nextTick += TICK_US;
        tick(timeUs, emit);
      } else if (nextTaker <= nextMaker) {
        timeUs = nextTaker;
        taker(timeUs, emit);
        nextTaker = arrivals.next(timeUs, true);
      } else {
        timeUs = nextMaker;
        maker(timeUs, emit);
        nextMaker = scheduleMaker(timeUs);
      }
    },
    goLive(nowUs) {
      if (!opts.resume) {
        // The state's book starts as the warmed-up book; from here on it follows the 100 ms diffs.
        for (const side of [BID, ASK] as const) {
          for (let i = 0; i < book.levelCount(side); i++) state.book.set(side, book.priceAt(side, i), book.qtyAt(side, i));
        }
        state.book.skipTo(book.updateId);
        state.diffU[100] = state.diffU[1000] = book.updateId;
        book.trackDiffs(true);
        state.top = engine.bookTicker();
      }
      publisher.start(nowUs);
      rollTo(state, nowUs);
      timeUs = Math.max(timeUs, nowUs);
    },
    depth: publisher.depth,
    bookTicker() {
      if (topKey() !== topAt) {
        top = makeTop();
        topAt = topKey();
      }
      return top;
    },
  };
  return engine;
}
