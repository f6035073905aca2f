// Rolling-window statistics for `<sym>@ticker_<1h|4h|1d>`, folded from the market's 1m klines.
//
// Binance computes these windows with minute precision, so the newest N one-minute klines (the
// open one included) are the window. Sums are exact: decimal strings are added as integers of the
// symbol's decimals (BigInt), never as floats.
import type { Kline, MarketView } from '../market/types.ts';
import type { RollingStats } from '../wire/encode.ts';

export const ROLLING_WINDOWS = { '1h': 60, '4h': 240, '1d': 1440 } as const;
export type RollingWindow = keyof typeof ROLLING_WINDOWS;

/** Statistics of the newest window of `symbol` as of `closeTimeUs`; undefined when the market has no klines. */
export function rollingStats(market: MarketView, symbol: string, window: RollingWindow, closeTimeUs: number): RollingStats | undefined {
  const decimals = market.spec(symbol)?.decimals ?? 8;
  const klines = market.klines(symbol, '1m', { limit: ROLLING_WINDOWS[window], tzOffsetMin: 0 });
  return foldKlines(klines, decimals, closeTimeUs);
}

/** Fold klines (oldest first) into window statistics; exported for tests. */
export function foldKlines(klines: readonly Kline[], decimals: number, closeTimeUs: number): RollingStats | undefined {
  const first = klines[0];
  const last = klines[klines.length - 1];
  if (!first || !last) return undefined;
  const d = { decimals, scale: 10n ** BigInt(decimals) };
  let high = toUnits(first.high, d);
  let low = toUnits(first.low, d);
  let volume = 0n;
  let quoteVolume = 0n;
  let count = 0;
  let firstId = -1;
  let lastId = -1;
  for (const k of klines) {
    const h = toUnits(k.high, d);
    const l = toUnits(k.low, d);
    if (h > high) high = h;
    if (l < low) low = l;
    volume += toUnits(k.volume, d);
    quoteVolume += toUnits(k.quoteVolume, d);
    count += k.trades;
    if (k.firstTradeId >= 0 && firstId < 0) firstId = k.firstTradeId;
    if (k.lastTradeId >= 0) lastId = k.lastTradeId;
  }
  const open = toUnits(first.open, d);
  const close = toUnits(last.close, d);
  const change = close - open;
  return {
    symbol: first.symbol,
    priceChange: fromUnits(change, d),
    // Three decimals, like the 24 h ticker's priceChangePercent.
    priceChangePercent: open === 0n ? '0.000' : fromUnits((change * 100_000n) / open, { decimals: 3, scale: 1000n }),
    open: first.open,
    high: fromUnits(high, d),
    low: fromUnits(low, d),
    last: last.close,
    weightedAvgPrice: volume === 0n ? fromUnits(0n, d) : fromUnits((quoteVolume * d.scale) / volume, d),
    volume: fromUnits(volume, d),
    quoteVolume: fromUnits(quoteVolume, d),
    openTimeUs: first.openTimeUs,
    closeTimeUs,
    firstId,
    lastId,
    count,
  };
}

interface Decimals {
  readonly decimals: number;
  readonly scale: bigint;
}

/** "123.45" → 12345000000n at 8 decimals (extra digits are cut, missing ones padded). */
function toUnits(s: string, d: Decimals): bigint {
  const neg = s.startsWith('-');
  const [int = '0', frac = ''] = (neg ? s.slice(1) : s).split('.');
  const v = BigInt(int || '0') * d.scale + BigInt((frac + '0'.repeat(d.decimals)).slice(0, d.decimals) || '0');
  return neg ? -v : v;
}

function fromUnits(v: bigint, d: Decimals): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const int = a / d.scale;
  const frac = (a % d.scale).toString().padStart(d.decimals, '0');
  return `${neg ? '-' : ''}${int}${d.decimals > 0 ? `.${frac}` : ''}`;
}
