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
import { MAX_STREAM_NAME_LENGTH, parseStream, streamKey, streamTargets } from '../../server/wire/streams.ts';
import { createFakeMarket } from '../http/fake-market.ts';
import { START_US } from '../http/harness.ts';
import { SYMBOLS, SYMBOL_SET } from '../wire/fixtures.ts';
import { check } from './seed.ts';

const FILE = 'test/hostile/parsers.test.ts';
const RUNS = 2000;
const WS_CODES = new Set<number>(Object.values(WsErrorCode));
const REST_CODES = new Set<number>(Object.values(RestErrorCode));
const NAMES = SYMBOLS.flatMap((s) => streamTargets(s).map(streamKey));

/** Text made of what breaks parsers: separators, escapes, case, digits, unicode, controls, lone surrogates. */
const hostileChar = fc.oneof(
  fc.constantFrom(...'@_&=%+/?#[]{}",:.-\\ \t\n\r\0'.split('')),
  fc.constantFrom(...'solusdtSOLUSDTbtcethbnkline1mMhdwsaggTradeickerdpth0123456789'.split('')),
  fc.constantFrom('\u00e9', '\u0130', '\u017f', '\u212a', '\ud800', '\udfff', '\ufeff', '\u{1f600}'),
  fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
);
const hostileText = (maxLength: number) => fc.array(hostileChar, { maxLength }).map((cs) => cs.join(''));

/** Real names, mutated: case flips, a character dropped, added or swapped, suffixes doubled. */
const nearName = fc
  .tuple(fc.constantFrom(...NAMES), fc.nat(), fc.integer({ min: 0, max: 5 }), hostileChar)
  .map(([name, at, how, ch]) => {
    const i = at % (name.length + 1);
    switch (how) {
      case 0: return name.toUpperCase();
      case 1: return name.slice(0, i) + name.slice(i + 1);
      case 2: return name.slice(0, i) + ch + name.slice(i);
      case 3: return name.slice(0, i) + ch + name.slice(i + 1);
      case 4: return `${name}@${name}`;
      default: return [...name].map((c, k) => ((at >> (k % 30)) & 1 ? c.toUpperCase() : c)).join('');
    }
  });
const streamish = fc.oneof(nearName, hostileText(80), fc.string({ maxLength: 100, unit: 'grapheme' }), fc.constantFrom(...NAMES));

const wireId = fc.oneof(fc.nat(), fc.string({ maxLength: 40 }), fc.constant(null), fc.double(), fc.integer({ min: -5, max: -1 }), fc.boolean(), fc.constant(2 ** 53));
const method = fc.oneof(fc.constantFrom('SUBSCRIBE', 'UNSUBSCRIBE', 'LIST_SUBSCRIPTIONS', 'SET_PROPERTY', 'GET_PROPERTY', 'subscribe', ''), fc.string({ maxLength: 20 }), fc.integer());
const paramsArb = fc.oneof(
  fc.array(streamish, { maxLength: 12 }),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 6 }),
  fc.tuple(fc.constantFrom('combined', 'Combined', ''), fc.jsonValue({ maxDepth: 1 })).map((t) => [...t]),
  fc.jsonValue({ maxDepth: 2 }),
);
const controlObject = fc.record({ method, params: paramsArb, id: wireId }, { requiredKeys: [] });
const controlText = fc.oneof(
  controlObject.map((o) => JSON.stringify(o)),
  fc.json({ maxDepth: 3 }),
  hostileText(200),
  controlObject.map((o) => JSON.stringify(o).slice(0, -1)),
  fc.constant(JSON.stringify({ method: 'SUBSCRIBE', params: Array.from({ length: 1025 }, () => 'solusdt@trade'), id: 1 })),
);

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

/** A REST parameter value a hostile client may send: numbers at every edge, JSON, encodings, junk. */
const restValue = fc.oneof(
  fc.constantFrom('', '0', '1', '-1', '5000', '5001', '1e3', '0x10', '9007199254740993', '99999999999999999999', '1.5', ' 1', 'NaN', 'Infinity'),
  fc.constantFrom('SOLUSDT', 'solusdt', 'XXXUSDT', 'SOL USDT', '["SOLUSDT"]', '["SOLUSDT","SOLUSDT"]', '[]', '[', '["a"', 'null', '{}'),
  fc.constantFrom('1m', '1M', '60m', '24h', '8d', '1d2h', '+08:00', '-12:00', '14:01', '5:45', 'FULL', 'MINI', 'full'),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  fc.array(fc.constantFrom(...NAMES.slice(0, 20).map((n) => JSON.stringify(n.split('@')[0]!.toUpperCase()))), { maxLength: 30 }).map((xs) => `[${xs.join(',')}]`),
  hostileText(40),
);
const restName = fc.oneof(
  fc.constantFrom('symbol', 'symbols', 'limit', 'interval', 'startTime', 'endTime', 'fromId', 'timeZone', 'type', 'windowSize', 'id'),
  hostileText(10),
);
/** Percent-encoding of any string (lone surrogates, which encodeURIComponent refuses, become U+FFFD). */
const encode = (s: string) => encodeURIComponent(s.toWellFormed());

/** A raw query string: pairs joined with `&`, each part maybe percent-encoded, maybe broken. */
export const restQuery = fc
  .array(fc.tuple(restName, restValue, fc.integer({ min: 0, max: 4 })), { maxLength: 8 })
  .map((pairs) =>
    pairs
      .map(([n, v, how]) => {
        if (how === 0) return `${n}=${v}`;
        if (how === 1) return `${encode(n)}=${encode(v)}`;
        if (how === 2) return `${n}=${v}%`;
        if (how === 3) return n;
        return `${n}=${v}=${v}`;
      })
      .join('&'),
  );

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
