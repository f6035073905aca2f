// Control-message parser: each request shape, the id echoed with its JSON type, every error code.
import { describe, expect, it } from 'vitest';
import { parseControl } from '../../server/wire/control.ts';
import { WsErrorCode } from '../../server/wire/errors.ts';
import { SYMBOL_SET } from './fixtures.ts';

const parse = (v: unknown) => parseControl(typeof v === 'string' ? v : JSON.stringify(v), SYMBOL_SET);

describe('parseControl', () => {
  it.each([[1], ['a1b2c3d4e5f60718293a4b5c6d7e8f90'], [null], [0]])('keeps the id %j with its JSON type', (id) => {
    const r = parse({ method: 'LIST_SUBSCRIPTIONS', id });
    expect(r).toEqual({ ok: true, request: { method: 'LIST_SUBSCRIPTIONS', id } });
  });

  it('reads a missing id as null', () => {
    expect(parse({ method: 'LIST_SUBSCRIPTIONS' })).toMatchObject({ ok: true, request: { id: null } });
  });

  it.each([[1.5], [-1], [true], [{}], [[1]], ['x'.repeat(37)]])('refuses the id %j with code 2 and id null', (id) => {
    expect(parse({ method: 'LIST_SUBSCRIPTIONS', id })).toMatchObject({ ok: false, error: { code: WsErrorCode.INVALID_REQUEST }, id: null });
  });

  it('parses SUBSCRIBE into named streams, keeping the names as sent', () => {
    const r = parse({ method: 'SUBSCRIBE', params: ['SOLUSDT@trade', 'btcusdt@depth'], id: 1 });
    expect(r.ok && r.request.method === 'SUBSCRIBE' && r.request.streams.map((s) => [s.name, s.spec.key])).toEqual([
      ['SOLUSDT@trade', 'solusdt@trade'],
      ['btcusdt@depth', 'btcusdt@depth@1000ms'],
    ]);
  });

  it('parses SET_PROPERTY and GET_PROPERTY of combined', () => {
    expect(parse({ method: 'SET_PROPERTY', params: ['combined', true], id: 5 })).toEqual({
      ok: true, request: { method: 'SET_PROPERTY', id: 5, property: 'combined', value: true },
    });
    expect(parse({ method: 'GET_PROPERTY', params: ['combined'], id: 'x' })).toEqual({
      ok: true, request: { method: 'GET_PROPERTY', id: 'x', property: 'combined' },
    });
  });

  const errors: [what: string, request: unknown, code: number, id: unknown][] = [
    ['an unknown property', { method: 'GET_PROPERTY', params: ['compressed'], id: 2 }, 0, 2],
    ['SET_PROPERTY of an unknown property', { method: 'SET_PROPERTY', params: ['foo', true], id: 'q' }, 0, 'q'],
    ['a non-boolean value', { method: 'SET_PROPERTY', params: ['combined', 'yes'], id: 3 }, 1, 3],
    ['a property name that is not a string', { method: 'GET_PROPERTY', params: [1], id: 4 }, 2, 4],
    ['too many parameters', { method: 'GET_PROPERTY', params: ['combined', true], id: 5 }, 2, 5],
    ['an unknown method', { method: 'SUBSCRIBEX', params: [], id: 6 }, 2, 6],
    ['a missing method', { params: ['solusdt@trade'], id: 7 }, 2, 7],
    ['a method that is not a string', { method: 7, id: 8 }, 2, 8],
    ['an invalid stream', { method: 'SUBSCRIBE', params: ['solusdt@trade', 'nope'], id: 9 }, 2, 9],
    ['an unknown symbol', { method: 'SUBSCRIBE', params: ['xrpusdt@trade'], id: 10 }, 2, 10],
    ['a stream that is not a string', { method: 'UNSUBSCRIBE', params: [1], id: null }, 2, null],
    ['params that are not an array', { method: 'SUBSCRIBE', params: 'solusdt@trade', id: 11 }, 2, 11],
    ['SUBSCRIBE without params', { method: 'SUBSCRIBE', id: 12 }, 2, 12],
    ['a JSON value that is not an object', [1, 2], 2, null],
    ['text that is not JSON', '{"method":', 3, null],
  ];
  it.each(errors)('answers %s with code %i', (_what, request, code, id) => {
    const r = parse(request);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe(code);
    expect(r.id).toEqual(id);
    expect(r.error.msg.length).toBeGreaterThan(0);
  });
});
