// Pure parts of the limits and the per-second ticker arrays, with time passed in.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAttemptLimiter, createMessageBucket, takeMessage } from '../../server/gateway/limits.ts';
import { createSecondCollector } from '../../server/gateway/second-collector.ts';

describe('message bucket', () => {
  it('allows a burst of perSec frames and refuses the next one in the same second', () => {
    const b = createMessageBucket(5, 0);
    const taken = Array.from({ length: 6 }, (_, i) => takeMessage(b, 5, i * 10));
    expect(taken).toEqual([true, true, true, true, true, false]);
  });

  it('refills at perSec a second', () => {
    const b = createMessageBucket(5, 0);
    for (let i = 0; i < 5; i++) takeMessage(b, 5, 0);
    expect(takeMessage(b, 5, 100)).toBe(false);
    expect(takeMessage(b, 5, 200)).toBe(true);
    // A steady 5 per second never runs out.
    let ok = true;
    for (let t = 1000; t < 10_000; t += 200) ok = takeMessage(b, 5, t) && ok;
    expect(ok).toBe(true);
  });
});

describe('attempt limiter', () => {
  it('counts attempts per IP within a window, refused ones included', () => {
    const l = createAttemptLimiter(2, 1000);
    expect([l.attempt('a', 0), l.attempt('a', 1), l.attempt('b', 2), l.attempt('a', 3), l.attempt('a', 999)]).toEqual([true, true, true, false, false]);
    expect(l.attempt('a', 1000)).toBe(true);
  });

  it('forgets IPs whose window is over', () => {
    const l = createAttemptLimiter(2, 1000);
    l.attempt('a', 0);
    l.attempt('b', 500);
    l.sweep(1200);
    expect(l.size).toBe(1);
  });
});

describe('second collector', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('flushes a second as soon as every key has reported', () => {
    const out: string[][] = [];
    const c = createSecondCollector<string>({ expected: 3, maxWaitMs: 1000, onFlush: (items) => out.push(items) });
    c.add('A', 10, 'a1');
    c.add('B', 10, 'b1');
    c.add('B', 10, 'b2');
    expect(out).toEqual([]);
    c.add('C', 10, 'c1');
    expect(out).toEqual([['a1', 'b2', 'c1']]);
    c.close();
  });

  it('flushes an incomplete second when a later one starts, and never an empty one', () => {
    const out: string[][] = [];
    const c = createSecondCollector<string>({ expected: 3, maxWaitMs: 1000, onFlush: (items) => out.push(items) });
    c.flush();
    c.add('A', 10, 'a1');
    c.add('A', 11, 'a2');
    c.add('B', 9, 'late');
    expect(out).toEqual([['a1']]);
    c.close();
  });

  it('flushes an incomplete second after maxWaitMs', () => {
    vi.useFakeTimers();
    const out: string[][] = [];
    const c = createSecondCollector<string>({ expected: 3, maxWaitMs: 1000, onFlush: (items) => out.push(items) });
    c.add('A', 10, 'a1');
    vi.advanceTimersByTime(999);
    expect(out).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(out).toEqual([['a1']]);
    c.close();
  });
});
