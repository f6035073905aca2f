// REST reply bodies (docs/protocol.md#rest-endpoints) made from the market's values. Pure: no Node or uWS imports.
// Times leave as epoch ms (floor of the µs) unless the request asked for microseconds.
import type { AggTrade, BookTicker, Kline, RollingTicker, SymbolSpec, Ticker24h, Trade } from '../market/types.ts';
import type {
  RestAggTrade, RestBookTicker, RestKline, RestTicker24h, RestTicker24hMini, RestTrade,
} from '../wire/payloads.ts';

/** µs → the wire's unit. */
export const wireTime = (us: number, micros: boolean): number => (micros ? us : Math.floor(us / 1000));

export function restTrade(t: Trade, micros: boolean): RestTrade {
  return {
    id: t.id, price: t.price, qty: t.qty, quoteQty: t.quoteQty,
    time: wireTime(t.timeUs, micros), isBuyerMaker: t.buyerMaker, isBestMatch: true,
  };
}

export function restAggTrade(a: AggTrade, micros: boolean): RestAggTrade {
  return {
    a: a.id, p: a.price, q: a.qty, f: a.firstTradeId, l: a.lastTradeId,
    T: wireTime(a.timeUs, micros), m: a.buyerMaker, M: true,
  };
}

export function restKline(k: Kline, micros: boolean): RestKline {
  return [
    wireTime(k.openTimeUs, micros), k.open, k.high, k.low, k.close, k.volume,
    wireTime(k.closeTimeUs, micros), k.quoteVolume, k.trades, k.takerBuyBase, k.takerBuyQuote, '0',
  ];
}

export function restTicker24h(t: Ticker24h, micros: boolean): RestTicker24h {
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
    volume: t.volume,
    quoteVolume: t.quoteVolume,
    openTime: wireTime(t.openTimeUs, micros),
    closeTime: wireTime(t.closeTimeUs, micros),
    firstId: t.firstId,
    lastId: t.lastId,
    count: t.count,
  };
}

export function restTickerMini(t: Ticker24h, micros: boolean): RestTicker24hMini {
  return {
    symbol: t.symbol,
    openPrice: t.openPrice,
    highPrice: t.highPrice,
    lowPrice: t.lowPrice,
    lastPrice: t.lastPrice,
    volume: t.volume,
    quoteVolume: t.quoteVolume,
    openTime: wireTime(t.openTimeUs, micros),
    closeTime: wireTime(t.closeTimeUs, micros),
    firstId: t.firstId,
    lastId: t.lastId,
    count: t.count,
  };
}

/** GET /api/v3/ticker type=FULL: the 24 h fields less prevClosePrice, lastQty and the book's bid/ask. */
export type RestRollingTicker = Omit<RestTicker24h, 'prevClosePrice' | 'lastQty' | 'bidPrice' | 'bidQty' | 'askPrice' | 'askQty'>;

export function restRollingTicker(r: RollingTicker, micros: boolean): RestRollingTicker {
  return {
    symbol: r.symbol,
    priceChange: r.priceChange,
    priceChangePercent: r.priceChangePercent,
    weightedAvgPrice: r.weightedAvgPrice,
    openPrice: r.open,
    highPrice: r.high,
    lowPrice: r.low,
    lastPrice: r.last,
    volume: r.volume,
    quoteVolume: r.quoteVolume,
    openTime: wireTime(r.openTimeUs, micros),
    closeTime: wireTime(r.closeTimeUs, micros),
    firstId: r.firstId,
    lastId: r.lastId,
    count: r.count,
  };
}

/** GET /api/v3/ticker type=MINI: the same fields as the 24 h MINI ticker. */
export function restRollingTickerMini(r: RollingTicker, micros: boolean): RestTicker24hMini {
  return {
    symbol: r.symbol,
    openPrice: r.open,
    highPrice: r.high,
    lowPrice: r.low,
    lastPrice: r.last,
    volume: r.volume,
    quoteVolume: r.quoteVolume,
    openTime: wireTime(r.openTimeUs, micros),
    closeTime: wireTime(r.closeTimeUs, micros),
    firstId: r.firstId,
    lastId: r.lastId,
    count: r.count,
  };
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
