// Query parsing and parameter checks on plain values: Binance's codes for each kind of bad input.
import { describe, expect, it } from 'vitest';
import {
  RestError, endTimeParam, limitParam, parseQuery, parseTimeZone, startTimeParam, symbolParam, symbolSelection,
  symbolsParam, tickerTypeParam, timeUnitParam, intervalParam, windowSizeParam,
} from '../../server/http/params.ts';
import { INTERVALS } from '../../server/market/types.ts';

/** The code a call throws, or 'ok'. */
function codeOf(fn: () => unknown): number | 'ok' {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (err instanceof RestError) return err.code;
    throw err;
  }
}

describe('parseQuery', () => {
  it('splits names and values and percent-decodes only what is encoded', () => {
    const q = parseQuery('symbol=SOLUSDT&symbols=%5B%22A%22%2C%22B%22%5D&timeZone=%2B08:00&flag&x=');
    expect([...q]).toEqual([
      ['symbol', 'SOLUSDT'],
      ['symbols', '["A","B"]'],
      ['timeZone', '+08:00'],
      ['flag', ''],
      ['x', ''],
    ]);
  });

  it('keeps a raw plus sign, so timeZone=+08:00 survives unencoded', () => {
    expect(parseQuery('timeZone=+08:00').get('timeZone')).toBe('+08:00');
  });

  it('ignores empty pieces between ampersands and reads an empty query as no parameters', () => {
    expect([...parseQuery('&&a=1&&')]).toEqual([['a', '1']]);
    expect(parseQuery('').size).toBe(0);
  });

  it('refuses a repeated parameter with -1101, even when its values agree', () => {
    expect(codeOf(() => parseQuery('symbol=A&symbol=A'))).toBe(-1101);
    expect(codeOf(() => parseQuery('limit=1&symbol=A&limit=2'))).toBe(-1101);
  });

  it('refuses a broken percent escape with -1100', () => {
    expect(codeOf(() => parseQuery('symbol=%E0%A4%A'))).toBe(-1100);
  });
});

describe('symbol checks', () => {
  it('tells missing (-1102), lowercase (-1100) and well-formed apart', () => {
    expect(codeOf(() => symbolParam(parseQuery(''), true))).toBe(-1102);
    expect(codeOf(() => symbolParam(parseQuery('symbol='), true))).toBe(-1102);
    expect(codeOf(() => symbolParam(parseQuery('symbol=solusdt'), true))).toBe(-1100);
    expect(codeOf(() => symbolParam(parseQuery('symbol=SOL%20USDT'), true))).toBe(-1100);
    expect(codeOf(() => symbolParam(parseQuery('symbol=ABCDEFGHIJKLMNOPQRSTU'), true))).toBe(-1100);
    expect(symbolParam(parseQuery('symbol=SOLUSDT'), true)).toBe('SOLUSDT');
  });

  it('calls an optional symbol sent empty -1105 and an absent one undefined', () => {
    expect(codeOf(() => symbolParam(parseQuery('symbol='), false))).toBe(-1105);
    expect(symbolParam(parseQuery(''), false)).toBeUndefined();
  });

  it('reads symbols as a JSON array, raw or percent-encoded', () => {
    expect(symbolsParam(parseQuery('symbols=["SOLUSDT","BTCUSDT"]'))).toEqual(['SOLUSDT', 'BTCUSDT']);
    expect(symbolsParam(parseQuery('symbols=%5B%22SOLUSDT%22%5D'))).toEqual(['SOLUSDT']);
  });

  it('gives bad JSON -1135, bad spelling -1100, duplicates -1151 and an empty list -1105', () => {
    expect(codeOf(() => symbolsParam(parseQuery('symbols=[SOLUSDT]')))).toBe(-1135);
    expect(codeOf(() => symbolsParam(parseQuery('symbols={"a":1}')))).toBe(-1135);
    expect(codeOf(() => symbolsParam(parseQuery('symbols=["solusdt"]')))).toBe(-1100);
    expect(codeOf(() => symbolsParam(parseQuery('symbols=[1]')))).toBe(-1100);
    expect(codeOf(() => symbolsParam(parseQuery('symbols=["A","B","A"]')))).toBe(-1151);
    expect(codeOf(() => symbolsParam(parseQuery('symbols=[]')))).toBe(-1105);
    expect(codeOf(() => symbolsParam(parseQuery('symbols=')))).toBe(-1105);
  });

  it('refuses symbol and symbols together with -1128', () => {
    expect(codeOf(() => symbolSelection(parseQuery('symbol=A&symbols=["B"]')))).toBe(-1128);
    expect(symbolSelection(parseQuery(''))).toEqual({});
  });
});

