// The WebSocket API's market-data methods and the REST endpoint each one is served by, so that a
// method and its REST twin share parameters, checks, weight and reply (docs/protocol.md#websocket-api).
import type { RestPath } from '../http/rest-catalog.ts';

export const WS_API_METHODS = {
  ping: '/api/v3/ping',
  time: '/api/v3/time',
  exchangeInfo: '/api/v3/exchangeInfo',
  depth: '/api/v3/depth',
  'trades.recent': '/api/v3/trades',
  'trades.historical': '/api/v3/historicalTrades',
  'trades.aggregate': '/api/v3/aggTrades',
  klines: '/api/v3/klines',
  uiKlines: '/api/v3/uiKlines',
  avgPrice: '/api/v3/avgPrice',
  'ticker.24hr': '/api/v3/ticker/24hr',
  'ticker.price': '/api/v3/ticker/price',
  'ticker.book': '/api/v3/ticker/bookTicker',
  ticker: '/api/v3/ticker',
} as const satisfies Readonly<Record<string, RestPath>>;

export type WsApiMethod = keyof typeof WS_API_METHODS;
export const WS_API_METHOD_NAMES = Object.keys(WS_API_METHODS) as readonly WsApiMethod[];
