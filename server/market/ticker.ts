// Rolling statistics read from the bar series: the 24 h ticker (from the 1440 newest 1 m bars, so it
// agrees with the 1m klines) and the 5-minute volume-weighted average price.
import type { BookTicker, Ticker24h } from './types.ts';
import type { BarSeries } from './bars.ts';
import type { SymbolModel } from './specs.ts';
import { formatScaled, formatUnits } from './specs.ts';
import { totals } from './klines.ts';

/** The last trade: price ticks, qty lots, time µs (NaN price before the first trade). */
export interface LastTrade {
  readonly price: number;
  readonly lots: number;
  readonly timeUs: number;
}

export const TICKER_WINDOW_BARS = 1440;

export function ticker24h(model: SymbolModel, m1: BarSeries, last: LastTrade, top: BookTicker, nowUs: number): Ticker24h {
  const n = m1.length;
  const i0 = Math.max(0, n - TICKER_WINDOW_BARS);
  const openUs = m1.openTime(i0);
  const t = totals(m1, openUs, Infinity)!;
  const px = (ticks: number) => formatUnits(ticks * model.tickUnits);
  const lastPx = Number.isNaN(last.price) ? t.close : last.price;
  const open = t.open;
  return {
    symbol: model.spec.symbol,
    priceChange: px(lastPx - open),
    priceChangePercent: open > 0 ? (((lastPx - open) / open) * 100).toFixed(3) : '0.000',
    weightedAvgPrice: formatUnits(t.volume > 0 ? Math.round((t.quote / t.volume) * model.tickUnits) : lastPx * model.tickUnits),
    prevClosePrice: px(i0 > 0 ? m1.close(i0 - 1) : m1.open(i0)),
    lastPrice: px(lastPx),
    lastQty: formatUnits(last.lots * model.lotUnits),
    bidPrice: top.bidPrice,
    bidQty: top.bidQty,
    askPrice: top.askPrice,
    askQty: top.askQty,
    openPrice: px(open),
    highPrice: px(t.high),
    lowPrice: px(t.low),
    volume: formatScaled(t.volume, model.lotUnits),
    quoteVolume: formatScaled(t.quote, model.tickLotUnits),
    openTimeUs: openUs,
    closeTimeUs: nowUs,
    firstId: t.count === 0 ? -1 : t.firstId,
    lastId: t.count === 0 ? -1 : t.firstId + t.count - 1,
    count: t.count,
  };
}

/** VWAP of the last 5 minutes from 1 s bars (1 m bars when fewer than 300 seconds are held). */
export function avgPrice(model: SymbolModel, s1: BarSeries, m1: BarSeries, last: LastTrade): { mins: number; price: string; closeTimeUs: number } {
  const s = s1.length >= 300 ? s1 : m1;
  const bars = s === s1 ? 300 : 5;
  const t = totals(s, s.openTime(Math.max(0, s.length - bars)), Infinity)!;
  const ticks = t.volume > 0 ? (t.quote / t.volume) * model.tickUnits : (Number.isNaN(last.price) ? t.close : last.price) * model.tickUnits;
  return { mins: 5, price: formatUnits(Math.round(ticks)), closeTimeUs: last.timeUs };
}
