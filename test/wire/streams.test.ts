// Stream-name parser: a table of names, valid and not, and the canonical key each reduces to.
import { describe, expect, it } from 'vitest';
import { INTERVALS } from '../../server/market/types.ts';
import { parseStream, subscriptionName, TZ_DISTINCT_INTERVALS } from '../../server/wire/streams.ts';
import { SYMBOL_SET } from './fixtures.ts';

const valid: [name: string, key: string, kind: string][] = [
  ['solusdt@trade', 'solusdt@trade', 'trade'],
  ['SOLUSDT@trade', 'solusdt@trade', 'trade'],
  ['SolUsdt@aggTrade', 'solusdt@aggTrade', 'aggTrade'],
  ['btcusdt@bookTicker', 'btcusdt@bookTicker', 'bookTicker'],
  ['ethusdt@miniTicker', 'ethusdt@miniTicker', 'miniTicker'],
  ['bnbusdt@ticker', 'bnbusdt@ticker', 'ticker'],
  ['BNBUSDT@avgPrice', 'bnbusdt@avgPrice', 'avgPrice'],
  ['solusdt@ticker_1h', 'solusdt@ticker_1h', 'rollingTicker'],
  ['solusdt@ticker_4h', 'solusdt@ticker_4h', 'rollingTicker'],
  ['SOLUSDT@ticker_1d', 'solusdt@ticker_1d', 'rollingTicker'],
  ['!miniTicker@arr', '!miniTicker@arr', 'allMiniTickers'],
  ['!ticker@arr', '!ticker@arr', 'allTickers'],
  ['solusdt@kline_1m', 'solusdt@kline_1m', 'kline'],
  ['solusdt@kline_1M', 'solusdt@kline_1M', 'kline'],
  ['solusdt@kline_1d@+08:00', 'solusdt@kline_1d@+08:00', 'kline'],
  ['solusdt@depth5', 'solusdt@depth5@1000ms', 'partialDepth'],
  ['solusdt@depth10@100ms', 'solusdt@depth10@100ms', 'partialDepth'],
  ['solusdt@depth20@1000ms', 'solusdt@depth20@1000ms', 'partialDepth'],
  ['solusdt@depth', 'solusdt@depth@1000ms', 'diffDepth'],
  ['solusdt@depth@100ms', 'solusdt@depth@100ms', 'diffDepth'],
  ['SOLUSDT@depth@1000ms', 'solusdt@depth@1000ms', 'diffDepth'],
];

const invalid: [name: string, why: string][] = [
  ['', 'empty'],
  ['xrpusdt@trade', 'unknown symbol'],
  ['solusdt@Trade', 'stream part is case-sensitive'],
  ['solusdt@aggtrade', 'stream part is case-sensitive'],
  ['solusdt@avgprice', 'stream part is case-sensitive'],
  ['solusdt@ticker_2h', 'no such rolling window'],
  ['solusdt@ticker_1H', 'window is case-sensitive'],
  ['solusdt', 'no stream part'],
  ['@trade', 'no symbol'],
  ['solusdt@trade@100ms', 'speed on a real-time stream'],
  ['solusdt@kline_2m', 'unknown interval'],
  ['solusdt@kline_1m@+09:00', 'unknown offset'],
  ['solusdt@kline_', 'no interval'],
  ['solusdt@depth15', 'unknown depth'],
  ['solusdt@depth5@250ms', 'unknown speed'],
  ['solusdt@depth@100', 'speed without unit'],
  ['!MINITICKER@arr', 'array names are case-sensitive'],
  ['!ticker@arr ', 'trailing space'],
  ['sol-usdt@trade', 'illegal character in symbol'],
  ['solusdt@trade/btcusdt@trade', 'two names'],
  [`solusdt@kline_1m${'x'.repeat(80)}`, 'too long'],
];

describe('parseStream', () => {
  it.each(valid)('accepts %s as %s', (name, key, kind) => {
    const spec = parseStream(name, SYMBOL_SET);
    expect(spec?.key).toBe(key);
    expect(spec?.kind).toBe(kind);
  });

  it.each(invalid)('refuses %j (%s)', (name) => {
    expect(parseStream(name, SYMBOL_SET)).toBeUndefined();
  });

  it('accepts all sixteen intervals, with and without +08:00', () => {
    for (const interval of INTERVALS) {
      expect(parseStream(`solusdt@kline_${interval}`, SYMBOL_SET)).toMatchObject({ kind: 'kline', interval, tzOffsetMin: 0 });
      expect(parseStream(`solusdt@kline_${interval}@+08:00`, SYMBOL_SET)).toMatchObject({ kind: 'kline', interval, tzOffsetMin: 480 });
    }
    expect(INTERVALS).toHaveLength(16);
  });

  it('reports the symbol uppercase and the depth parameters', () => {
    expect(parseStream('BtcUsdt@depth10@100ms', SYMBOL_SET)).toEqual({ kind: 'partialDepth', key: 'btcusdt@depth10@100ms', symbol: 'BTCUSDT', levels: 10, speed: 100 });
  });

  it('knows the intervals whose +08:00 boundaries differ from UTC', () => {
    expect([...TZ_DISTINCT_INTERVALS].sort()).toEqual(['12h', '1M', '1d', '1w', '3d', '6h'].sort());
  });
});

describe('subscription names', () => {
  it('lowercase the symbol only: kline_1M (month) and kline_1m (minute) stay apart, !…@arr untouched', () => {
    expect(subscriptionName('SOLUSDT@kline_1M')).toBe('solusdt@kline_1M');
    expect(subscriptionName('SolUsdt@kline_1m@+08:00')).toBe('solusdt@kline_1m@+08:00');
    expect(subscriptionName('BTCUSDT@depth@100ms')).toBe('btcusdt@depth@100ms');
    expect(subscriptionName('!miniTicker@arr')).toBe('!miniTicker@arr');
    expect(subscriptionName('!ticker@arr')).toBe('!ticker@arr');
  });
});
