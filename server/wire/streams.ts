// Stream names of the wire (docs/protocol.md): one table defines every name's format; the
// builders, the parser and the list of kinds are all derived from it, so they cannot disagree.
// No Node or uWS imports: the gateway, the dashboard, the bench and the tests name streams with this.
import { INTERVALS, type DepthSpeed, type Interval } from '../market/types.ts';

export type RollingWindow = '1h' | '4h' | '1d';
export type DepthLevels = 5 | 10 | 20;
/** 0, or 480 for the `@+08:00` kline suffix. */
export type TzOffsetMin = 0 | 480;

export const ROLLING_WINDOWS: readonly RollingWindow[] = ['1h', '4h', '1d'];
export const DEPTH_LEVELS: readonly DepthLevels[] = [5, 10, 20];
export const DEPTH_SPEEDS: readonly DepthSpeed[] = [100, 1000];
/** The speed of a depth name that gives none (`solusdt@depth`, `solusdt@depth5`). */
export const DEFAULT_DEPTH_SPEED: DepthSpeed = 1000;

type PlainKind = 'trade' | 'aggTrade' | 'bookTicker' | 'miniTicker' | 'ticker' | 'avgPrice';
type ArrayKind = 'allMiniTickers' | 'allTickers';

/**
 * What a stream carries. `key` is canonical: the symbol lowercased and the default speed spelled
 * out (`SOLUSDT@depth` and `solusdt@depth@1000ms` share the key `solusdt@depth@1000ms`), so two
 * names with one key get the same payload bytes. `symbol` is UPPERCASE, as in payloads.
 */
export type StreamSpec =
  | { [K in PlainKind]: { readonly kind: K; readonly key: string; readonly symbol: string } }[PlainKind]
  | { [K in ArrayKind]: { readonly kind: K; readonly key: string } }[ArrayKind]
  | { readonly kind: 'rollingTicker'; readonly key: string; readonly symbol: string; readonly window: RollingWindow }
  | { readonly kind: 'kline'; readonly key: string; readonly symbol: string; readonly interval: Interval; readonly tzOffsetMin: TzOffsetMin }
  | { readonly kind: 'partialDepth'; readonly key: string; readonly symbol: string; readonly levels: DepthLevels; readonly speed: DepthSpeed }
  | { readonly kind: 'diffDepth'; readonly key: string; readonly symbol: string; readonly speed: DepthSpeed };

export type StreamKind = StreamSpec['kind'];
/** A spec without its key: what names a stream before its name is built. */
export type StreamTarget = StreamSpec extends infer S ? (S extends StreamSpec ? Omit<S, 'key'> : never) : never;
type ParamsOf<K extends StreamKind> = Omit<Extract<StreamSpec, { kind: K }>, 'kind' | 'key' | 'symbol'>;

/** A stream per symbol: `<symbol lowercase>@<suffix>`. */
interface SymbolFormat<P> {
  readonly perSymbol: true;
  /** The canonical part after `<symbol>@`. */
  suffix(p: P): string;
  /** Every parameter set the kind takes; the parser knows exactly these (and their aliases). */
  readonly variants: readonly P[];
  /** Other spellings the parser accepts for a variant, reduced to the canonical one. */
  aliases?(p: P): readonly string[];
}
/** A market-wide stream with one fixed name. */
interface ArrayFormat {
  readonly perSymbol: false;
  readonly name: string;
}
type Format<K extends StreamKind> = K extends ArrayKind ? ArrayFormat : SymbolFormat<ParamsOf<K>>;

const plain = (suffix: string): SymbolFormat<{}> => ({ perSymbol: true, suffix: () => suffix, variants: [{}] });
const noDefaultSpeed = (canonical: string, speed: DepthSpeed): string[] =>
  speed === DEFAULT_DEPTH_SPEED ? [canonical.slice(0, -`@${speed}ms`.length)] : [];

