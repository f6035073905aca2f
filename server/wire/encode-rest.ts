// MarketView values → REST reply bodies (docs/protocol.md), beside encode.ts's stream bodies so
// REST and streams format from one place (one wireTime). Pure: no Node or uWS imports; request
// handling (parameters, weights, errors) stays in server/http/.
// Times leave as epoch ms (floor of the µs) unless the request asked for microseconds.
import type { AggTrade, BookTicker, DepthSnapshot, Kline, RollingTicker, SymbolSpec, Ticker24h, Trade } from '../market/types.ts';
import { wireTime, type TimeUnit } from './encode.ts';
import type {
  RestAggTrade, RestBookTicker, RestKline, RestTicker24h, RestTicker24hMini, RestTrade,
} from './payloads.ts';

/** GET /api/v3/time. */
export function restServerTime(nowUs: number, unit: TimeUnit): string {
  return `{"serverTime":${wireTime(nowUs, unit)}}`;
}

/** GET /api/v3/depth: the levels as they are (the market already cut them to the limit). */
export function restDepth(d: DepthSnapshot): string {
  return JSON.stringify({ lastUpdateId: d.lastUpdateId, bids: d.bids, asks: d.asks });
}

/** GET /api/v3/ticker/price for one symbol, by concatenation (the benchmarked path). */
export function restTickerPrice(symbol: string, price: string): string {
  return `{"symbol":"${symbol}","price":"${price}"}`;
}

/** GET /api/v3/avgPrice. */
export function restAvgPrice(a: { readonly mins: number; readonly price: string; readonly closeTimeUs: number }, unit: TimeUnit): string {
  return JSON.stringify({ mins: a.mins, price: a.price, closeTime: wireTime(a.closeTimeUs, unit) });
}

export function restTrade(t: Trade, unit: TimeUnit): RestTrade {
  return {
    id: t.id, price: t.price, qty: t.qty, quoteQty: t.quoteQty,
    time: wireTime(t.timeUs, unit), isBuyerMaker: t.buyerMaker, isBestMatch: true,
  };
}

export function restAggTrade(a: AggTrade, unit: TimeUnit): RestAggTrade {
  return {
    a: a.id, p: a.price, q: a.qty, f: a.firstTradeId, l: a.lastTradeId,
    T: wireTime(a.timeUs, unit), m: a.buyerMaker, M: true,
  };
}

export function restKline(k: Kline, unit: TimeUnit): RestKline {
  return [
    wireTime(k.openTimeUs, unit), k.open, k.high, k.low, k.close, k.volume,
    wireTime(k.closeTimeUs, unit), k.quoteVolume, k.trades, k.takerBuyBase, k.takerBuyQuote, '0',
  ];
}

/** The fields every ticker body (24 h or rolling, FULL or MINI) ends with, in Binance's order. */
function windowStats(w: Pick<Ticker24h | RollingTicker, 'volume' | 'quoteVolume' | 'openTimeUs' | 'closeTimeUs' | 'firstId' | 'lastId' | 'count'>, unit: TimeUnit) {
  return {
    volume: w.volume, quoteVolume: w.quoteVolume, openTime: wireTime(w.openTimeUs, unit), closeTime: wireTime(w.closeTimeUs, unit),
    firstId: w.firstId, lastId: w.lastId, count: w.count,
  };
}

export function restTicker24h(t: Ticker24h, unit: TimeUnit): RestTicker24h {
  return {
    symbol: t.symbol,
    priceChange: t.priceChange,
    priceChangePercent: t.priceChangePercent,
    weightedAvgPrice: t.weightedAvgPrice,
    prevClosePrice: t.prevClosePrice,
    lastPrice: t.lastPrice,
    lastQty: t.lastQty,
    bidPrice: t.bidPrice,
    bidQty: t.bidQty,
    askPrice: t.askPrice,
    askQty: t.askQty,
    openPrice: t.openPrice,
    highPrice: t.highPrice,
    lowPrice: t.lowPrice,
    ...windowStats(t, unit),
  };
}

export function restTickerMini(t: Ticker24h, unit: TimeUnit): RestTicker24hMini {
  return {
    symbol: t.symbol,
    openPrice: t.openPrice,
    highPrice: t.highPrice,
    lowPrice: t.lowPrice,
    lastPrice: t.lastPrice,
    ...windowStats(t, unit),
  };
}