describe('limit', () => {
  it('defaults when absent and accepts the bounds themselves', () => {
    expect(limitParam(parseQuery(''), 500, 1000)).toBe(500);
    expect(limitParam(parseQuery('limit=1'), 500, 1000)).toBe(1);
    expect(limitParam(parseQuery('limit=1000'), 500, 1000)).toBe(1000);
  });

  it('gives out-of-range -1130, non-digits -1100 and empty -1105', () => {
    expect(codeOf(() => limitParam(parseQuery('limit=0'), 500, 1000))).toBe(-1130);
    expect(codeOf(() => limitParam(parseQuery('limit=1001'), 500, 1000))).toBe(-1130);
    expect(codeOf(() => limitParam(parseQuery('limit=99999999999999999999'), 500, 1000))).toBe(-1130);
    expect(codeOf(() => limitParam(parseQuery('limit=-5'), 500, 1000))).toBe(-1100);
    expect(codeOf(() => limitParam(parseQuery('limit=1e3'), 500, 1000))).toBe(-1100);
    expect(codeOf(() => limitParam(parseQuery('limit='), 500, 1000))).toBe(-1105);
  });
});

describe('interval and ticker type', () => {
  it('accepts all sixteen intervals, case-sensitively', () => {
    for (const i of INTERVALS) expect(intervalParam(parseQuery(`interval=${i}`))).toBe(i);
    expect(codeOf(() => intervalParam(parseQuery('interval=1H')))).toBe(-1120);
    expect(codeOf(() => intervalParam(parseQuery('interval=2m')))).toBe(-1120);
    expect(codeOf(() => intervalParam(parseQuery('')))).toBe(-1102);
  });

  it('knows FULL and MINI and nothing else', () => {
    expect(tickerTypeParam(parseQuery(''))).toBe('FULL');
    expect(tickerTypeParam(parseQuery('type=MINI'))).toBe('MINI');
    expect(codeOf(() => tickerTypeParam(parseQuery('type=mini')))).toBe(-1139);
    expect(codeOf(() => tickerTypeParam(parseQuery('type=')))).toBe(-1105);
  });
});

describe('windowSize', () => {
  const minutes = (v: string) => windowSizeParam(parseQuery(`windowSize=${v}`));

  it('reads 1m–59m, 1h–23h and 1d–7d as minutes, and defaults to a day', () => {
    expect(windowSizeParam(parseQuery(''))).toBe(1440);
    const table: [string, number][] = [['1m', 1], ['59m', 59], ['1h', 60], ['23h', 1380], ['1d', 1440], ['7d', 10_080]];
    for (const [v, n] of table) expect(minutes(v), v).toBe(n);
  });

  it('refuses counts past their unit, combined units, other units and case with -1100, and empty with -1105', () => {
    for (const v of ['0m', '60m', '0h', '24h', '0d', '8d', '1d2h', '1H', '1w', '01m', 'm', '100m', '-1m', '1.5h']) {
      expect(codeOf(() => minutes(v)), v).toBe(-1100);
    }
    expect(codeOf(() => minutes(''))).toBe(-1105);
  });
});

describe('parseTimeZone', () => {
  it('reads hours, hours:minutes, signs and leading zeros as minutes east of UTC', () => {
    expect(parseTimeZone('0')).toBe(0);
    expect(parseTimeZone('8')).toBe(480);
    expect(parseTimeZone('+08:00')).toBe(480);
    expect(parseTimeZone('-1:00')).toBe(-60);
    expect(parseTimeZone('5:45')).toBe(345);
    expect(parseTimeZone('05:45')).toBe(345);
    expect(parseTimeZone('-0')).toBe(0);
    expect(Object.is(parseTimeZone('-0:00'), -0)).toBe(false);
  });

  it('holds to [-12:00, +14:00] inclusive and refuses what is not a time', () => {
    expect(parseTimeZone('-12:00')).toBe(-720);
    expect(parseTimeZone('+14:00')).toBe(840);
    for (const bad of ['-12:01', '14:01', '15', '8:60', '8:5', 'UTC', '+', '8:00:00', '']) {
      expect(parseTimeZone(bad), bad).toBeUndefined();
    }
  });
});

describe('time parameters', () => {
  it('takes startTime and endTime in ms, endTime covering its whole millisecond', () => {
    const ms = 1_795_262_400_123;
    expect(startTimeParam(parseQuery(`startTime=${ms}`))).toBe(ms * 1000);
    expect(endTimeParam(parseQuery(`endTime=${ms}`))).toBe(ms * 1000 + 999);
  });

  it('takes sixteen-digit times as microseconds, unchanged', () => {
    const us = 1_795_262_400_123_456;
    expect(startTimeParam(parseQuery(`startTime=${us}`))).toBe(us);
    expect(endTimeParam(parseQuery(`endTime=${us}`))).toBe(us);
  });

  it('reads X-MBX-TIME-UNIT in either case and refuses other units', () => {
    expect(timeUnitParam('')).toBe('ms');
    expect(timeUnitParam('MICROSECOND')).toBe('us');
    expect(timeUnitParam('microsecond')).toBe('us');
    expect(timeUnitParam('MILLISECOND')).toBe('ms');
    expect(codeOf(() => timeUnitParam('NANOSECOND'))).toBe(-1100);
  });
});
