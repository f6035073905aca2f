// Rolling-window statistics for `<sym>@ticker_<1h|4h|1d>`: the newest N one-minute klines (the open
// one included) folded by server/market/rolling.ts, which GET /api/v3/ticker shares.
import type { MarketView } from '../market/types.ts';
import type { RollingStats } from '../wire/encode.ts';
import { foldKlines } from '../market/rolling.ts';

export const ROLLING_WINDOWS = { '1h': 60, '4h': 240, '1d': 1440 } as const;
export type RollingWindow = keyof typeof ROLLING_WINDOWS;

/** Statistics of the newest window of `symbol` as of `closeTimeUs`; undefined when the market has no klines. */
export function rollingStats(market: MarketView, symbol: string, window: RollingWindow, closeTimeUs: number): RollingStats | undefined {
  const decimals = market.spec(symbol)?.decimals ?? 8;
  const klines = market.klines(symbol, '1m', { limit: ROLLING_WINDOWS[window], tzOffsetMin: 0 });
  return foldKlines(klines, decimals, closeTimeUs);
}
