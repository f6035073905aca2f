// The REST market-data endpoints as data: path, weight, reply (docs/protocol.md#rest-endpoints). rest.ts serves them.
// Pure: no Node or uWS imports, so each endpoint can be called on a fake market in a test.
import type { MarketView } from '../market/types.ts';
import type { RestPath } from './rest-catalog.ts';
import {
  RestError, endTimeParam, integerParam, intervalParam, limitForWeight, limitParam, startTimeParam,
  symbolParam, symbolSelection, tickerTypeParam, timeZoneParam, windowSizeParam, type Query,
} from './params.ts';
import type { TimeUnit } from '../wire/encode.ts';
import {
  createExchangeInfoEncoder, restAggTrade, restAvgPrice, restBookTicker, restDepth, restKline, restRollingTicker, restRollingTickerMini,
  restServerTime, restTicker24h, restTickerMini, restTickerPrice, restTrade,
} from '../wire/encode-rest.ts';
import { RestErrorCode, RestErrorMsg } from '../wire/errors.ts';

export interface Endpoint {
  /** Route path, e.g. `/api/v3/ticker/price`; also the `endpoint` label of the request counter. */
  readonly path: RestPath;
  /** Weight of a request whose query could not be read. */
  readonly baseWeight: number;
  /** Weight of this request, read from its parameters before they are checked. Never throws. */
  weight(q: Query): number;
  /** The JSON reply, serialized once. Throws RestError for a bad parameter. */
  reply(q: Query, unit: TimeUnit): string;
}

const fixed = (w: number) => () => w;

/** Binance's depth weight by limit: 1–100 ⇒ 5, 101–500 ⇒ 25, 501–1000 ⇒ 50, 1001–5000 ⇒ 250. */
export function depthWeight(limit: number): number {
  return limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;
}

/** ticker/24hr: 2 for one symbol; by count for `symbols` (1–20 ⇒ 2, 21–100 ⇒ 40, more ⇒ 80); 80 for all. */
export function ticker24hWeight(symbolCount: number | 'all'): number {
  if (symbolCount === 'all' || symbolCount > 100) return 80;
  return symbolCount > 20 ? 40 : 2;
}

/** GET /api/v3/ticker: 4 per symbol whatever the window, capped at 200 (reached at 50 symbols). */
export function rollingTickerWeight(symbolCount: number | 'all'): number {
  return symbolCount === 'all' ? 4 : Math.min(200, 4 * Math.max(1, symbolCount));
}

/** How many symbols the request names, without judging them: 1 for `symbol`, the array length for `symbols`. */
function countSymbols(q: Query): number | 'all' {
  if (q.has('symbol')) return 1;
  const raw = q.get('symbols');
  if (raw === undefined) return 'all';
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.length : 1;
  } catch {
    return 1;
  }
}

