// Synthetic past for a symbol, so REST has klines and tickers from the first second: the same
// clustered-volatility random walk as the live market, sampled coarser (10-minute steps for the
// hourly bars, 10-second steps for the last two days of 1-minute bars), scaled to end at the
// starting price, with trade counts and contiguous trade ids that lead into the live ones.
import type { Random } from './random.ts';
import type { SymbolModel } from './specs.ts';
import type { KlineSources } from './klines.ts';
import { HOUR_US, MINUTE_US } from './intervals.ts';

/** Average trades per taker order in the live market (fills per level × levels swept), measured. */
export const TRADES_PER_TAKER = 2.0;
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
}

export interface History {
  /** Close of the last bar, ticks. */
  readonly lastClose: number;
  /** Id the first live trade takes. */
  readonly nextTradeId: number;
}

interface RawBar { o: number; h: number; l: number; c: number; t: number }

export function generateHistory(opts: HistoryOptions): History {
  const { model, rng, sources } = opts;
  if (opts.endUs % MINUTE_US !== 0) throw new RangeError(`history: end ${opts.endUs} is not a whole minute`);
  const minuteStart = Math.floor(opts.endUs / HOUR_US) * HOUR_US - MINUTE_HISTORY_HOURS * HOUR_US;
  const hourBars = Math.max(0, Math.ceil(opts.hours) - MINUTE_HISTORY_HOURS);
  const hourStart = minuteStart - hourBars * HOUR_US;
  const minuteBars = (opts.endUs - minuteStart) / MINUTE_US;

  // The walk in log price, GARCH(1,1) per sub-step, starting at 0; shifted at the end.
  let x = 0;
  const walk = (bars: number, stepsPerBar: number, barUs: number, t0: number, out: RawBar[]) => {
    const hBar = (model.dailyVol * model.dailyVol * barUs) / stepsPerBar / (24 * HOUR_US);
    let h = hBar;
    for (let i = 0; i < bars; i++) {
      const o = x;
      let hi = x;
      let lo = x;
      for (let k = 0; k < stepsPerBar; k++) {
        const r = Math.sqrt(h) * rng.normal();
        x += r;
        h = 0.02 * hBar + 0.06 * r * r + 0.92 * h;
        if (x > hi) hi = x;
        if (x < lo) lo = x;
      }
      out.push({ o, h: hi, l: lo, c: x, t: t0 + i * barUs });
    }
  };
  const hours: RawBar[] = [];
  const minutes: RawBar[] = [];
  walk(hourBars, 6, HOUR_US, hourStart, hours);
  walk(minuteBars, 6, MINUTE_US, minuteStart, minutes);

  const tickPrice = model.tickUnits / 1e8;
  const shift = Math.log(model.startPrice / tickPrice) - x;
  const ticks = (v: number) => Math.max(1, Math.round(Math.exp(v + shift)));
  const tradesPerUs = (opts.tradesPerSec * TRADES_PER_TAKER) / 1e6;
  const lotsPerTrade = model.meanTakerLots / TRADES_PER_TAKER;
  const typicalRange = (barUs: number) => model.dailyVol * Math.sqrt(barUs / (24 * HOUR_US)) * 1.6;

  let nextId = 1;
  let prevClose = ticks(hours[0]?.o ?? minutes[0]?.o ?? x);
  const { s1, m1, h1 } = sources;
  h1.start(hourStart, prevClose);
  m1.start(minuteStart, prevClose);

  const emitBar = (b: RawBar, barUs: number, into: 'h' | 'm') => {
    const o = prevClose;
    const c = ticks(b.c);
    const hi = Math.max(o, c, ticks(b.h));
    const lo = Math.min(o, c, ticks(b.l));
    // More trading when the price moves more, as in real markets.
    const activity = Math.min(3, Math.max(0.3, 0.4 + (0.6 * (b.h - b.l)) / typicalRange(barUs)));
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
    h1.absorb(b.t, bar);
    if (into === 'm') m1.absorb(b.t, bar);
  };
  for (const b of hours) emitBar(b, HOUR_US, 'h');
  for (const b of minutes) emitBar(b, MINUTE_US, 'm');
  h1.rollTo(opts.endUs);
  m1.rollTo(opts.endUs);
  s1.start(opts.endUs, prevClose);
  return { lastClose: prevClose, nextTradeId: nextId };
}
