// fast-check arbitraries of hostile input, shared by the parser properties and the network suite.
import fc from 'fast-check';
import { streamKey, streamTargets } from '../../server/wire/streams.ts';
import { SYMBOLS } from '../wire/fixtures.ts';

/** Every stream name of the four test symbols, canonical spelling. */
export const NAMES = SYMBOLS.flatMap((s) => streamTargets(s).map(streamKey));

/** Text made of what breaks parsers: separators, escapes, case, digits, unicode, controls, lone surrogates. */
export const hostileChar = fc.oneof(
  fc.constantFrom(...'@_&=%+/?#[]{}",:.-\\ \t\n\r\0'.split('')),
  fc.constantFrom(...'solusdtSOLUSDTbtcethbnkline1mMhdwsaggTradeickerdpth0123456789'.split('')),
  fc.constantFrom('\u00e9', '\u0130', '\u017f', '\u212a', '\ud800', '\udfff', '\ufeff', '\u{1f600}'),
  fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
);
export const hostileText = (maxLength: number) => fc.array(hostileChar, { maxLength }).map((cs) => cs.join(''));

/** Real names, mutated: case flips, a character dropped, added or swapped, suffixes doubled. */
export const nearName = fc
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
export const streamish = fc.oneof(nearName, hostileText(80), fc.string({ maxLength: 100, unit: 'grapheme' }), fc.constantFrom(...NAMES));

const wireId = fc.oneof(fc.nat(), fc.string({ maxLength: 40 }), fc.constant(null), fc.double(), fc.integer({ min: -5, max: -1 }), fc.boolean(), fc.constant(2 ** 53));
const method = fc.oneof(fc.constantFrom('SUBSCRIBE', 'UNSUBSCRIBE', 'LIST_SUBSCRIPTIONS', 'SET_PROPERTY', 'GET_PROPERTY', 'subscribe', ''), fc.string({ maxLength: 20 }), fc.integer());
const paramsArb = fc.oneof(
  fc.array(streamish, { maxLength: 12 }),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 6 }),
  fc.tuple(fc.constantFrom('combined', 'Combined', ''), fc.jsonValue({ maxDepth: 1 })).map((t) => [...t]),
  fc.jsonValue({ maxDepth: 2 }),
);
export const controlObject = fc.record({ method, params: paramsArb, id: wireId }, { requiredKeys: [] });
export const controlText = fc.oneof(
  controlObject.map((o) => JSON.stringify(o)),
  fc.json({ maxDepth: 3 }),
  hostileText(200),
  controlObject.map((o) => JSON.stringify(o).slice(0, -1)),
  fc.constant(JSON.stringify({ method: 'SUBSCRIBE', params: Array.from({ length: 1025 }, () => 'solusdt@trade'), id: 1 })),
);

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
/** `s` with lone surrogates replaced by U+FFFD (String#toWellFormed, which this TS lib lacks). */
export const wellFormed = (s: string) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
export const encode = (s: string) => encodeURIComponent(wellFormed(s));

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

