// Stream names: a table of names, valid and not, the canonical key each reduces to, and the
// builders and the parser agreeing on every stream there is.
import { describe, expect, it } from 'vitest';
import { INTERVALS } from '../../server/market/types.ts';
import {
  DEPTH_LEVELS, DEPTH_SPEEDS, parseStream, ROLLING_WINDOWS, STREAM_KINDS, streamKey, streamName, streamTargets, subscriptionName, TZ_DISTINCT_INTERVALS,
  type StreamSpec,
} from '../../server/wire/streams.ts';
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

describe('streamName', () => {
  it('builds the names a Binance client sends', () => {
    expect(streamName.trade('SOLUSDT')).toBe('solusdt@trade');
    expect(streamName.aggTrade('BTCUSDT')).toBe('btcusdt@aggTrade');
    expect(streamName.rollingTicker('SOLUSDT', '4h')).toBe('solusdt@ticker_4h');
    expect(streamName.kline('SOLUSDT', '1M')).toBe('solusdt@kline_1M');
    expect(streamName.kline('SOLUSDT', '1d', 480)).toBe('solusdt@kline_1d@+08:00');
    expect(streamName.partialDepth('SOLUSDT', 10, 100)).toBe('solusdt@depth10@100ms');
    expect(streamName.partialDepth('SOLUSDT', 5)).toBe('solusdt@depth5@1000ms');
    expect(streamName.diffDepth('ETHUSDT')).toBe('ethusdt@depth@1000ms');
    expect(streamName.allMiniTickers()).toBe('!miniTicker@arr');
    expect(streamName.allTickers()).toBe('!ticker@arr');
  });

  it('builds names the parser reads back as the spec they were built from, for every stream by hand', () => {
    const expected: [name: string, spec: StreamSpec][] = [];
    const s = 'BNBUSDT';
    for (const kind of ['trade', 'aggTrade', 'bookTicker', 'miniTicker', 'ticker', 'avgPrice'] as const) {
      const name = streamName[kind](s);
      expected.push([name, { kind, key: name, symbol: s }]);
    }
    for (const window of ROLLING_WINDOWS) {
      const name = streamName.rollingTicker(s, window);
      expected.push([name, { kind: 'rollingTicker', key: name, symbol: s, window }]);
    }
    for (const interval of INTERVALS) {
      for (const tzOffsetMin of [0, 480] as const) {
        const name = streamName.kline(s, interval, tzOffsetMin);
        expected.push([name, { kind: 'kline', key: name, symbol: s, interval, tzOffsetMin }]);
      }
    }
    for (const speed of DEPTH_SPEEDS) {
      for (const levels of DEPTH_LEVELS) {
        const name = streamName.partialDepth(s, levels, speed);
        expected.push([name, { kind: 'partialDepth', key: name, symbol: s, levels, speed }]);
      }
      const name = streamName.diffDepth(s, speed);
      expected.push([name, { kind: 'diffDepth', key: name, symbol: s, speed }]);
    }
    expected.push([streamName.allMiniTickers(), { kind: 'allMiniTickers', key: '!miniTicker@arr' }]);
    expected.push([streamName.allTickers(), { kind: 'allTickers', key: '!ticker@arr' }]);

    for (const [name, spec] of expected) expect(parseStream(name, SYMBOL_SET)).toEqual(spec);
    expect(new Set(expected.map(([name]) => name)).size).toBe(expected.length);
    expect(new Set(expected.map(([, spec]) => spec.kind))).toEqual(new Set(STREAM_KINDS));
    // Six plain kinds, three windows, 16 intervals × 2 offsets, 3 levels × 2 speeds, 2 speeds, 2 arrays.
    expect(expected).toHaveLength(6 + 3 + 32 + 6 + 2 + 2);
  });

  it('round-trips every stream of every symbol: built, parsed back, equal, and each name distinct', () => {
    for (const symbol of SYMBOL_SET) {
      const targets = streamTargets(symbol);
      const names = targets.map(streamKey);
      expect(new Set(names).size).toBe(names.length);
      targets.forEach((target, i) => expect(parseStream(names[i]!, SYMBOL_SET)).toEqual({ ...target, key: names[i] }));
      // Uppercase symbols in a name reduce to the same spec.
      for (const name of names.filter((n) => !n.startsWith('!'))) {
        const upper = symbol + name.slice(symbol.length);
        expect(parseStream(upper, SYMBOL_SET)).toEqual(parseStream(name, SYMBOL_SET));
      }
    }
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
