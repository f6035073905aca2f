// Property tests of every parser hostile input reaches: stream names, control messages, connect
// URLs, REST queries and parameters. Each must return a value or the wire's own error, never throw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConnect } from '../../server/gateway/connect.ts';
import { createManualClock } from '../../server/market/clock.ts';
import * as params from '../../server/http/params.ts';
import { RestError, parseQuery, type Query } from '../../server/http/params.ts';
import { createEndpoints } from '../../server/http/rest-endpoints.ts';
import { isWireId, parseControl } from '../../server/wire/control.ts';
import { RestErrorCode, WsErrorCode } from '../../server/wire/errors.ts';
import { MAX_STREAM_NAME_LENGTH, parseStream } from '../../server/wire/streams.ts';
import { createFakeMarket } from '../http/fake-market.ts';
import { START_US } from '../http/harness.ts';
import { SYMBOL_SET } from '../wire/fixtures.ts';
import { controlText, encode, hostileText, NAMES, restQuery, streamish } from './arbitraries.ts';
import { check } from './seed.ts';

const FILE = 'test/hostile/parsers.test.ts';
const RUNS = 2000;
const WS_CODES = new Set<number>(Object.values(WsErrorCode));
const REST_CODES = new Set<number>(Object.values(RestErrorCode));

describe('stream names under hostile input', () => {
  it('parseStream never throws, and what it accepts has a canonical key that parses to itself', () => {
    check(FILE, fc.property(streamish, (name) => {
      const spec = parseStream(name, SYMBOL_SET);
      if (spec === undefined) return true;
      expect(name.length).toBeLessThanOrEqual(MAX_STREAM_NAME_LENGTH);
      const again = parseStream(spec.key, SYMBOL_SET);
      expect(again).toEqual(spec);
      return true;
    }), RUNS * 5);
  });

  it('every real name parses whatever the case of its symbol', () => {
    check(FILE, fc.property(fc.constantFrom(...NAMES), fc.nat(), (name, bits) => {
      const at = name.indexOf('@');
      if (name.startsWith('!')) return parseStream(name, SYMBOL_SET)?.key === name; // market-wide: no symbol
      const cased = [...name.slice(0, at)].map((c, k) => ((bits >> k) & 1 ? c.toUpperCase() : c)).join('') + name.slice(at);
      return parseStream(cased, SYMBOL_SET)?.key === name;
    }), RUNS);
  });
});

describe('control messages under hostile input', () => {
  it('parseControl never throws and answers a request or a wire error code with a valid id', () => {
    check(FILE, fc.property(controlText, (text) => {
      const r = parseControl(text, SYMBOL_SET);
      if (r.ok) {
        expect(isWireId(r.request.id)).toBe(true);
        if (r.request.method === 'SUBSCRIBE' || r.request.method === 'UNSUBSCRIBE') {
          for (const s of r.request.streams) expect(parseStream(s.name, SYMBOL_SET)).toEqual(s.spec);
        }
      } else {
        expect(WS_CODES.has(r.error.code)).toBe(true);
        expect(typeof r.error.msg).toBe('string');
        expect(isWireId(r.id)).toBe(true);
      }
      return true;
    }), RUNS * 5);
  });

  it('connect URLs never throw and never yield more streams than the limit or a name the parser refuses', () => {
    const path = fc.oneof(
      fc.array(streamish, { maxLength: 6 }).map((ns) => `/ws/${ns.join('/')}`),
      fc.constantFrom('/ws', '/stream', '/stream/', '/ws/', '/ws//'),
      hostileText(60).map((t) => `/ws/${t}`),
      hostileText(60).map((t) => `/ws/${encode(t)}%`),
    );
    const query = fc.oneof(
      fc.array(streamish, { maxLength: 6 }).map((ns) => `streams=${ns.join('/')}`),
      hostileText(80),
      fc.constantFrom('timeUnit=MICROSECOND', 'timeUnit=', 'timeUnit=%', 'streams=%E0%A4%A', 'timeUnit=us&timeUnit=ms'),
    );
    check(FILE, fc.property(path, query, fc.integer({ min: 1, max: 5 }), (url, q, max) => {
      const r = parseConnect(url, q, SYMBOL_SET, max);
      if (!r.ok) return r.reason === 'badTimeUnit';
      expect(r.request.streams.length).toBeLessThanOrEqual(max);
      for (const s of r.request.streams) expect(parseStream(s.name, SYMBOL_SET)).toEqual(s.spec);
      return true;
    }), RUNS);
  });
});

/** Runs `f`; it must return, or throw a RestError with a code the wire knows and a 4xx status. */
function valueOrRestError(f: () => unknown): void {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(RestError);
    expect(REST_CODES.has((err as RestError).code)).toBe(true);
    expect((err as RestError).status).toBeGreaterThanOrEqual(400);
    expect((err as RestError).status).toBeLessThan(500);
  }
}

describe('REST parameters under hostile input', () => {
  it('parseQuery and every parameter parser return a value or throw the wire\'s RestError', () => {
    check(FILE, fc.property(restQuery, (raw) => {
      let q: Query;
      try {
        q = parseQuery(raw);
      } catch (err) {
        valueOrRestError(() => {
          throw err;
        });
        return true;
      }
      valueOrRestError(() => params.symbolParam(q, true));
      valueOrRestError(() => params.symbolParam(q, false));
      valueOrRestError(() => params.symbolsParam(q));
      valueOrRestError(() => params.symbolSelection(q));
      valueOrRestError(() => params.integerParam(q, 'fromId'));
      valueOrRestError(() => params.limitParam(q, 500, 1000));
      valueOrRestError(() => params.limitForWeight(q, 100));
      valueOrRestError(() => params.intervalParam(q));
      valueOrRestError(() => params.timeZoneParam(q));
      valueOrRestError(() => params.tickerTypeParam(q));
      valueOrRestError(() => params.windowSizeParam(q));
      valueOrRestError(() => params.startTimeParam(q));
      valueOrRestError(() => params.endTimeParam(q));
      return true;
    }), RUNS * 2);
  });

  it('the X-MBX-TIME-UNIT header reads as a unit or the wire\'s RestError', () => {
    check(FILE, fc.property(fc.oneof(hostileText(20), fc.constantFrom('MICROSECOND', 'microsecond', 'MILLISECOND', '')), (h) => {
      valueOrRestError(() => params.timeUnitParam(h));
      return true;
    }), RUNS);
  });

  it('every endpoint answers JSON, or the wire\'s RestError, for any query, and weighs it without throwing', () => {
    const clock = createManualClock(START_US);
    const endpoints = createEndpoints(createFakeMarket(clock, { trades: 200 }), { weightPerMinute: 6000 });
    check(FILE, fc.property(fc.constantFrom(...endpoints), restQuery, fc.constantFrom('ms', 'us') as fc.Arbitrary<'ms' | 'us'>, (endpoint, raw, unit) => {
      let q: Query;
      try {
        q = parseQuery(raw);
      } catch {
        return true; // covered above
      }
      const w = endpoint.weight(q);
      expect(Number.isInteger(w) && w > 0).toBe(true);
      valueOrRestError(() => JSON.parse(endpoint.reply(q, unit)));
      return true;
    }), RUNS);
  });
});
