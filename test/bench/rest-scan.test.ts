// The polling clients' reader of /api/v3/trades bodies, on bytes.
import { describe, expect, it } from 'vitest';
import { newTrades } from '../../bench/load/rest-scan.ts';

const trade = (id: number, time: number) =>
  ({ id, price: '139.94000000', qty: '0.16300000', quoteQty: '22.81022000', time, isBuyerMaker: id % 2 === 0, isBestMatch: true });
const body = (trades: object[]) => Buffer.from(JSON.stringify(trades));

describe('newTrades', () => {
  const trades = [trade(18_297_738_630, 1_795_305_545_825_000), trade(18_297_738_631, 1_795_305_545_825_000), trade(18_297_738_632, 1_795_305_545_900_123)];

  it('returns every trade, oldest first, when none is held yet', () => {
    expect(newTrades(body(trades), 0)).toEqual(trades.map((t) => [t.id, t.time]));
  });

  it('returns only the trades after the newest one held', () => {
    expect(newTrades(body(trades), 18_297_738_630)).toEqual([[18_297_738_631, 1_795_305_545_825_000], [18_297_738_632, 1_795_305_545_900_123]]);
    expect(newTrades(body(trades), 18_297_738_632)).toEqual([]);
  });

  it('agrees with JSON.parse on a long body', () => {
    const many = Array.from({ length: 500 }, (_, i) => trade(1000 + i, 1_700_000_000_000_000 + i * 37));
    const parsed = (JSON.parse(body(many).toString()) as { id: number; time: number }[]).filter((t) => t.id > 1200).map((t) => [t.id, t.time]);
    expect(newTrades(body(many), 1200)).toEqual(parsed);
  });

  it('answers an empty array with nothing new, and an error object with null', () => {
    expect(newTrades(Buffer.from('[]'), 5)).toEqual([]);
    expect(newTrades(Buffer.from('{"code":-1121,"msg":"Invalid symbol."}'), 5)).toBeNull();
    expect(newTrades(Buffer.from('[{"id":7,"price":"1"}]'), 5)).toBeNull();
  });
});