export function createEndpoints(market: MarketView, opts: { readonly weightPerMinute: number }): readonly Endpoint[] {
  const known = (symbol: string): string => {
    if (market.spec(symbol) === undefined) throw new RestError(RestErrorCode.BAD_SYMBOL, RestErrorMsg.badSymbol);
    return symbol;
  };
  /** The symbols a request selects: one (`single`), a list, or every listed symbol. */
  const selected = (q: Query): { single: boolean; symbols: readonly string[] } => {
    const sel = symbolSelection(q);
    if (sel.symbol !== undefined) return { single: true, symbols: [known(sel.symbol)] };
    if (sel.symbols !== undefined) return { single: false, symbols: sel.symbols.map(known) };
    return { single: false, symbols: market.specs.map((s) => s.symbol) };
  };
  /** The last trade's price: one ring read, where ticker24h would fold a day of bars. */
  const lastPrice = (symbol: string): string => {
    const last = market.recentTrades(symbol, 1)[0];
    return last !== undefined ? last.price : market.ticker24h(symbol).lastPrice;
  };
  const many = <T>(q: Query, one: (symbol: string) => T): string => {
    const { single, symbols } = selected(q);
    return JSON.stringify(single ? one(symbols[0]!) : symbols.map(one));
  };

  const exchangeInfo = createExchangeInfoEncoder(market.specs, opts.weightPerMinute);

  return [
    { path: '/api/v3/ping', baseWeight: 1, weight: fixed(1), reply: () => '{}' },
    {
      path: '/api/v3/time',
      baseWeight: 1,
      weight: fixed(1),
      reply: (_q, unit) => restServerTime(market.nowUs(), unit),
    },
    {
      path: '/api/v3/exchangeInfo',
      baseWeight: 20,
      weight: fixed(20),
      reply(q, unit) {
        const sel = symbolSelection(q);
        const list = sel.symbol !== undefined ? [sel.symbol] : sel.symbols;
        return exchangeInfo(market.nowUs(), unit, list?.map(known));
      },
    },
    {
      path: '/api/v3/depth',
      baseWeight: 5,
      weight: (q) => depthWeight(limitForWeight(q, 100)),
      reply(q) {
        const symbol = known(symbolParam(q, true));
        const limit = limitParam(q, 100, 5000);
        return restDepth(market.depth(symbol, limit));
      },
    },
    {
      path: '/api/v3/trades',
      baseWeight: 25,
      weight: fixed(25),
      reply(q, unit) {
        const symbol = known(symbolParam(q, true));
        const limit = limitParam(q, 500, 1000);
        return JSON.stringify(market.recentTrades(symbol, limit).map((t) => restTrade(t, unit)));
      },
    },
    {
      // A public MARKET_DATA endpoint now; Binance once wanted an API key for it. No key is asked for.
      path: '/api/v3/historicalTrades',
      baseWeight: 25,
      weight: fixed(25),
      reply(q, unit) {
        const symbol = known(symbolParam(q, true));
        const limit = limitParam(q, 500, 1000);
        const fromId = integerParam(q, 'fromId');
        return JSON.stringify(market.tradesFrom(symbol, fromId, limit).map((t) => restTrade(t, unit)));
      },
    },
    {
      path: '/api/v3/aggTrades',
      baseWeight: 4,
      weight: fixed(4),
      reply(q, unit) {
        const symbol = known(symbolParam(q, true));
        const fromId = integerParam(q, 'fromId');
        const startTimeUs = startTimeParam(q);
        const endTimeUs = endTimeParam(q);
        const limit = limitParam(q, 500, 1000);
        if (fromId !== undefined && (startTimeUs !== undefined || endTimeUs !== undefined)) {
          throw new RestError(RestErrorCode.OPTIONAL_PARAMS_BAD_COMBO, RestErrorMsg.badCombo);
        }
        if (startTimeUs !== undefined && endTimeUs !== undefined && startTimeUs > endTimeUs) return '[]';
        const rows = market.aggTrades(symbol, { limit, fromId, startTimeUs, endTimeUs });
        return JSON.stringify(rows.map((a) => restAggTrade(a, unit)));
      },
    },
    klinesEndpoint('/api/v3/klines'),
    klinesEndpoint('/api/v3/uiKlines'),
    {
      path: '/api/v3/ticker/24hr',
      baseWeight: 2,
      weight: (q) => ticker24hWeight(countSymbols(q)),
      reply(q, unit) {
        const type = tickerTypeParam(q);
        return many(q, (s) => (type === 'FULL' ? restTicker24h : restTickerMini)(market.ticker24h(s), unit));
      },
    },
    {
      path: '/api/v3/ticker',
      baseWeight: 4,
      weight: (q) => rollingTickerWeight(countSymbols(q)),
      reply(q, unit) {
        const sel = symbolSelection(q);
        const minutes = windowSizeParam(q);
        const format = tickerTypeParam(q) === 'FULL' ? restRollingTicker : restRollingTickerMini;
        // Unlike ticker/24hr there is no "all symbols" form.
        if (sel.symbol === undefined && sel.symbols === undefined) {
          throw new RestError(RestErrorCode.MANDATORY_PARAM_EMPTY_OR_MALFORMED, RestErrorMsg.symbolOrSymbols);
        }
        const symbols = (sel.symbols ?? [sel.symbol!]).map(known);
        const rows = symbols.map((s) => format(market.rollingTicker(s, minutes), unit));
        return JSON.stringify(sel.symbol !== undefined ? rows[0] : rows);
      },
    },
    {
      path: '/api/v3/ticker/price',
      baseWeight: 2,
      weight: (q) => (q.has('symbol') ? 2 : 4),
      reply(q) {
        // The benchmarked path: one symbol, one string, no intermediate object.
        if (q.size === 1) {
          const symbol = q.get('symbol');
          if (symbol !== undefined && market.spec(symbol) !== undefined) {
            return restTickerPrice(symbol, lastPrice(symbol));
          }
        }
        return many(q, (s) => ({ symbol: s, price: lastPrice(s) }));
      },
    },
    {
      path: '/api/v3/ticker/bookTicker',
      baseWeight: 2,
      weight: (q) => (q.has('symbol') ? 2 : 4),
      reply: (q) => many(q, (s) => restBookTicker(market.bookTicker(s))),
    },
    {
      path: '/api/v3/avgPrice',
      baseWeight: 2,
      weight: fixed(2),
      reply(q, unit) {
        const a = market.avgPrice(known(symbolParam(q, true)));
        return restAvgPrice(a, unit);
      },
    },
  ];

  function klinesEndpoint(path: RestPath): Endpoint {
    return {
      path,
      baseWeight: 2,
      weight: fixed(2),
      reply(q, unit) {
        const symbol = known(symbolParam(q, true));
        const interval = intervalParam(q);
        const startTimeUs = startTimeParam(q);
        const endTimeUs = endTimeParam(q);
        const tzOffsetMin = timeZoneParam(q);
        const limit = limitParam(q, 500, 1000);
        if (startTimeUs !== undefined && endTimeUs !== undefined && startTimeUs > endTimeUs) return '[]';
        const rows = market.klines(symbol, interval, { limit, startTimeUs, endTimeUs, tzOffsetMin });
        return JSON.stringify(rows.map((k) => restKline(k, unit)));
      },
    };
  }
}
