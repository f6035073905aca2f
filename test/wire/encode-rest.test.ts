// REST body encoders: the same market value gives the same times as its stream payload, in ms or µs.
import { describe, expect, it } from 'vitest';
import { encodeAggTrade, encodeKline, encodeTrade, parseTimeUnit } from '../../server/wire/encode.ts';
import { restAggTrade, restAvgPrice, restKline, restServerTime, restTrade } from '../../server/wire/encode-rest.ts';
import type { WireAggTrade, WireKline, WireTrade } from '../../server/wire/payloads.ts';
import { aggTrade, kline, T0_US, trade } from './fixtures.ts';

describe('REST encoders', () => {
  it('give a trade the time its stream payload gives, in each unit', () => {
    const t = trade(7);
    for (const unit of ['ms', 'us'] as const) {
      const wire = JSON.parse(encodeTrade(t, T0_US, unit)) as WireTrade;
      expect(restTrade(t, unit)).toEqual({
        id: wire.t, price: wire.p, qty: wire.q, quoteQty: t.quoteQty, time: wire.T, isBuyerMaker: wire.m, isBestMatch: true,
      });
    }
    expect(restTrade(t, 'ms').time).toBe(Math.floor(t.timeUs / 1000));
    expect(restTrade(t, 'us').time).toBe(t.timeUs);
  });

  it('give an aggregate trade and a kline the times of their stream payloads', () => {
    const a = aggTrade(3);
    const k = kline('1m');
    for (const unit of ['ms', 'us'] as const) {
      expect(restAggTrade(a, unit).T).toBe((JSON.parse(encodeAggTrade(a, T0_US, unit)) as WireAggTrade).T);
      const wk = (JSON.parse(encodeKline(k, T0_US, unit)) as WireKline).k;
      const row = restKline(k, unit);
      expect([row[0], row[6]]).toEqual([wk.t, wk.T]);
    }
  });

  it('write serverTime and avgPrice closeTime in the unit asked for', () => {
    expect(JSON.parse(restServerTime(T0_US, 'ms'))).toEqual({ serverTime: Math.floor(T0_US / 1000) });
    expect(JSON.parse(restServerTime(T0_US, 'us'))).toEqual({ serverTime: T0_US });
    expect(JSON.parse(restAvgPrice({ mins: 5, price: '1.00', closeTimeUs: T0_US }, 'us'))).toEqual({ mins: 5, price: '1.00', closeTime: T0_US });
  });
});

describe('parseTimeUnit', () => {
  it('reads MICROSECOND and MILLISECOND in either case, empty as ms, and nothing else', () => {
    expect(parseTimeUnit('MICROSECOND')).toBe('us');
    expect(parseTimeUnit('microsecond')).toBe('us');
    expect(parseTimeUnit('MilliSecond')).toBe('ms');
    expect(parseTimeUnit('')).toBe('ms');
    expect(parseTimeUnit('NANOSECOND')).toBeUndefined();
    expect(parseTimeUnit('MICROSECONDS')).toBeUndefined();
  });
});
