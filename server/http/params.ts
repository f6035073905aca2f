// REST query parsing and parameter checks, with Binance's error codes (named in wire/errors.ts).
// Pure: no Node or uWS imports. A bad parameter throws RestError, which rest.ts answers with 400.
import { INTERVALS, type Interval } from '../market/types.ts';
import { parseTimeUnit, type TimeUnit } from '../wire/encode.ts';
import { RestErrorCode, RestErrorMsg } from '../wire/errors.ts';

/** A refusal the client caused: answered with `status` and `{"code":..,"msg":".."}`. */
export class RestError extends Error {
  override readonly name = 'RestError';
  constructor(
    readonly code: RestErrorCode,
    msg: string,
    readonly status: number = 400,
  ) {
    super(msg);
  }
}

/** Decoded query parameters, each name at most once. */
export type Query = ReadonlyMap<string, string>;

const EMPTY: Query = new Map();

/**
 * Split a raw query string (`a=1&b=%5B%22X%22%5D`). Names and values are percent-decoded with
 * decodeURIComponent; `+` stays `+` (a raw `timeZone=+08:00` must survive). A repeated name is -1101.
 * Only strings holding `%` are decoded, so the common case allocates nothing but the slices.
 */
export function parseQuery(raw: string): Query {
  if (raw === '') return EMPTY;
  const out = new Map<string, string>();
  let start = 0;
  while (start <= raw.length) {
    let end = raw.indexOf('&', start);
    if (end < 0) end = raw.length;
    if (end > start) {
      const eq = raw.indexOf('=', start);
      const hasValue = eq >= 0 && eq < end;
      const name = decode(raw.slice(start, hasValue ? eq : end), undefined);
      const value = hasValue ? decode(raw.slice(eq + 1, end), name) : '';
      if (out.has(name)) throw new RestError(RestErrorCode.TOO_MANY_PARAMETERS, RestErrorMsg.duplicateParam);
      out.set(name, value);
    }
    start = end + 1;
  }
  return out;
}

function decode(s: string, name: string | undefined): string {
  if (s.indexOf('%') < 0) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    throw new RestError(RestErrorCode.ILLEGAL_CHARS, RestErrorMsg.illegalChars(name));
  }
}

const SYMBOL = /^[A-Z0-9\-_.]{1,20}$/;
const SYMBOL_RANGE = '^[A-Z0-9-_.]{1,20}$';
const SYMBOLS_RANGE = '^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$';
const DIGITS = /^[0-9]{1,20}$/;

const mandatory = (name: string) => new RestError(RestErrorCode.MANDATORY_PARAM_EMPTY_OR_MALFORMED, RestErrorMsg.mandatory(name));
const empty = (name: string) => new RestError(RestErrorCode.PARAM_EMPTY, RestErrorMsg.empty(name));
const invalid = (name: string) => new RestError(RestErrorCode.INVALID_PARAMETER, RestErrorMsg.invalid(name));
const illegal = (name: string, range: string) => new RestError(RestErrorCode.ILLEGAL_CHARS, RestErrorMsg.illegalCharsRange(name, range));

/** A symbol's spelling (not whether it is listed: that is -1121, checked against the market). */
export function symbolParam(q: Query, required: true): string;
export function symbolParam(q: Query, required: false): string | undefined;
export function symbolParam(q: Query, required: boolean): string | undefined {
  const v = q.get('symbol');
  if (v === undefined) {
    if (required) throw mandatory('symbol');
    return undefined;
  }
  if (v === '') throw required ? mandatory('symbol') : empty('symbol');
  if (!SYMBOL.test(v)) throw illegal('symbol', SYMBOL_RANGE);
  return v;
}

/** `symbols=["A","B"]`: a JSON array of distinct, well-spelled symbols; undefined when absent. */
export function symbolsParam(q: Query): string[] | undefined {
  const v = q.get('symbols');
  if (v === undefined) return undefined;
  if (v === '') throw empty('symbols');
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    throw new RestError(RestErrorCode.INVALID_JSON, RestErrorMsg.invalidJson('symbols'));
  }
  if (!Array.isArray(parsed)) throw new RestError(RestErrorCode.INVALID_JSON, RestErrorMsg.invalidJson('symbols'));
  if (parsed.length === 0) throw empty('symbols');
  const seen = new Set<string>();
  for (const s of parsed) {
    if (typeof s !== 'string' || !SYMBOL.test(s)) {
      throw illegal('symbols', SYMBOLS_RANGE);
    }
    if (seen.has(s)) throw new RestError(RestErrorCode.DUPLICATE_SYMBOLS, RestErrorMsg.duplicateSymbols);
    seen.add(s);
  }
  return parsed as string[];
}

/** `symbol` or `symbols` or neither (all symbols); both is -1128. */
export function symbolSelection(q: Query): { readonly symbol?: string; readonly symbols?: string[] } {
  const symbol = symbolParam(q, false);
  const symbols = symbolsParam(q);
  if (symbol !== undefined && symbols !== undefined) throw new RestError(RestErrorCode.OPTIONAL_PARAMS_BAD_COMBO, RestErrorMsg.badCombo);
  return symbol !== undefined ? { symbol } : symbols !== undefined ? { symbols } : {};
}