/** GET /api/v3/ticker type=FULL: the 24 h fields less prevClosePrice, lastQty and the book's bid/ask. */
export type RestRollingTicker = Omit<RestTicker24h, 'prevClosePrice' | 'lastQty' | 'bidPrice' | 'bidQty' | 'askPrice' | 'askQty'>;

export function restRollingTicker(r: RollingTicker, unit: TimeUnit): RestRollingTicker {
  return {
    symbol: r.symbol,
    priceChange: r.priceChange,
    priceChangePercent: r.priceChangePercent,
    weightedAvgPrice: r.weightedAvgPrice,
    openPrice: r.open,
    highPrice: r.high,
    lowPrice: r.low,
    lastPrice: r.last,
    ...windowStats(r, unit),
  };
}

/** GET /api/v3/ticker type=MINI: the same fields as the 24 h MINI ticker (FULL less the change and average). */
export function restRollingTickerMini(r: RollingTicker, unit: TimeUnit): RestTicker24hMini {
  const { priceChange: _change, priceChangePercent: _percent, weightedAvgPrice: _average, ...mini } = restRollingTicker(r, unit);
  return mini;
}

export function restBookTicker(b: BookTicker): RestBookTicker {
  return { symbol: b.symbol, bidPrice: b.bidPrice, bidQty: b.bidQty, askPrice: b.askPrice, askQty: b.askQty };
}

/** The `rateLimits` array of exchangeInfo; REQUEST_WEIGHT is the limit this server enforces. */
export function rateLimits(weightPerMinute: number) {
  return [
    { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: weightPerMinute },
    { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
    { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
    { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
  ];
}

const ORDER_TYPES = ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'];
const STP_MODES = ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH', 'DECREMENT'];

/**
 * One entry of exchangeInfo's `symbols`, as Binance spells it for a spot market. No
 * `contractType`: ccxt takes a market that has one for a futures market.
 */
export function exchangeInfoSymbol(s: SymbolSpec) {
  return {
    symbol: s.symbol,
    status: 'TRADING',
    baseAsset: s.baseAsset,
    baseAssetPrecision: s.decimals,
    quoteAsset: s.quoteAsset,
    quotePrecision: s.decimals,
    quoteAssetPrecision: s.decimals,
    baseCommissionPrecision: s.decimals,
    quoteCommissionPrecision: s.decimals,
    orderTypes: ORDER_TYPES,
    icebergAllowed: true,
    ocoAllowed: true,
    otoAllowed: true,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: true,
    cancelReplaceAllowed: true,
    amendAllowed: true,
    pegInstructionsAllowed: true,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: s.minPrice, maxPrice: s.maxPrice, tickSize: s.tickSize },
      { filterType: 'LOT_SIZE', minQty: s.minQty, maxQty: s.maxQty, stepSize: s.stepSize },
      { filterType: 'ICEBERG_PARTS', limit: 10 },
      { filterType: 'MARKET_LOT_SIZE', minQty: zero(s.decimals), maxQty: s.maxQty, stepSize: zero(s.decimals) },
      {
        filterType: 'NOTIONAL', minNotional: s.minNotional, applyMinToMarket: true,
        maxNotional: s.maxNotional, applyMaxToMarket: false, avgPriceMins: 5,
      },
      { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200 },
      { filterType: 'MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: 5 },
    ],
    permissions: [] as string[],
    permissionSets: [['SPOT']],
    defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
    allowedSelfTradePreventionModes: STP_MODES,
  };
}

const zero = (decimals: number): string => (decimals > 0 ? `0.${'0'.repeat(decimals)}` : '0');

/**
 * GET /api/v3/exchangeInfo changes only in serverTime: every symbol is serialized once, here, and
 * each reply joins the texts. `symbols` undefined means every symbol; each given one must be listed.
 */
export function createExchangeInfoEncoder(specs: readonly SymbolSpec[], weightPerMinute: number) {
  const head = `"rateLimits":${JSON.stringify(rateLimits(weightPerMinute))},"exchangeFilters":[],"symbols":[`;
  const bySymbol = new Map(specs.map((s) => [s.symbol, JSON.stringify(exchangeInfoSymbol(s))]));
  const all = [...bySymbol.values()].join(',');
  return (nowUs: number, unit: TimeUnit, symbols?: readonly string[]): string => {
    const body = symbols === undefined ? all : symbols.map((s) => bySymbol.get(s)!).join(',');
    return `{"timezone":"UTC","serverTime":${wireTime(nowUs, unit)},${head}${body}]}`;
  };
}
