// The market simulator: one engine per symbol on a shared clock, run in time order, and the
// MarketView that REST reads. Pure and deterministic: same seed and clock steps, same events.
import type { Clock } from './clock.ts';
import type { AggTrade, SymbolRate, Interval, Kline, MarketEvent, MarketView, SymbolSpec, TimeWindow, Trade } from './types.ts';
import { createRandom, hashString, type Random } from './random.ts';
import { symbolModel, type SymbolModel } from './specs.ts';
import { createBarSeries } from './bars.ts';
import { queryKlines, totals, type KlineCache } from './klines.ts';
import { createEngine, type Engine } from './engine.ts';
import { generateHistory, MINUTE_HISTORY_HOURS } from './history.ts';
import { avgPrice, ticker24h } from './ticker.ts';
import { rollingStats } from './rolling.ts';
import { HOUR_US, INTERVAL_US, MAX_TZ_MIN, MIN_TZ_MIN, MINUTE_US, SECOND_US } from './intervals.ts';

export interface SimulatorOptions {
  seed: number;
  clock: Clock;
  symbols: readonly SymbolRate[];
  /** Hours of synthetic kline history (default about three years). */
  historyHours?: number;
}

export interface Simulator extends MarketView {
  /** Run every event due up to nowUs (inclusive), in time order, one emit per batch. */
  advanceTo(nowUs: number, emit: (symbol: string, batch: readonly MarketEvent[]) => void): void;
  /** When the next event is due, µs. */
  nextEventUs(): number;
}

