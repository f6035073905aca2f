// The error table: REST and WebSocket codes side by side, each named once, each body in the wire's shape.
import { describe, expect, it } from 'vitest';
import { encodeRestError, encodeWsError, RestErrorCode, RestErrorMsg, UpgradeRefusal, WsErrorCode } from '../../server/wire/errors.ts';

describe('error codes', () => {
  it('gives every REST code one name, each a negative Binance code', () => {
    const codes = Object.values(RestErrorCode);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toBeLessThanOrEqual(-1000);
  });

  it('gives every WebSocket error code one name, 0 to 3', () => {
    expect(Object.values(WsErrorCode).sort()).toEqual([0, 1, 2, 3]);
  });

  it('encodes a REST error as {"code","msg"} and a WebSocket error as {"error":{…},"id"}', () => {
    expect(JSON.parse(encodeRestError(RestErrorCode.BAD_SYMBOL, RestErrorMsg.badSymbol))).toEqual({ code: -1121, msg: 'Invalid symbol.' });
    expect(JSON.parse(encodeWsError(WsErrorCode.INVALID_JSON, 'x', 'a'))).toEqual({ error: { code: 3, msg: 'x' }, id: 'a' });
  });

  it('answers a refused upgrade with a REST error body carrying its named code', () => {
    expect(JSON.parse(UpgradeRefusal.tooManyAttempts.body).code).toBe(RestErrorCode.TOO_MANY_REQUESTS);
    expect(JSON.parse(UpgradeRefusal.badTimeUnit.body).code).toBe(RestErrorCode.ILLEGAL_CHARS);
    expect(JSON.parse(UpgradeRefusal.shuttingDown.body)).toEqual({ code: -1001, msg: 'Server is shutting down.' });
  });
});
