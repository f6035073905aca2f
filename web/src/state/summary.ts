// The one-line verdict across the top, built from both panels' live figures.
import { formatInt, formatInterval, formatMs } from './format.ts';
import type { PollMode } from './poll-feed.ts';

export interface SummaryInput {
  readonly push: { readonly trades: number; readonly p50: number | null; readonly bytes: number };
  readonly poll: {
    readonly intervalMs: number;
    readonly mode: PollMode;
    readonly trades: number;
    readonly missed: number;
    readonly p50: number | null;
    readonly bytes: number;
  };
}

/** Ratio as "6.2×", or "0.05×" when small; "—" without a denominator. */
export function ratio(a: number, b: number): string {
  if (b <= 0) return '—';
  const r = a / b;
  return `${r >= 10 ? Math.round(r) : r >= 0.1 ? r.toFixed(1) : r.toFixed(2)}×`;
}

/**
 * Bytes are compared per trade seen, not in total: the push panel also streams the order book,
 * klines and tickers, so its total says little; what each side paid for the trades it showed is
 * the like-for-like figure.
 */
export function summarize({ push, poll }: SummaryInput): string {
  const perTrade = (bytes: number, trades: number) => (trades > 0 ? bytes / trades : 0);
  const pushPart = `Push: ${formatInt(push.trades)} trades, p50 ${formatMs(push.p50)}.`;
  const how = poll.mode === 'latest' ? 'latest price' : 'every trade';
  const pollPart =
    `Polling (${how}) every ${formatInterval(poll.intervalMs)}: saw ${formatInt(poll.trades)} of them ` +
    `(${formatInt(poll.missed)} missed), p50 ${formatMs(poll.p50)} old, ${ratio(perTrade(poll.bytes, poll.trades), perTrade(push.bytes, push.trades))} the bytes per trade seen.`;
  return `${pushPart} ${pollPart}`;
}
