// Pure parts of the limits and the per-second ticker arrays, with time passed in.
import { describe, expect, it } from 'vitest';
import { createAttemptLimiter, createMessageBucket, takeMessage } from '../../server/gateway/limits.ts';
import { createSecondCollector } from '../../server/gateway/second-collector.ts';
import { createManualTimers } from '../../server/gateway/timers.ts';

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

describe('message bucket after a stall', () => {
  it('takes the frames a client sent at 4/s during a 2 s stall, read all at once afterwards', () => {
    const b = createMessageBucket(5, 0, 0);
    for (let i = 0; i < 5; i++) takeMessage(b, 5, 0, 0); // a burst: empty
    // Busy from 0 to 2000 ms: 8 frames were sent meanwhile and are read at 2000.
    const taken = Array.from({ length: 8 }, () => takeMessage(b, 5, 2000, 2000));
    expect(taken.every(Boolean)).toBe(true);
  });

  it('still refuses the sixth frame of a burst after idle time, however busy the server was before', () => {
    const b = createMessageBucket(5, 0, 0);
    // 10 s at 40 % busy: more waiting than busy, so no stall to make up for.
    const taken = Array.from({ length: 6 }, () => takeMessage(b, 5, 10_000, 4000));
    expect(taken).toEqual([true, true, true, true, true, false]);
  });

  it('gives no more than the rate over time: a steady 6/s through back-to-back stalls runs out', () => {
    const b = createMessageBucket(5, 0, 0);
    let ok = true;
    for (let t = 1; t <= 60 && ok; t++) for (let i = 0; i < 6; i++) ok = takeMessage(b, 5, t * 1000, t * 1000) && ok;
    expect(ok).toBe(false);
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
    const timers = createManualTimers();
    const out: string[][] = [];
    const c = createSecondCollector<string>({ expected: 3, maxWaitMs: 1000, onFlush: (items) => out.push(items), timers });
    c.add('A', 10, 'a1');
    timers.advance(999);
    expect(out).toEqual([]);
    timers.advance(1);
    expect(out).toEqual([['a1']]);
    expect(timers.pending).toBe(0);
    c.close();
  });
});

describe('manual timers', () => {
  it('run what falls due in time order, each seeing its own due time, intervals as often as they fall due', () => {
    const timers = createManualTimers(100);
    const seen: string[] = [];
    const stop = timers.every(30, () => seen.push(`every@${timers.now()}`));
    timers.after(45, () => seen.push(`after@${timers.now()}`));
    const cancelled = timers.after(10, () => seen.push('cancelled'));
    cancelled();
    timers.advance(95);
    expect(seen).toEqual(['every@130', 'after@145', 'every@160', 'every@190']);
    expect(timers.now()).toBe(195);
    stop();
    timers.advance(1000);
    expect(seen).toHaveLength(4);
    expect(timers.pending).toBe(0);
  });
});
