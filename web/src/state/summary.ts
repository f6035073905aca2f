// The verdict across the top and the compact push-vs-poll table, built from both panels' figures.
import { formatBytes, formatInt, formatInterval, formatMs } from './format.ts';
import type { PollMode } from './poll-feed.ts';

/** How each side receives: the push side's connection, the polled side's requests. */
export type PushTransport = 'ws' | 'sse';
export type PollTransport = 'http' | 'long-poll' | 'ws-api';

export interface SideFigures {
  readonly trades: number;
  readonly missed: number;
  readonly p50: number | null;
  readonly p99: number | null;
  /** Everything received. */
  readonly bytes: number;
  /** What carried trades only: aggTrade messages (and backfill), or aggTrades responses. */
  readonly tradeBytes: number;
}

export interface SummaryInput {
  /** `transport`: 'ws' when left out. */
  readonly push: SideFigures & { readonly transport?: PushTransport };
  /** `transport`: 'http' when left out. */
  readonly poll: SideFigures & { readonly intervalMs: number; readonly mode: PollMode; readonly transport?: PollTransport };
}

/** Ratio as "6.2×", or "0.05×" when small; "—" without a denominator. */
export function ratio(a: number, b: number): string {
  if (b <= 0) return '—';
  const r = a / b;
  return `${r >= 10 ? Math.round(r) : r >= 0.1 ? r.toFixed(1) : r.toFixed(2)}×`;
}

/** Bytes per trade seen, null before the first trade. */
export function bytesPerTrade(bytes: number, trades: number): number | null {
  return trades > 0 ? bytes / trades : null;
}

const perTradeText = (b: number | null) => (b === null ? '—' : `${Math.round(b)} B`);

/** What each side's byte total carries, said where the totals are shown. */
export const PUSH_CARRIES = 'trades, top of book, 24 h ticker, 1 s klines, 10-level book';
export const POLL_CARRIES = 'trades, top of book, 24 h change';
/** Long-polling asks `/poll` for aggregate trades only. */
export const LONG_POLL_CARRIES = 'trades';

/** The polled side's name in the verdict, with what it asks and how often. */
export function pollName(transport: PollTransport, mode: PollMode, intervalMs: number): string {
  const how = mode === 'latest' ? 'latest price' : 'every trade';
  if (transport === 'long-poll') return 'Long-polling (every trade, one request held until trades come)';
  if (transport === 'ws-api') return `WebSocket API requests (${how}) every ${formatInterval(intervalMs)}`;
  return `Polling (${how}) every ${formatInterval(intervalMs)}`;
}

/**
 * Bytes are compared like for like: per trade seen, counting on each side only what carries
 * trades (aggTrade messages and backfills against aggTrades responses). The push feed's total
 * also pays for the order book, klines and tickers the polled side never fetches, so totals are
 * shown apart with what each carries, never divided by each other.
 */
export function summarize({ push, poll }: SummaryInput): string {
  const sse = push.transport === 'sse';
  const pollT = poll.transport ?? 'http';
  const pushPart = `Push${sse ? ' (Server-Sent Events)' : ''}: ${formatInt(push.trades)} trades, p50 ${formatMs(push.p50)}.`;
  const pollPart =
    `${pollName(pollT, poll.mode, poll.intervalMs)}: saw ${formatInt(poll.trades)} of them ` +
    `(${formatInt(poll.missed)} missed), p50 ${formatMs(poll.p50)} old.`;
  const pushPer = bytesPerTrade(push.tradeBytes, push.trades);
  const pollPer = bytesPerTrade(poll.tradeBytes, poll.trades);
  const bytesPart =
    `Bytes per trade seen, trade messages vs trade requests only: push ${perTradeText(pushPer)}, ` +
    `polling ${perTradeText(pollPer)} (${ratio(pollPer ?? 0, pushPer ?? 0)}).`;
  const totals =
    `All bytes in: push ${formatBytes(push.bytes)} (${PUSH_CARRIES}), polling ${formatBytes(poll.bytes)} (${pollT === 'long-poll' ? LONG_POLL_CARRIES : POLL_CARRIES}).`;
  return `${pushPart} ${pollPart} ${bytesPart} ${totals}`;
}

export interface VersusRow {
  readonly key: 'trades' | 'missed' | 'p50' | 'p99' | 'perTrade';
  readonly label: string;
  /** What the figure is, for the hover title and screen readers. */
  readonly tip: string;
  readonly push: string;
  readonly poll: string;
}

/** The deciding figures side by side: the table kept in view when the panels stack (phone width). */
export function versus({ push, poll }: SummaryInput): VersusRow[] {
  return [
    { key: 'trades', label: 'trades seen', tip: 'Trades each side put on screen since the symbol or settings last changed', push: formatInt(push.trades), poll: formatInt(poll.trades) },
    { key: 'missed', label: 'missed', tip: 'Trade ids skipped between the trades shown: trades that side never saw', push: formatInt(push.missed), poll: formatInt(poll.missed) },
    { key: 'p50', label: 'latency p50', tip: 'Median time from a trade on the server to its row on screen', push: formatMs(push.p50), poll: formatMs(poll.p50) },
    { key: 'p99', label: 'latency p99', tip: '99th percentile of the time from a trade on the server to its row on screen', push: formatMs(push.p99), poll: formatMs(poll.p99) },
    {
      key: 'perTrade',
      label: 'bytes / trade',
      tip: 'Bytes of what carries trades only (aggTrade messages, aggTrades responses) per trade seen',
      push: perTradeText(bytesPerTrade(push.tradeBytes, push.trades)),
      poll: perTradeText(bytesPerTrade(poll.tradeBytes, poll.trades)),
    },
  ];
}