/** A non-negative integer parameter, undefined when absent. */
export function integerParam(q: Query, name: string): number | undefined {
  const v = q.get(name);
  if (v === undefined) return undefined;
  if (v === '') throw empty(name);
  if (!DIGITS.test(v)) throw illegal(name, '^[0-9]{1,20}$');
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw invalid(name);
  return n;
}

/** `limit` in [1, max], `def` when absent. */
export function limitParam(q: Query, def: number, max: number): number {
  const n = integerParam(q, 'limit');
  if (n === undefined) return def;
  if (n < 1 || n > max) throw invalid('limit');
  return n;
}

/**
 * `limit` for weighing a request before it is checked: the value when it reads as an integer,
 * `def` otherwise (a malformed limit is refused afterwards, at the default weight).
 */
export function limitForWeight(q: Query, def: number): number {
  const v = q.get('limit');
  if (v === undefined || !DIGITS.test(v)) return def;
  return Number(v);
}

const INTERVAL_SET: ReadonlySet<string> = new Set(INTERVALS);

export function intervalParam(q: Query): Interval {
  const v = q.get('interval');
  if (v === undefined || v === '') throw mandatory('interval');
  if (!INTERVAL_SET.has(v)) throw new RestError(RestErrorCode.BAD_INTERVAL, RestErrorMsg.badInterval);
  return v as Interval;
}

const TIME_ZONE = /^([+-])?(\d{1,2})(?::(\d{2}))?$/;

/**
 * Kline time zone as an offset in minutes: `0`, `8`, `-1:00`, `+08:00`, `5:45`; range
 * [-12:00, +14:00] inclusive (Binance). Absent: 0 (UTC).
 */
export function parseTimeZone(v: string): number | undefined {
  const m = TIME_ZONE.exec(v);
  if (!m) return undefined;
  const hours = Number(m[2]);
  const minutes = m[3] === undefined ? 0 : Number(m[3]);
  if (minutes >= 60) return undefined;
  const offset = (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
  if (offset < -12 * 60 || offset > 14 * 60) return undefined;
  return offset === 0 ? 0 : offset; // no -0
}

export function timeZoneParam(q: Query): number {
  const v = q.get('timeZone');
  if (v === undefined) return 0;
  if (v === '') throw empty('timeZone');
  const offset = parseTimeZone(v);
  if (offset === undefined) throw invalid('timeZone');
  return offset;
}

export type TickerType = 'FULL' | 'MINI';

export function tickerTypeParam(q: Query): TickerType {
  const v = q.get('type');
  if (v === undefined) return 'FULL';
  if (v === '') throw empty('type');
  if (v !== 'FULL' && v !== 'MINI') throw new RestError(RestErrorCode.INVALID_TICKER_TYPE, RestErrorMsg.badTickerType);
  return v;
}

const WINDOW_SIZE = /^([1-9][0-9]?)([mhd])$/;
const WINDOW_SIZE_RANGE = '^([1-9]|[1-5][0-9])m$|^([1-9]|1[0-9]|2[0-3])h$|^[1-7]d$';
/** Largest count of each unit a windowSize may take, and the unit in minutes. */
const WINDOW_UNITS: Readonly<Record<string, readonly [max: number, minutes: number]>> = { m: [59, 1], h: [23, 60], d: [7, 1440] };

/**
 * GET /api/v3/ticker's `windowSize` in minutes: `1m`–`59m`, `1h`–`23h`, `1d`–`7d`; absent: `1d`.
 * Units cannot be combined (`1d2h`) and a count may not spill into the next unit (`60m`, `24h`).
 */
export function windowSizeParam(q: Query): number {
  const v = q.get('windowSize');
  if (v === undefined) return 1440;
  if (v === '') throw empty('windowSize');
  const m = WINDOW_SIZE.exec(v);
  const unit = m && WINDOW_UNITS[m[2]!];
  const n = m ? Number(m[1]) : 0;
  if (!unit || n > unit[0]) {
    throw illegal('windowSize', WINDOW_SIZE_RANGE);
  }
  return n * unit[1];
}

/**
 * Values at or above this are taken as microseconds, below as milliseconds: Binance accepts
 * `startTime`/`endTime` in either unit. 1e14 ms is the year 5138; 1e14 µs is 1973.
 */
const MICROS_FROM = 1e14;

/** `startTime` as µs (the first µs of that ms when given in ms). */
export function startTimeParam(q: Query): number | undefined {
  const v = integerParam(q, 'startTime');
  if (v === undefined) return undefined;
  return v >= MICROS_FROM ? v : v * 1000;
}

/** `endTime` as µs, inclusive (the last µs of that ms when given in ms). */
export function endTimeParam(q: Query): number | undefined {
  const v = integerParam(q, 'endTime');
  if (v === undefined) return undefined;
  return v >= MICROS_FROM ? v : v * 1000 + 999;
}

/**
 * The `X-MBX-TIME-UNIT` header: MICROSECOND is µs; absent or MILLISECOND, ms.
 * Case-insensitive, like Binance (`MICROSECOND` or `microsecond`).
 */
export function timeUnitParam(header: string): TimeUnit {
  const unit = parseTimeUnit(header);
  if (unit === undefined) throw illegal('X-MBX-TIME-UNIT', 'MILLISECOND|MICROSECOND');
  return unit;
}
