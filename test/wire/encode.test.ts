// Payload encoders: every body parses as JSON with the wire's field names, types and values.
import { describe, expect, it } from 'vitest';
import {
  combinedPrefix, encodeAggTrade, encodeArray, encodeAvgPrice, encodeRollingTicker, encodeBookTicker, encodeDepthUpdate, encodeKline, encodeMiniTicker,
  encodePartialDepth, encodeServerShutdown, encodeTicker, encodeTrade, wireTime, wrapCombined,
} from '../../server/wire/encode.ts';
import type { WireCombined, WireDepthUpdate, WireKline, WireMiniTicker, WireTicker, WireTrade } from '../../server/wire/payloads.ts';
import { aggTrade, book, depth, kline, T0_US, ticker, trade } from './fixtures.ts';

const ms = (us: number) => Math.floor(us / 1000);

describe('wireTime', () => {
  it('floors microseconds to milliseconds and passes microseconds through', () => {
    expect(wireTime(T0_US, 'ms')).toBe(ms(T0_US));
    expect(wireTime(T0_US, 'us')).toBe(T0_US);
    expect(Number.isInteger(wireTime(T0_US, 'ms'))).toBe(true);
  });
});

describe('encoders', () => {
  it('encode a trade with every field and type the trade stream documents', () => {
    const t = trade(12345);
    const body = JSON.parse(encodeTrade(t, T0_US, 'ms')) as WireTrade;
    expect(body).toEqual({ e: 'trade', E: ms(T0_US), s: t.symbol, t: t.id, p: t.price, q: t.qty, T: ms(t.timeUs), m: t.buyerMaker, M: true });
    expect(Object.keys(body)).toEqual(['e', 'E', 's', 't', 'p', 'q', 'T', 'm', 'M']);
    const us = JSON.parse(encodeTrade(t, T0_US, 'us')) as WireTrade;
    expect([us.E, us.T]).toEqual([T0_US, t.timeUs]);
  });

  it('encode an aggregate trade', () => {
    const a = aggTrade(26129);
    expect(JSON.parse(encodeAggTrade(a, T0_US, 'ms'))).toEqual({
      e: 'aggTrade', E: ms(T0_US), s: a.symbol, a: a.id, p: a.price, q: a.qty, f: a.firstTradeId, l: a.lastTradeId, T: ms(a.timeUs), m: a.buyerMaker, M: true,
    });
  });

  it('encode a book ticker without e or E', () => {
    const b = book(400900217);
    expect(JSON.parse(encodeBookTicker(b))).toEqual({ u: b.updateId, s: b.symbol, b: b.bidPrice, B: b.bidQty, a: b.askPrice, A: b.askQty });
  });

  it('encode a mini ticker and a full ticker from one Ticker24h', () => {
    const t = ticker();
    const mini = JSON.parse(encodeMiniTicker(t, T0_US, 'ms')) as WireMiniTicker;
    expect(mini).toEqual({ e: '24hrMiniTicker', E: ms(T0_US), s: t.symbol, c: t.lastPrice, o: t.openPrice, h: t.highPrice, l: t.lowPrice, v: t.volume, q: t.quoteVolume });
    const full = JSON.parse(encodeTicker(t, T0_US, 'us')) as WireTicker;
    expect(full).toEqual({
      e: '24hrTicker', E: T0_US, s: t.symbol, p: t.priceChange, P: t.priceChangePercent, w: t.weightedAvgPrice, x: t.prevClosePrice,
      c: t.lastPrice, Q: t.lastQty, b: t.bidPrice, B: t.bidQty, a: t.askPrice, A: t.askQty, o: t.openPrice, h: t.highPrice, l: t.lowPrice,
      v: t.volume, q: t.quoteVolume, O: t.openTimeUs, C: t.closeTimeUs, F: t.firstId, L: t.lastId, n: t.count,
    });
  });

  it('encode a kline with its nested k object', () => {
    const k = kline('1m');
    const body = JSON.parse(encodeKline(k, T0_US, 'ms')) as WireKline;
    expect(body).toEqual({
      e: 'kline', E: ms(T0_US), s: k.symbol,
      k: {
        t: ms(k.openTimeUs), T: ms(k.closeTimeUs), s: k.symbol, i: '1m', f: k.firstTradeId, L: k.lastTradeId, o: k.open, c: k.close,
        h: k.high, l: k.low, v: k.volume, n: k.trades, x: false, q: k.quoteVolume, V: k.takerBuyBase, Q: k.takerBuyQuote, B: '0',
      },
    });
    expect(body.k.T - body.k.t).toBe(60_000 - 1);
  });

  it('encode a partial book as a prefix of the 20 levels, best first', () => {
    const d = depth(160);
    for (const n of [5, 10, 20]) {
      const body = JSON.parse(encodePartialDepth(d, n));
      expect(body).toEqual({ lastUpdateId: 160, bids: d.bids.slice(0, n).map((l) => [...l]), asks: d.asks.slice(0, n).map((l) => [...l]) });
    }
  });

  it('encode a diff-depth event, empty sides as empty arrays', () => {
    const diff = { symbol: 'SOLUSDT', firstUpdateId: 157, lastUpdateId: 160, bids: [['142.34', '10'] as const], asks: [] };
    const body = JSON.parse(encodeDepthUpdate(diff, T0_US, 'ms')) as WireDepthUpdate;
    expect(body).toEqual({ e: 'depthUpdate', E: ms(T0_US), s: 'SOLUSDT', U: 157, u: 160, b: [['142.34', '10']], a: [] });
  });

  it('encode a rolling-window ticker named after its window', () => {
    const r = {
      symbol: 'SOLUSDT', priceChange: '1.50000000', priceChangePercent: '1.065', open: '140.85000000', high: '143.00000000', low: '140.10000000',
      last: '142.35000000', weightedAvgPrice: '141.70000000', volume: '900.00000000', quoteVolume: '127530.00000000',
      openTimeUs: T0_US - 3_600_000_000, closeTimeUs: T0_US, firstId: 10, lastId: 99, count: 90,
    };
    expect(JSON.parse(encodeRollingTicker('4h', r, T0_US, 'ms'))).toEqual({
      e: '4hTicker', E: ms(T0_US), s: 'SOLUSDT', p: r.priceChange, P: r.priceChangePercent, o: r.open, h: r.high, l: r.low, c: r.last,
      w: r.weightedAvgPrice, v: r.volume, q: r.quoteVolume, O: ms(r.openTimeUs), C: ms(r.closeTimeUs), F: 10, L: 99, n: 90,
    });
  });

  it('encode an average price with its interval in minutes', () => {
    const avg = { mins: 5, price: '141.02000000', closeTimeUs: T0_US - 1234 };
    expect(JSON.parse(encodeAvgPrice('SOLUSDT', avg, T0_US, 'ms'))).toEqual({ e: 'avgPrice', E: ms(T0_US), s: 'SOLUSDT', i: '5m', w: avg.price, T: ms(avg.closeTimeUs) });
    expect(JSON.parse(encodeAvgPrice('SOLUSDT', avg, T0_US, 'us')).T).toBe(avg.closeTimeUs);
  });

  it('encode serverShutdown, arrays and the combined wrapper by concatenation', () => {
    expect(JSON.parse(encodeServerShutdown(T0_US, 'ms'))).toEqual({ e: 'serverShutdown', E: ms(T0_US) });
    const a = encodeMiniTicker(ticker('SOLUSDT'), T0_US, 'ms');
    const b = encodeMiniTicker(ticker('BTCUSDT'), T0_US, 'ms');
    expect(JSON.parse(encodeArray([a, b])).map((x: WireMiniTicker) => x.s)).toEqual(['SOLUSDT', 'BTCUSDT']);
    const wrapped = wrapCombined('SOLUSDT@trade', encodeTrade(trade(1), T0_US, 'ms'));
    const parsed = JSON.parse(wrapped) as WireCombined<WireTrade>;
    expect(parsed.stream).toBe('SOLUSDT@trade');
    expect(parsed.data.t).toBe(1);
    expect(wrapped.startsWith(combinedPrefix('SOLUSDT@trade'))).toBe(true);
    expect(JSON.parse(wrapCombined('a"b', '1'))).toEqual({ stream: 'a"b', data: 1 });
  });
});
