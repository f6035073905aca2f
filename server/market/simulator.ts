// The market simulator: one engine per symbol on a shared clock, run in time order, and the
// MarketView that REST reads. Pure and deterministic: same seed and clock steps, same events.
import type { Clock } from './clock.ts';
import type { MarketEvent, MarketView, SymbolRate } from './types.ts';
import { createRandom, hashString, type Random } from './random.ts';
import { symbolModel, type SymbolModel } from './specs.ts';
import { totals } from './klines.ts';
import { createEngine, type Engine } from './engine.ts';
import { generateHistory, MINUTE_HISTORY_HOURS } from './history.ts';
import { HOUR_US, MINUTE_US, SECOND_US } from './intervals.ts';
import { createState, rollTo, type SymbolState } from './state.ts';
import { createMarketView } from './view.ts';

export interface SimulatorOptions {
  seed: number;
  clock: Clock;
  symbols: readonly SymbolRate[];
  /** Hours of synthetic kline history (default about three years). */
  historyHours?: number;
  /**
   * States to resume from, by symbol (restored from a snapshot and the log a stopped market left):
   * such a symbol makes no history and no warm-up, and its ids carry on. Others start fresh.
   */
  resume?: ReadonlyMap<string, SymbolState>;
}

export interface Simulator extends MarketView {
  /**
   * Run every event due up to nowUs (inclusive), in time order, one emit per batch. Each batch is
   * stamped with the clock's time as it is emitted (MarketEvent's `emittedUs`, the wire's E).
   */
  advanceTo(nowUs: number, emit: (symbol: string, batch: readonly MarketEvent[]) => void): void;
  /** When the next event is due, µs. */
  nextEventUs(): number;
  /** The queryable state of a symbol (what a snapshot holds), as of the last batch emitted. */
  state(symbol: string): SymbolState;
}

export const DEFAULT_HISTORY_HOURS = 3 * 365 * 24;
/**
 * The live market is run quietly for a while before `now` so that trades, aggTrades, 1 s klines
 * and the book exist at once: ~3000 taker orders (~6000 trades), between 10 s and 1 h of it.
 */
const WARMUP_ORDERS = 3000;
const MIN_WARMUP_US = 10 * SECOND_US;
const MAX_WARMUP_US = HOUR_US;

