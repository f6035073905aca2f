// Synthetic past for a symbol, so REST has klines and tickers from the first second: the same
// clustered-volatility random walk as the live market, sampled coarser (10-minute steps for the
// hourly bars, 10-second steps for the last two days of 1-minute bars), scaled to end at the
// starting price, with trade counts and contiguous trade ids that lead into the live ones.
import type { Random } from './random.ts';
import type { SymbolModel } from './specs.ts';
import type { KlineSources } from './klines.ts';
import { HOUR_US, MINUTE_US } from './intervals.ts';

/** Hours of 1-minute bars before the live warm-up. */
export const MINUTE_HISTORY_HOURS = 48;

export interface HistoryOptions {
  readonly model: SymbolModel;
  readonly rng: Random;
  readonly tradesPerSec: number;
  readonly sources: KlineSources;
  /** Where the history ends and the live warm-up starts; a whole minute. */
  readonly endUs: number;
  /** Total hours of history (≥ MINUTE_HISTORY_HOURS + 1). */
  readonly hours: number;
  /** Trades per taker order and lots per trade of the live market (measured by a short dry run). */
  readonly tradesPerTaker: number;
  readonly lotsPerTrade: number;
}

export interface History {
  /** Close of the last bar, ticks. */
  readonly lastClose: number;
  /** Id the first live trade takes. */
  readonly nextTradeId: number;
}

/** Bars of the walk in log price: high, low and close per bar (the open is the previous close). */
interface Walk {
  readonly h: Float64Array; readonly l: Float64Array; readonly c: Float64Array; readonly t0: number; readonly barUs: number;
  /** Trading activity of each bar relative to the mean (1): more trading when the price moves more. */
  readonly activity: Float64Array;
}

export function generateHistory(opts: HistoryOptions): History {
  const { model, rng, sources } = opts;
  if (opts.endUs % MINUTE_US !== 0) throw new RangeError(`history: end ${opts.endUs} is not a whole minute`);
  const minuteStart = Math.floor(opts.endUs / HOUR_US) * HOUR_US - MINUTE_HISTORY_HOURS * HOUR_US;
  const hourBars = Math.max(0, Math.ceil(opts.hours) - MINUTE_HISTORY_HOURS);
  const hourStart = minuteStart - hourBars * HOUR_US;
  const minuteBars = (opts.endUs - minuteStart) / MINUTE_US;

  // The walk in log price, GARCH(1,1) per sub-step, starting at 0; shifted at the end.
  let x = 0;
  const walk = (bars: number, stepsPerBar: number, barUs: number, t0: number): Walk => {
    const out = { h: new Float64Array(bars), l: new Float64Array(bars), c: new Float64Array(bars), t0, barUs, activity: new Float64Array(bars) };
    const hBar = (model.dailyVol * model.dailyVol * barUs) / stepsPerBar / (24 * HOUR_US);
    const range = model.dailyVol * Math.sqrt(barUs / (24 * HOUR_US));
    let h = hBar;
    for (let i = 0; i < bars; i++) {
      let hi = x;
      let lo = x;
      for (let k = 0; k < stepsPerBar; k++) {
        const r = Math.sqrt(h) * rng.normal();
        x += r;
        h = 0.02 * hBar + 0.06 * r * r + 0.92 * h;
        if (x > hi) hi = x;
        if (x < lo) lo = x;
      }
      out.h[i] = hi;
      out.l[i] = lo;
      out.c[i] = x;
    }
    let sum = 0;
    for (let i = 0; i < bars; i++) sum += out.activity[i] = Math.min(3, Math.max(0.3, 0.4 + (0.6 * (out.h[i]! - out.l[i]!)) / range));
    for (let i = 0; i < bars; i++) out.activity[i] = (out.activity[i]! * bars) / sum;
    return out;
  };
  const hours = walk(hourBars, 4, HOUR_US, hourStart);
  const minutes = walk(minuteBars, 6, MINUTE_US, minuteStart);

  const tickPrice = model.tickUnits / 1e8;
  const shift = Math.log(model.startPrice / tickPrice) - x;
  const ticks = (v: number) => Math.max(1, Math.round(Math.exp(v + shift)));
  const tradesPerUs = (opts.tradesPerSec * opts.tradesPerTaker) / 1e6;
  const lotsPerTrade = opts.lotsPerTrade;

  let nextId = 1;
  let prevClose = ticks(0);
  const { s1, m1, h1 } = sources;
  h1.start(hourStart, prevClose);
  m1.start(minuteStart, prevClose);

  const emitBar = (w: Walk, i: number, into: 'h' | 'm') => {
    const barUs = w.barUs;
    const o = prevClose;
    const c = ticks(w.c[i]!);
    const hi = Math.max(o, c, ticks(w.h[i]!));
    const lo = Math.min(o, c, ticks(w.l[i]!));
    const t = w.t0 + i * barUs;
    const activity = w.activity[i]!;
    const count = rng.poisson(tradesPerUs * barUs * activity);
    const volume = count === 0 ? 0 : Math.max(count, Math.round(count * lotsPerTrade * rng.lognormal(0.3)));
    const quote = Math.round((volume * (o + hi + lo + c)) / 4);
    const buyShare = Math.min(1, Math.max(0, 0.5 + 0.25 * Math.sign(c - o) * rng.next()));
    const takerBase = Math.round(volume * buyShare);
    const bar = {
      open: o, high: hi, low: lo, close: c, volume, quote, count, firstId: nextId,
      takerBase, takerQuote: volume === 0 ? 0 : Math.round((quote * takerBase) / volume),
    };
    nextId += count;
    if (count > 0) prevClose = c;
    h1.absorb(t, bar);
    if (into === 'm') m1.absorb(t, bar);
  };
  for (let i = 0; i < hours.c.length; i++) emitBar(hours, i, 'h');
  for (let i = 0; i < minutes.c.length; i++) emitBar(minutes, i, 'm');
  h1.rollTo(opts.endUs);
  m1.rollTo(opts.endUs);
  s1.start(opts.endUs, prevClose);
  return { lastClose: prevClose, nextTradeId: nextId };
}
