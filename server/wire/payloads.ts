// JSON shapes of the Binance Spot public market-data wire (docs/protocol.md), as sent.
// Types only, no Node or uWS imports: the dashboard, the bench and the tests decode with these.
// Times are epoch ms, or µs on a connection that asked for timeUnit=MICROSECOND.

export interface WireTrade {
  e: 'trade'; E: number; s: string; t: number; p: string; q: string; T: number; m: boolean; M: true;
}
export interface WireAggTrade {
  e: 'aggTrade'; E: number; s: string; a: number; p: string; q: string; f: number; l: number; T: number; m: boolean; M: true;
}
/** No `e`, no `E`. */
export interface WireBookTicker {
  u: number; s: string; b: string; B: string; a: string; A: string;
}
export interface WireMiniTicker {
  e: '24hrMiniTicker'; E: number; s: string; c: string; o: string; h: string; l: string; v: string; q: string;
}
export interface WireTicker {
  e: '24hrTicker'; E: number; s: string;
  p: string; P: string; w: string; x: string; c: string; Q: string;
  b: string; B: string; a: string; A: string;
  o: string; h: string; l: string; v: string; q: string;
  O: number; C: number; F: number; L: number; n: number;
}
export interface WireKline {
  e: 'kline'; E: number; s: string;
  k: {
    t: number; T: number; s: string; i: string; f: number; L: number;
    o: string; c: string; h: string; l: string; v: string; n: number; x: boolean;
    q: string; V: string; Q: string; B: '0';
  };
}
/** Partial book (`@depth5|10|20`). No `e`, `E` or `s`. */
export interface WirePartialDepth {
  lastUpdateId: number; bids: [string, string][]; asks: [string, string][];
}
export interface WireDepthUpdate {
  e: 'depthUpdate'; E: number; s: string; U: number; u: number; b: [string, string][]; a: [string, string][];
}
/** `<sym>@ticker_<1h|4h|1d>` (every 1000 ms): rolling-window statistics, minute precision. */
export interface WireRollingTicker {
  e: '1hTicker' | '4hTicker' | '1dTicker'; E: number; s: string;
  p: string; P: string; o: string; h: string; l: string; c: string; w: string; v: string; q: string;
  O: number; C: number; F: number; L: number; n: number;
}
/** `<sym>@avgPrice` (every 1000 ms): average price over `i` (`5m`), T the last trade time. */
export interface WireAvgPrice {
  e: 'avgPrice'; E: number; s: string; i: string; w: string; T: number;
}
export interface WireServerShutdown {
  e: 'serverShutdown'; E: number;
}

export type WirePayload =
  | WireTrade | WireAggTrade | WireBookTicker | WireMiniTicker | WireMiniTicker[] | WireTicker | WireTicker[]
  | WireKline | WirePartialDepth | WireDepthUpdate | WireRollingTicker | WireAvgPrice | WireServerShutdown;

/** Combined framing: `{"stream":"<name as subscribed>","data":<payload>}`. */
export interface WireCombined<T = WirePayload> {
  stream: string; data: T;
}

/** Control request id: an integer, a string of up to 36 characters, or null. Echoed with its JSON type. */
export type WireId = number | string | null;

export interface WireRequest {
  method: 'SUBSCRIBE' | 'UNSUBSCRIBE' | 'LIST_SUBSCRIPTIONS' | 'SET_PROPERTY' | 'GET_PROPERTY';
  params?: unknown[];
  id: WireId;
}
export interface WireResult {
  result: null | boolean | string[]; id: WireId;
}
export interface WireError {
  error: { code: number; msg: string }; id: WireId;
}

// ---- REST (docs/protocol.md#rest-endpoints) ----

export interface RestError { code: number; msg: string }
export interface RestTime { serverTime: number }
export interface RestDepth { lastUpdateId: number; bids: [string, string][]; asks: [string, string][] }
export interface RestTrade {
  id: number; price: string; qty: string; quoteQty: string; time: number; isBuyerMaker: boolean; isBestMatch: true;
}
export interface RestAggTrade {
  a: number; p: string; q: string; f: number; l: number; T: number; m: boolean; M: true;
}
/** [openTime, o, h, l, c, v, closeTime, quoteVolume, trades, takerBuyBase, takerBuyQuote, "0"] */
export type RestKline = [number, string, string, string, string, string, number, string, number, string, string, string];
export interface RestTickerPrice { symbol: string; price: string }
export interface RestBookTicker { symbol: string; bidPrice: string; bidQty: string; askPrice: string; askQty: string }
export interface RestTicker24hMini {
  symbol: string; openPrice: string; highPrice: string; lowPrice: string; lastPrice: string;
  volume: string; quoteVolume: string; openTime: number; closeTime: number; firstId: number; lastId: number; count: number;
}
export interface RestTicker24h extends RestTicker24hMini {
  priceChange: string; priceChangePercent: string; weightedAvgPrice: string; prevClosePrice: string;
  lastQty: string; bidPrice: string; bidQty: string; askPrice: string; askQty: string;
}
export interface RestAvgPrice { mins: number; price: string; closeTime: number }