export function createSimulator(opts: SimulatorOptions): Simulator {
  const { clock } = opts;
  if (!Number.isInteger(opts.seed)) throw new Error(`simulator: seed must be an integer, got ${opts.seed}`);
  if (opts.symbols.length === 0) throw new Error('simulator: no symbols configured');
  const hours = Math.max(MINUTE_HISTORY_HOURS + 1, opts.historyHours ?? DEFAULT_HISTORY_HOURS);
  const startUs = clock.nowUs();
  const engines: Engine[] = [];
  const bySymbol = new Map<string, Engine>();

  for (const { symbol, tradesPerSec } of opts.symbols) {
    if (bySymbol.has(symbol)) throw new Error(`simulator: ${symbol} is configured twice`);
    if (!(tradesPerSec > 0)) throw new Error(`simulator: the rate of ${symbol} must be above 0, got ${tradesPerSec}`);
    const model = symbolModel(symbol);
    const stream = hashString(symbol);
    const resumed = opts.resume?.get(symbol);
    let engine: Engine;
    if (resumed) {
      if (resumed.model.spec.symbol !== symbol) throw new Error(`simulator: the state given for ${symbol} is ${resumed.model.spec.symbol}'s`);
      // A fresh random stream (the dead market's position in its own is lost), the price where trading stopped.
      const rng = createRandom(opts.seed ^ (Math.floor(startUs / 1000) >>> 0), stream);
      const lastTicks = Number.isNaN(resumed.last.price) ? resumed.sources.m1.close(resumed.sources.m1.length - 1) : resumed.last.price;
      rollTo(resumed, startUs);
      engine = createEngine({ model, rng, tradesPerSec, state: resumed, startUs, startTicks: lastTicks, resume: true });
    } else {
      const warmUs = Math.min(MAX_WARMUP_US, Math.max(MIN_WARMUP_US, Math.ceil(WARMUP_ORDERS / tradesPerSec) * SECOND_US));
      const historyEnd = Math.floor((startUs - warmUs) / MINUTE_US) * MINUTE_US;
      const state = createState(model, hours, historyEnd);
      const history = generateHistory({
        model, rng: createRandom(opts.seed, stream ^ 0x5bd1e995), tradesPerSec, sources: state.sources, endUs: historyEnd, hours,
        ...calibrate(model, createRandom(opts.seed, stream ^ 0x27d4eb2f), tradesPerSec, historyEnd),
      });
      state.nextTradeId = history.nextTradeId;
      engine = createEngine({ model, rng: createRandom(opts.seed, stream), tradesPerSec, state, startUs: historyEnd, startTicks: history.lastClose });
      while (engine.nextUs() <= startUs) engine.step(undefined);
    }
    engine.goLive(startUs);
    engines.push(engine);
    bySymbol.set(symbol, engine);
  }

  let simNow = startUs;
  const view = createMarketView({
    state: (symbol) => bySymbol.get(symbol)?.state,
    symbols: engines.map((e) => e.model.spec.symbol),
    nowUs: () => simNow,
    clockUs: () => clock.nowUs(),
  });

  return {
    ...view,
    advanceTo(nowUs, emit) {
      for (;;) {
        let next: Engine | undefined;
        let at = Infinity;
        for (const e of engines) {
          const t = e.nextUs();
          if (t < at) {
            at = t;
            next = e;
          }
        }
        if (!next || at > nowUs) break;
        const symbol = next.model.spec.symbol;
        next.step((batch) => {
          // Stamped as it leaves: the wire's E is this moment, not the time the event was due.
          const emittedUs = Math.max(clock.nowUs(), at);
          for (const ev of batch) {
            (ev as { emittedUs?: number }).emittedUs = emittedUs;
            // The history keeps the same objects: a replay of them sends the live bytes again.
            if (ev.type === 'trade') (ev.trade as { emittedUs?: number }).emittedUs = emittedUs;
            else if (ev.type === 'aggTrade') (ev.aggTrade as { emittedUs?: number }).emittedUs = emittedUs;
          }
          emit(symbol, batch);
        });
      }
      if (nowUs > simNow) simNow = nowUs;
    },
    nextEventUs() {
      let at = Infinity;
      for (const e of engines) at = Math.min(at, e.nextUs());
      return at;
    },
    state(symbol) {
      const e = bySymbol.get(symbol);
      if (!e) throw new Error(`market: unknown symbol ${JSON.stringify(symbol)}`);
      return e.state;
    },
  } satisfies Simulator;
}

/**
 * Run a scratch copy of the live market for CALIBRATION_ORDERS taker orders and measure how many
 * trades an order makes and how large they are, so the synthetic history trades like the live market.
 */
const CALIBRATION_ORDERS = 1500;
/** Orders run first and not measured: a fresh book is denser than a lived-in one. */
const CALIBRATION_BURN_IN = 300;
function calibrate(model: SymbolModel, rng: Random, tradesPerSec: number, atUs: number): { tradesPerTaker: number; lotsPerTrade: number } {
  const state = createState(model, 16_384, atUs);
  const startTicks = Math.round(model.startPrice / (model.tickUnits / 1e8));
  for (const s of Object.values(state.sources)) s.start(Math.floor(atUs / s.durUs) * s.durUs, startTicks);
  const engine = createEngine({ model, rng, tradesPerSec, state, startUs: atUs, startTicks });
  while (engine.takerOrders < CALIBRATION_BURN_IN) engine.step(undefined);
  const id0 = engine.nextTradeId;
  const v0 = totals(state.sources.h1, -Infinity, Infinity)!.volume;
  while (engine.takerOrders < CALIBRATION_BURN_IN + CALIBRATION_ORDERS) engine.step(undefined);
  const trades = engine.nextTradeId - id0;
  const volume = totals(state.sources.h1, -Infinity, Infinity)!.volume - v0;
  return { tradesPerTaker: trades / CALIBRATION_ORDERS, lotsPerTrade: volume / Math.max(1, trades) };
}
