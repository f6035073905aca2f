// Stream names of the wire (wire.md §3): parse, validate and reduce to a canonical key.
// No Node or uWS imports: the dashboard, the bench and the tests parse names with this too.
import { INTERVALS, type DepthSpeed, type Interval } from '../market/types.ts';

/**
 * What a stream carries. `key` is canonical: the symbol lowercased and the default speed spelled
 * out (`SOLUSDT@depth` and `solusdt@depth@1000ms` share the key `solusdt@depth@1000ms`), so two
 * names with one key get the same payload bytes. `symbol` is UPPERCASE, as in payloads.
 */
export type StreamSpec =
  | { readonly kind: 'trade' | 'aggTrade' | 'bookTicker' | 'miniTicker' | 'ticker' | 'avgPrice'; readonly key: string; readonly symbol: string }
  | { readonly kind: 'allMiniTickers' | 'allTickers'; readonly key: string }
  | { readonly kind: 'rollingTicker'; readonly key: string; readonly symbol: string; readonly window: '1h' | '4h' | '1d' }
  | {
      readonly kind: 'kline';
      readonly key: string;
      readonly symbol: string;
      readonly interval: Interval;
      /** 0, or 480 for the `@+08:00` suffix. */
      readonly tzOffsetMin: 0 | 480;
    }
  | { readonly kind: 'partialDepth'; readonly key: string; readonly symbol: string; readonly levels: 5 | 10 | 20; readonly speed: DepthSpeed }
  | { readonly kind: 'diffDepth'; readonly key: string; readonly symbol: string; readonly speed: DepthSpeed };

export type StreamKind = StreamSpec['kind'];

export const STREAM_KINDS: readonly StreamKind[] = [
  'trade', 'aggTrade', 'bookTicker', 'miniTicker', 'ticker', 'rollingTicker', 'avgPrice', 'allMiniTickers', 'allTickers', 'kline', 'partialDepth', 'diffDepth',
];

/** Intervals whose +08:00 boundaries differ from UTC ones; for the others `@+08:00` is the UTC kline. */
export const TZ_DISTINCT_INTERVALS: ReadonlySet<Interval> = new Set<Interval>(['6h', '12h', '1d', '3d', '1w', '1M']);

const INTERVAL_SET: ReadonlySet<string> = new Set(INTERVALS);
const SYMBOL_PART = /^[A-Za-z0-9]{1,20}$/;

/** Longest name the parser looks at; longer strings are invalid without further work. */
export const MAX_STREAM_NAME_LENGTH = 64;

/**
 * Parse one stream name. `symbols` holds the known UPPERCASE symbols; an unknown symbol makes the
 * name invalid (the wire's code 2). Returns undefined for anything that is not a stream name.
 */
export function parseStream(name: string, symbols: ReadonlySet<string>): StreamSpec | undefined {
  if (name.length === 0 || name.length > MAX_STREAM_NAME_LENGTH) return undefined;
  if (name === '!miniTicker@arr') return { kind: 'allMiniTickers', key: name };
  if (name === '!ticker@arr') return { kind: 'allTickers', key: name };

  const at = name.indexOf('@');
  if (at <= 0) return undefined;
  const symbolPart = name.slice(0, at);
  if (!SYMBOL_PART.test(symbolPart)) return undefined;
  const symbol = symbolPart.toUpperCase();
  if (!symbols.has(symbol)) return undefined;
  const lower = symbolPart.toLowerCase();
  const rest = name.slice(at + 1);

  switch (rest) {
    case 'trade':
    case 'aggTrade':
    case 'bookTicker':
    case 'miniTicker':
    case 'ticker':
    case 'avgPrice':
      return { kind: rest, key: `${lower}@${rest}`, symbol };
  }

  if (rest === 'ticker_1h' || rest === 'ticker_4h' || rest === 'ticker_1d') {
    return { kind: 'rollingTicker', key: `${lower}@${rest}`, symbol, window: rest.slice('ticker_'.length) as '1h' | '4h' | '1d' };
  }

  if (rest.startsWith('kline_')) {
    const tz = rest.endsWith('@+08:00');
    const interval = rest.slice('kline_'.length, tz ? rest.length - '@+08:00'.length : rest.length);
    if (!INTERVAL_SET.has(interval)) return undefined;
    return {
      kind: 'kline',
      key: `${lower}@kline_${interval}${tz ? '@+08:00' : ''}`,
      symbol,
      interval: interval as Interval,
      tzOffsetMin: tz ? 480 : 0,
    };
  }

  const depth = /^depth(5|10|20)?(?:@(100|1000)ms)?$/.exec(rest);
  if (depth) {
    const speed: DepthSpeed = depth[2] === '100' ? 100 : 1000;
    if (depth[1] === undefined) return { kind: 'diffDepth', key: `${lower}@depth@${speed}ms`, symbol, speed };
    const levels = Number(depth[1]) as 5 | 10 | 20;
    return { kind: 'partialDepth', key: `${lower}@depth${levels}@${speed}ms`, symbol, levels, speed };
  }
  return undefined;
}

/**
 * The name a subscription is known by, as Binance knows it: the symbol lowercased, the rest as
 * written (`SOLUSDT@kline_1M` is `solusdt@kline_1M`; `kline_1m` and `kline_1M` stay distinct
 * intervals). Only meaningful for a name parseStream accepted.
 */
export function subscriptionName(name: string): string {
  if (name.startsWith('!')) return name; // `!miniTicker@arr`, `!ticker@arr`: no symbol
  const at = name.indexOf('@');
  return at > 0 ? name.slice(0, at).toLowerCase() + name.slice(at) : name;
}
