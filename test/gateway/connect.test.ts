// Upgrade URL parsing: framing, time unit and the streams a path or `streams=` names.
import { describe, expect, it } from 'vitest';
import { parseConnect } from '../../server/gateway/connect.ts';
import { SYMBOL_SET } from '../wire/fixtures.ts';

const parse = (url: string, query = '', max = 1024) => parseConnect(url, query, SYMBOL_SET, max);
const names = (url: string, query = '', max = 1024) => {
  const r = parse(url, query, max);
  return r.ok ? r.request.streams.map((s) => s.name) : r.reason;
};

describe('parseConnect', () => {
  it('reads /ws paths as raw and /stream as combined', () => {
    expect(parse('/ws')).toEqual({ ok: true, request: { combined: false, unit: 'ms', streams: [] } });
    expect(parse('/stream')).toMatchObject({ ok: true, request: { combined: true } });
    expect(parse('/ws/solusdt@trade')).toMatchObject({ ok: true, request: { combined: false } });
  });

  it('takes streams from the path, ignoring names that are not streams and duplicates', () => {
    expect(names('/ws/solusdt@trade/0/btcusdt@depth5/solusdt@trade/')).toEqual(['solusdt@trade', 'btcusdt@depth5']);
    expect(names('/ws/0')).toEqual([]);
    expect(names('/ws/solusdt%40trade')).toEqual(['solusdt@trade']);
    expect(names('/ws/%E0%A4%A')).toEqual([]);
  });

  it('takes streams from streams= with decodeURIComponent, keeping +', () => {
    expect(names('/stream', 'streams=solusdt@kline_1m@+08:00/btcusdt@trade')).toEqual(['solusdt@kline_1m@+08:00', 'btcusdt@trade']);
    expect(names('/stream', `streams=${encodeURIComponent('solusdt@kline_1d@+08:00')}`)).toEqual(['solusdt@kline_1d@+08:00']);
    expect(names('/stream', 'streams=')).toEqual([]);
    expect(names('/ws', 'streams=solusdt@trade')).toEqual([]);
  });

  it('stops at the stream limit', () => {
    expect(names('/ws/solusdt@trade/solusdt@aggTrade/solusdt@bookTicker', '', 2)).toEqual(['solusdt@trade', 'solusdt@aggTrade']);
  });

  it('reads timeUnit in either case and refuses other units', () => {
    expect(parse('/ws', 'timeUnit=MICROSECOND')).toMatchObject({ ok: true, request: { unit: 'us' } });
    expect(parse('/stream', 'streams=solusdt@trade&timeUnit=microsecond')).toMatchObject({ ok: true, request: { unit: 'us' } });
    expect(parse('/ws', 'timeUnit=MILLISECOND')).toMatchObject({ ok: true, request: { unit: 'ms' } });
    expect(parse('/ws', 'timeUnit=SECOND')).toEqual({ ok: false, reason: 'badTimeUnit' });
  });
});