const DEFAULT_HISTORY_HOURS = 3 * 365 * 24;
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
    const warmUs = Math.min(MAX_WARMUP_US, Math.max(MIN_WARMUP_US, Math.ceil(WARMUP_ORDERS / tradesPerSec) * SECOND_US));
    const historyEnd = Math.floor((startUs - warmUs) / MINUTE_US) * MINUTE_US;
    const sources = {
      s1: createBarSeries(SECOND_US, 3_600 + 600),
      m1: createBarSeries(MINUTE_US, (MINUTE_HISTORY_HOURS + 26) * 60),
      h1: createBarSeries(HOUR_US, hours + 31 * 24),
    };
    const history = generateHistory({
      model, rng: createRandom(opts.seed, stream ^ 0x5bd1e995), tradesPerSec, sources, endUs: historyEnd, hours,
      ...calibrate(model, createRandom(opts.seed, stream ^ 0x27d4eb2f), tradesPerSec, historyEnd),
    });
    const engine = createEngine({
      model, rng: createRandom(opts.seed, stream), tradesPerSec, sources,
      startUs: historyEnd, startTicks: history.lastClose, firstTradeId: history.nextTradeId,
    });
    while (engine.nextUs() <= startUs) engine.step(undefined);
    engine.goLive(startUs);
    engines.push(engine);
    bySymbol.set(symbol, engine);
  }

  const get = (symbol: string): Engine => {
    const e = bySymbol.get(symbol);
    if (!e) throw new Error(`market: unknown symbol ${JSON.stringify(symbol)}`);
    return e;
  };
  let simNow = startUs;
  const klineCaches = new Map<Engine, KlineCache>();
  const cacheOf = (e: Engine): KlineCache => {
    let cache = klineCaches.get(e);
    if (!cache) klineCaches.set(e, (cache = new Map()));
    return cache;
  };
  const klinesOf = (e: Engine, interval: Interval, q: TimeWindow & { readonly tzOffsetMin: number }): Kline[] => {
    checkKlineQuery(interval, q);
    return queryKlines(e.model, e.sources, interval, q, Math.max(simNow, e.timeUs), cacheOf(e));
  };

  return {
    specs: engines.map((e) => e.model.spec) as readonly SymbolSpec[],
    nowUs: () => clock.nowUs(),
    spec: (symbol) => bySymbol.get(symbol)?.model.spec,

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
        next.step((batch) => emit(symbol, batch));
      }
      if (nowUs > simNow) simNow = nowUs;
    },
    nextEventUs() {
      let at = Infinity;
      for (const e of engines) at = Math.min(at, e.nextUs());
      return at;
    },

    depth: (symbol, limit) => get(symbol).depth(limit),
    bookTicker: (symbol) => get(symbol).bookTicker(),
    recentTrades: (symbol, limit) => get(symbol).trades.newest(limit),
    tradesFrom(symbol, fromId, limit) {
      const ring = get(symbol).trades;
      if (fromId === undefined) return ring.newest(limit);
      const out: Trade[] = [];
      for (let i = ring.lowerBound(fromId, (t) => t.id); i < ring.length && out.length < limit; i++) out.push(ring.get(i));
      return out;
    },
    aggTrades(symbol, q) {
      const ring = get(symbol).aggTrades;
      const out: AggTrade[] = [];
      const take = (from: number, to: number) => {
        for (let i = Math.max(0, from); i < to && out.length < q.limit; i++) out.push(ring.get(i));
        return out;
      };
      if (q.fromId !== undefined) return take(ring.lowerBound(q.fromId, (a) => a.id), ring.length);
      const byTime = (a: AggTrade) => a.timeUs;
      const end = q.endTimeUs === undefined ? ring.length : ring.lowerBound(q.endTimeUs + 1, byTime);
      if (q.startTimeUs !== undefined) return take(ring.lowerBound(q.startTimeUs, byTime), end);
      return take(end - q.limit, end);
    },
    klines: (symbol, interval, q) => klinesOf(get(symbol), interval, q),
    ticker24h(symbol) {
      const e = get(symbol);
      return ticker24h(e.model, e.sources.m1, e.last, e.bookTicker(), Math.max(simNow, e.timeUs));
    },
    rollingTicker(symbol, windowMinutes) {
      const e = get(symbol);
      return rollingStats(e.model, e.sources, windowMinutes, Math.max(simNow, e.timeUs), cacheOf(e));
    },
    avgPrice(symbol) {
      const e = get(symbol);
      return avgPrice(e.model, e.sources.s1, e.sources.m1, e.last);
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
  const sources = {
    s1: createBarSeries(SECOND_US, 16),
    m1: createBarSeries(MINUTE_US, 16),
    h1: createBarSeries(HOUR_US, 16_384),
  };
  const startTicks = Math.round(model.startPrice / (model.tickUnits / 1e8));
  for (const s of Object.values(sources)) s.start(Math.floor(atUs / s.durUs) * s.durUs, startTicks);
  const engine = createEngine({ model, rng, tradesPerSec, sources, startUs: atUs, startTicks, firstTradeId: 1 });
  while (engine.takerOrders < CALIBRATION_BURN_IN) engine.step(undefined);
  const id0 = engine.nextTradeId;
  const v0 = totals(sources.h1, -Infinity, Infinity)!.volume;
  while (engine.takerOrders < CALIBRATION_BURN_IN + CALIBRATION_ORDERS) engine.step(undefined);
  const trades = engine.nextTradeId - id0;
  const volume = totals(sources.h1, -Infinity, Infinity)!.volume - v0;
  return { tradesPerTaker: trades / CALIBRATION_ORDERS, lotsPerTrade: volume / Math.max(1, trades) };
}

function checkKlineQuery(interval: Interval, q: TimeWindow & { readonly tzOffsetMin: number }): void {
  if (!Object.hasOwn(INTERVAL_US, interval)) throw new RangeError(`market: unknown kline interval ${JSON.stringify(interval)}`);
  const tz = q.tzOffsetMin;
  if (!Number.isInteger(tz) || tz < MIN_TZ_MIN || tz > MAX_TZ_MIN) {
    throw new RangeError(`market: tzOffsetMin must be a whole number of minutes from ${MIN_TZ_MIN} to ${MAX_TZ_MIN}, got ${tz}`);
  }
}
