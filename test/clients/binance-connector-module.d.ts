// Types for the parts of @binance/connector (3.x, plain JS, ships no typings) that the client tests use.
declare module '@binance/connector' {
  /** What the connector logs through; its default prints every connect and subscribe. */
  export interface ConnectorLogger {
    debug(...args: unknown[]): void;
    info(...args: unknown[]): void;
    warn(...args: unknown[]): void;
    error(...args: unknown[]): void;
  }

  /** An axios response: the connector resolves with it, not with the body. */
  export interface ConnectorResponse<T> {
    readonly status: number;
    readonly headers: Record<string, string>;
    readonly data: T;
  }

  export class Spot {
    constructor(apiKey: string, apiSecret: string, options: { baseURL: string; logger?: ConnectorLogger; timeout?: number });
    exchangeInfo(options?: { symbol?: string; symbols?: string[] }): Promise<ConnectorResponse<unknown>>;
    klines(symbol: string, interval: string, options?: { limit?: number; startTime?: number; endTime?: number }): Promise<ConnectorResponse<unknown>>;
    /** An empty `symbol` with `symbols` asks for several; `type` is FULL or MINI. */
    ticker24hr(symbol?: string, symbols?: string[], type?: string): Promise<ConnectorResponse<unknown>>;
    depth(symbol: string, options?: { limit?: number }): Promise<ConnectorResponse<unknown>>;
    trades(symbol: string, options?: { limit?: number }): Promise<ConnectorResponse<unknown>>;
    /** GET /api/v3/historicalTrades: trades from `fromId` on (default: the newest). */
    historicalTrades(symbol: string, options?: { limit?: number; fromId?: number }): Promise<ConnectorResponse<unknown>>;
    /** GET /api/v3/ticker: rolling-window statistics, `windowSize` like 1m…59m, 1h…23h, 1d…7d. */
    rollingWindowTicker(symbol?: string, symbols?: string[], options?: { windowSize?: string; type?: string }): Promise<ConnectorResponse<unknown>>;
  }

  export interface StreamCallbacks {
    open?(client: WebsocketStream): void;
    close?(): void;
    /** Each text frame as received. */
    message?(data: string): void;
    error?(): void;
  }

  export class WebsocketStream {
    constructor(options: { wsURL: string; callbacks?: StreamCallbacks; logger?: ConnectorLogger; combinedStreams?: boolean; reconnectDelay?: number });
    /** Opens `<wsURL>/ws/<stream>` when not connected; sends SUBSCRIBE with `id: Date.now()` when connected. */
    subscribe(stream: string | string[]): void;
    trade(symbol: string): void;
    disconnect(): void;
    isConnected(): boolean;
    /** The underlying `ws` socket of the current connection. */
    readonly wsConnection: { ws?: import('ws').WebSocket };
  }

  /** Binance's WebSocket API client: one socket to `wsURL`; every response arrives through callbacks.message. */
  export class WebsocketAPI {
    constructor(apiKey: string, apiSecret: string, options: { wsURL: string; callbacks?: StreamCallbacks; logger?: ConnectorLogger; reconnectDelay?: number });
    /** Each request takes an `id` among its options (a random string when left out). */
    ping(options?: { id?: string }): void;
    time(options?: { id?: string }): void;
    exchangeInfo(options?: { id?: string; symbol?: string; symbols?: string[] }): void;
    orderbook(symbol: string, options?: { id?: string; limit?: number }): void;
    trades(symbol: string, options?: { id?: string; limit?: number }): void;
    historicalTrades(symbol: string, options?: { id?: string; limit?: number; fromId?: number }): void;
    aggTrades(symbol: string, options?: { id?: string; limit?: number; fromId?: number }): void;
    klines(symbol: string, interval: string, options?: { id?: string; limit?: number }): void;
    uiKlines(symbol: string, interval: string, options?: { id?: string; limit?: number }): void;
    avgPrice(symbol: string): void;
    ticker24hr(options?: { id?: string; symbol?: string; symbols?: string[]; type?: string }): void;
    ticker(options?: { id?: string; symbol?: string; symbols?: string[]; windowSize?: string }): void;
    tickerPrice(options?: { id?: string; symbol?: string; symbols?: string[] }): void;
    tickerBook(options?: { id?: string; symbol?: string; symbols?: string[] }): void;
    disconnect(): void;
    isConnected(): boolean;
  }
}