/**
 * The one definition of every stream name. `satisfies` makes a kind missing here (or one
 * StreamSpec does not know) a compile error; the builders, the parser and STREAM_KINDS come from it.
 */
const FORMATS = {
  trade: plain('trade'),
  aggTrade: plain('aggTrade'),
  bookTicker: plain('bookTicker'),
  miniTicker: plain('miniTicker'),
  ticker: plain('ticker'),
  avgPrice: plain('avgPrice'),
  rollingTicker: {
    perSymbol: true,
    suffix: (p: { readonly window: RollingWindow }) => `ticker_${p.window}`,
    variants: ROLLING_WINDOWS.map((window) => ({ window })),
  },
  kline: {
    perSymbol: true,
    suffix: (p: { readonly interval: Interval; readonly tzOffsetMin: TzOffsetMin }) => `kline_${p.interval}${p.tzOffsetMin === 480 ? '@+08:00' : ''}`,
    variants: INTERVALS.flatMap((interval) => [{ interval, tzOffsetMin: 0 as const }, { interval, tzOffsetMin: 480 as const }]),
  },
  partialDepth: {
    perSymbol: true,
    suffix: (p: { readonly levels: DepthLevels; readonly speed: DepthSpeed }) => `depth${p.levels}@${p.speed}ms`,
    variants: DEPTH_LEVELS.flatMap((levels) => DEPTH_SPEEDS.map((speed) => ({ levels, speed }))),
    aliases: (p: { readonly levels: DepthLevels; readonly speed: DepthSpeed }) => noDefaultSpeed(`depth${p.levels}@${p.speed}ms`, p.speed),
  },
  diffDepth: {
    perSymbol: true,
    suffix: (p: { readonly speed: DepthSpeed }) => `depth@${p.speed}ms`,
    variants: DEPTH_SPEEDS.map((speed) => ({ speed })),
    aliases: (p: { readonly speed: DepthSpeed }) => noDefaultSpeed(`depth@${p.speed}ms`, p.speed),
  },
  allMiniTickers: { perSymbol: false, name: '!miniTicker@arr' },
  allTickers: { perSymbol: false, name: '!ticker@arr' },
} as const satisfies { readonly [K in StreamKind]: Format<K> };

/** Every stream kind, complete by construction (the keys of the checked table). */
export const STREAM_KINDS = Object.keys(FORMATS) as readonly StreamKind[];

/** A record with one value per stream kind (e.g. a metrics counter each), complete by construction. */
export function byStreamKind<T>(make: (kind: StreamKind) => T): Record<StreamKind, T> {
  return Object.fromEntries(STREAM_KINDS.map((k) => [k, make(k)])) as Record<StreamKind, T>;
}

// FORMATS[t.kind] is the format of t's own kind, which TS cannot correlate across the union:
// these two views let one code path serve every kind (the table above is what is type-checked).
const symbolFormat = (kind: StreamKind) => FORMATS[kind] as SymbolFormat<object> | ArrayFormat;

/** The canonical name (= key) of a stream: symbol lowercased, default speed spelled out. */
export function streamKey(t: StreamTarget): string {
  const f = symbolFormat(t.kind);
  return f.perSymbol ? `${(t as { symbol: string }).symbol.toLowerCase()}@${f.suffix(t)}` : f.name;
}

