import { describe, expect, it } from 'vitest';
import { createTradeSequence, mergeBackfill, type AggRow } from '../../web/src/state/trades.ts';
import { history } from './fakes.ts';
import { createRandom } from '../../server/market/random.ts';

/** A fixed-seed source (the simulator's own PRNG), so every run makes the same cases. */
const rng = (seed: number): (() => number) => {
  const r = createRandom(seed);
  return () => r.next();
};

describe('trade sequence', () => {
  it('counts the first row as the baseline, not as a miss', () => {
    const seq = createTradeSequence();
    expect(seq.accept({ a: 50, f: 500, l: 502 })).toEqual({ kind: 'new', trades: 3, missed: 0 });
    expect(seq.trades).toBe(3);
    expect(seq.missed).toBe(0);
  });

  it('takes a placing row as the position without counting it, and refuses one it has passed', () => {
    const seq = createTradeSequence();
    expect(seq.place({ a: 50, f: 500, l: 505 })).toBe(true);
    expect(seq.trades).toBe(0);
    expect(seq.accept({ a: 51, f: 506, l: 507 })).toEqual({ kind: 'new', trades: 2, missed: 0 });
    expect(seq.place({ a: 51, f: 506, l: 507 })).toBe(false);
    expect(seq.lastAggId).toBe(51);
  });

  it('counts a jump in trade ids as missed trades', () => {
    const seq = createTradeSequence();
    seq.accept({ a: 1, f: 10, l: 10 });
    expect(seq.accept({ a: 4, f: 15, l: 16 })).toEqual({ kind: 'new', trades: 2, missed: 4 });
    expect(seq.trades).toBe(3);
    expect(seq.missed).toBe(4);
  });

  it('ignores a row it has already seen', () => {
    const seq = createTradeSequence();
    seq.accept({ a: 1, f: 10, l: 12 });
    expect(seq.accept({ a: 1, f: 10, l: 12 })).toEqual({ kind: 'duplicate' });
    expect(seq.trades).toBe(3);
  });

  it('starts a new baseline after a rebase and keeps the totals', () => {
    const seq = createTradeSequence();
    seq.accept({ a: 900, f: 900, l: 900 });
    seq.rebase();
    expect(seq.accept({ a: 1, f: 1, l: 1 })).toEqual({ kind: 'new', trades: 1, missed: 0 });
    expect(seq.trades).toBe(2);
    expect(seq.missed).toBe(0);
  });

  it('counts exactly the trades a polled subset missed', () => {
    const rows = history(200);
    const seq = createTradeSequence();
    const seen = rows.filter((r) => r.a % 10 === 0);
    for (const r of seen) seq.accept(r);
    const first = seen[0]!;
    const last = seen[seen.length - 1]!;
    const covered = seen.reduce((n, r) => n + r.l - r.f + 1, 0);
    expect(seq.trades).toBe(covered);
    expect(seq.missed).toBe(last.l - first.f + 1 - covered);
  });
});

describe('backfill merge', () => {
  it('joins a page to the live tail with no gap and no duplicate when they overlap', () => {
    const all = history(30);
    const m = mergeBackfill(10, all.slice(10, 25), all.slice(20), false);
    expect(m.done).toBe(true);
    expect(m.apply.map((r) => r.a)).toEqual(all.slice(10).map((r) => r.a));
    expect(m.lastId).toBe(30);
  });

  it('asks for another page when a full page stops short of the live tail', () => {
    const all = history(50);
    const m = mergeBackfill(10, all.slice(10, 20), all.slice(40), true);
    expect(m.done).toBe(false);
    expect(m.lastId).toBe(20);
    expect(m.apply.map((r) => r.a)).toEqual(all.slice(10, 20).map((r) => r.a));
  });

  it('finishes with an empty live tail when the page was not full', () => {
    const all = history(20);
    const m = mergeBackfill(5, all.slice(5), [], false);
    expect(m).toMatchObject({ done: true, lastId: 20 });
  });

  it('keeps going on a full page even with nothing live yet', () => {
    const all = history(20);
    expect(mergeBackfill(5, all.slice(5, 10), [], true).done).toBe(false);
  });

  it('reassembles the exact sequence from pages and a live tail, whatever the cut points', () => {
    const next = rng(7);
    for (let round = 0; round < 200; round++) {
      const all = history(300);
      const lastSeen = 1 + Math.floor(next() * 100);
      const liveFrom = lastSeen + 1 + Math.floor(next() * 150);
      const limit = 1 + Math.floor(next() * 60);
      const live = all.filter((r) => r.a >= liveFrom);
      // The page is read after the subscription, so REST already holds part of the live tail.
      const restUpTo = liveFrom + Math.floor(next() * 40);
      const restRows = all.filter((r) => r.a <= restUpTo);
      const out: AggRow[] = [];
      let last = lastSeen;
      for (let page = 0; page < 1000; page++) {
        const rows = restRows.filter((r) => r.a > last).slice(0, limit);
        const m = mergeBackfill(last, rows, live, rows.length >= limit);
        out.push(...m.apply);
        last = m.lastId;
        if (m.done) break;
      }
      expect(out.map((r) => r.a)).toEqual(all.filter((r) => r.a > lastSeen).map((r) => r.a));
      const seq = createTradeSequence();
      seq.accept(all[lastSeen - 1]!);
      for (const r of out) seq.accept(r);
      expect(seq.missed).toBe(0);
    }
  });
});
