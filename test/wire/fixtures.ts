// Hand-made market values and events for the codec and gateway tests (a fake market, fixed values).
import type {
  AggTrade, BookTicker, DepthSnapshot, Interval, Kline, Level, MarketEvent, StreamedWindow, Ticker24h, Trade,
} from '../../server/market/types.ts';
import { STREAMED_WINDOWS } from '../../server/market/types.ts';

/** 2026-01-02T03:04:05.678901Z in µs: ms and µs renderings differ visibly. */
export const T0_US = 1_767_323_045_678_901;

export function trade(id: number, symbol = 'SOLUSDT', timeUs = T0_US + id): Trade {
  return {
    symbol, id, price: '142.35000000', qty: `${(id % 7) + 1}.20000000`, quoteQty: '455.52000000', timeUs, buyerMaker: id % 2 === 0,
  };
}

export function tradeEvent(id: number, symbol = 'SOLUSDT', timeUs = T0_US + id): MarketEvent {
  return { type: 'trade', timeUs, trade: trade(id, symbol, timeUs) };
}

export function aggTrade(id: number, symbol = 'SOLUSDT'): AggTrade {
  return {
    symbol, id, price: '142.36000000', qty: '4.70000000', firstTradeId: id * 3, lastTradeId: id * 3 + 2, timeUs: T0_US + 5, buyerMaker: false,
  };
}

export function book(updateId: number, symbol = 'SOLUSDT'): BookTicker {
  return { symbol, updateId, bidPrice: '142.34000000', bidQty: '31.21000000', askPrice: '142.36000000', askQty: '40.66000000' };
}

export function levels(side: 'bid' | 'ask', n: number): Level[] {
  return Array.from({ length: n }, (_, i) => {
    const price = side === 'bid' ? 142.34 - i * 0.01 : 142.36 + i * 0.01;
    return [price.toFixed(8), (i + 1).toFixed(8)] as const;
  });
}

export function depth(lastUpdateId: number, symbol = 'SOLUSDT'): DepthSnapshot {
  return { symbol, lastUpdateId, bids: levels('bid', 20), asks: levels('ask', 20) };
}

export function ticker(symbol = 'SOLUSDT', closeTimeUs = T0_US): Ticker24h {
  return {
    symbol, priceChange: '3.25000000', priceChangePercent: '2.340', weightedAvgPrice: '141.02000000', prevClosePrice: '139.05000000',
    lastPrice: '142.35000000', lastQty: '3.20000000', bidPrice: '142.34000000', bidQty: '31.21000000', askPrice: '142.36000000',
    askQty: '40.66000000', openPrice: '139.10000000', highPrice: '145.00000000', lowPrice: '137.20000000', volume: '10000.00000000',
    quoteVolume: '1410200.00000000', openTimeUs: closeTimeUs - 86_400_000_000, closeTimeUs, firstId: 1, lastId: 18151, count: 18151,
  };
}

export function kline(interval: Interval, tzOffsetMin = 0, symbol = 'SOLUSDT', closed = false): Kline {
  const openTimeUs = 1_767_323_040_000_000;
  return {
    symbol, interval, tzOffsetMin, openTimeUs, closeTimeUs: openTimeUs + 60_000_000 - 1000, firstTradeId: 100, lastTradeId: 200,
    open: '142.10000000', high: '142.60000000', low: '141.90000000', close: '142.35000000', volume: '1000.00000000',
    quoteVolume: '142100.00000000', trades: 101, takerBuyBase: '500.00000000', takerBuyQuote: '71050.00000000', closed,
  };
}

export const event = {
  trade: tradeEvent,
  aggTrade: (id: number, symbol = 'SOLUSDT'): MarketEvent => ({ type: 'aggTrade', timeUs: T0_US + 6, aggTrade: aggTrade(id, symbol) }),
  bookTicker: (u: number, symbol = 'SOLUSDT'): MarketEvent => ({ type: 'bookTicker', timeUs: T0_US + 7, book: book(u, symbol) }),
  depthUpdate: (first: number, last: number, speed: 100 | 1000 = 1000, symbol = 'SOLUSDT'): MarketEvent => ({
    type: 'depthUpdate', timeUs: T0_US + 8, symbol, speed, firstUpdateId: first, lastUpdateId: last,
    bids: [['142.34000000', '10.00000000']], asks: [['142.36000000', '0.00000000']],
  }),
  depthSnapshot: (lastUpdateId: number, speed: 100 | 1000 = 1000, symbol = 'SOLUSDT'): MarketEvent => ({
    type: 'depthSnapshot', timeUs: T0_US + 9, speed, depth: depth(lastUpdateId, symbol),
  }),
  ticker: (symbol = 'SOLUSDT', timeUs = T0_US): MarketEvent => ({ type: 'ticker', timeUs, ticker: ticker(symbol, timeUs) }),
  avgPrice: (symbol = 'SOLUSDT', timeUs = T0_US): MarketEvent => ({
    type: 'avgPrice', timeUs, symbol, avg: { mins: 5, price: '141.02000000', closeTimeUs: timeUs - 2000 },
  }),
  rollingTicker: (window: StreamedWindow, symbol = 'SOLUSDT', timeUs = T0_US): MarketEvent => ({
    type: 'rollingTicker', timeUs, window,
    ticker: {
      symbol, priceChange: '2.35000000', priceChangePercent: '1.679', open: '140.00000000', high: '143.00000000', low: '139.50000000',
      last: '142.35000000', weightedAvgPrice: '141.10000000', volume: '20.00000000', quoteVolume: '2822.00000000',
      openTimeUs: timeUs - STREAMED_WINDOWS[window] * 60_000_000, closeTimeUs: timeUs, firstId: 1, lastId: 20, count: 20,
    },
  }),
  kline: (interval: Interval, tzOffsetMin = 0, symbol = 'SOLUSDT'): MarketEvent => ({
    type: 'kline', timeUs: T0_US + 10, kline: kline(interval, tzOffsetMin, symbol),
  }),
};

export const SYMBOLS = ['SOLUSDT', 'BTCUSDT', 'ETHUSDT', 'BNBUSDT'] as const;
export const SYMBOL_SET: ReadonlySet<string> = new Set(SYMBOLS);