/** Name builders, one per kind: `streamName.trade('SOLUSDT')` is `solusdt@trade`. */
export const streamName = {
  trade: (symbol: string) => streamKey({ kind: 'trade', symbol }),
  aggTrade: (symbol: string) => streamKey({ kind: 'aggTrade', symbol }),
  bookTicker: (symbol: string) => streamKey({ kind: 'bookTicker', symbol }),
  miniTicker: (symbol: string) => streamKey({ kind: 'miniTicker', symbol }),
  ticker: (symbol: string) => streamKey({ kind: 'ticker', symbol }),
  avgPrice: (symbol: string) => streamKey({ kind: 'avgPrice', symbol }),
  rollingTicker: (symbol: string, window: RollingWindow) => streamKey({ kind: 'rollingTicker', symbol, window }),
  kline: (symbol: string, interval: Interval, tzOffsetMin: TzOffsetMin = 0) => streamKey({ kind: 'kline', symbol, interval, tzOffsetMin }),
  partialDepth: (symbol: string, levels: DepthLevels, speed: DepthSpeed = DEFAULT_DEPTH_SPEED) =>
    streamKey({ kind: 'partialDepth', symbol, levels, speed }),
  diffDepth: (symbol: string, speed: DepthSpeed = DEFAULT_DEPTH_SPEED) => streamKey({ kind: 'diffDepth', symbol, speed }),
  allMiniTickers: () => streamKey({ kind: 'allMiniTickers' }),
  allTickers: () => streamKey({ kind: 'allTickers' }),
} as const satisfies { readonly [K in StreamKind]: (...args: never) => string };

/** Every stream of one symbol, and the market-wide ones: the whole name space the parser accepts. */
export function streamTargets(symbol: string): StreamTarget[] {
  return STREAM_KINDS.flatMap((kind): StreamTarget[] => {
    const f = symbolFormat(kind);
    return f.perSymbol ? f.variants.map((p) => ({ kind, symbol, ...p }) as StreamTarget) : [{ kind } as StreamTarget];
  });
}

/** Intervals whose +08:00 boundaries differ from UTC ones; for the others `@+08:00` is the UTC kline. */
export const TZ_DISTINCT_INTERVALS: ReadonlySet<Interval> = new Set<Interval>(['6h', '12h', '1d', '3d', '1w', '1M']);

/** Longest name the parser looks at; longer strings are invalid without further work. */
export const MAX_STREAM_NAME_LENGTH = 64;

const SYMBOL_PART = /^[A-Za-z0-9]{1,20}$/;

/** The parser's tables, derived from FORMATS: every accepted suffix (aliases included) and array name. */
const BY_SUFFIX = new Map<string, { readonly kind: StreamKind; readonly suffix: string; readonly params: object }>();
const BY_ARRAY_NAME = new Map<string, StreamKind>();
for (const kind of STREAM_KINDS) {
  const f = symbolFormat(kind);
  if (!f.perSymbol) {
    BY_ARRAY_NAME.set(f.name, kind);
    continue;
  }
  for (const params of f.variants) {
    const suffix = f.suffix(params);
    for (const spelling of [suffix, ...(f.aliases?.(params) ?? [])]) BY_SUFFIX.set(spelling, { kind, suffix, params });
  }
}

/**
 * Parse one stream name. `symbols` holds the known UPPERCASE symbols (a Set, or anything with
 * `has`); an unknown symbol makes the name invalid (the wire's code 2). Returns undefined for anything that is not a stream name.
 * The part after `<symbol>@` is case-sensitive; the symbol is not.
 */
export function parseStream(name: string, symbols: Pick<ReadonlySet<string>, 'has'>): StreamSpec | undefined {
  if (name.length === 0 || name.length > MAX_STREAM_NAME_LENGTH) return undefined;
  const array = BY_ARRAY_NAME.get(name);
  if (array !== undefined) return { kind: array, key: name } as StreamSpec;

  const at = name.indexOf('@');
  if (at <= 0) return undefined;
  const symbolPart = name.slice(0, at);
  if (!SYMBOL_PART.test(symbolPart)) return undefined;
  const symbol = symbolPart.toUpperCase();
  if (!symbols.has(symbol)) return undefined;
  const format = BY_SUFFIX.get(name.slice(at + 1));
  if (format === undefined) return undefined;
  // The entry was made from FORMATS[format.kind].variants, so kind and params belong together.
  return { kind: format.kind, key: `${symbolPart.toLowerCase()}@${format.suffix}`, symbol, ...format.params } as StreamSpec;
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
