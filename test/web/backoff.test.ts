// The reconnect policy the page's connections share (web/src/state/backoff.ts): delays grow from
// the base to the cap with jitter, a live connection starts them over, stop drops the attempt waiting.
import { describe, expect, it } from 'vitest';
import { backoffDelay, createReconnecting } from '../../web/src/state/backoff.ts';
import { manualTimers } from './fakes.ts';

describe('reconnecting with backoff', () => {
  it('grows the backoff exponentially up to the cap, with jitter in the upper half', () => {
    expect(backoffDelay(0, 0, 500, 8000)).toBe(250);
    expect(backoffDelay(0, 0.999, 500, 8000)).toBeCloseTo(499.75, 5);
    expect(backoffDelay(3, 0, 500, 8000)).toBe(2000);
    expect(backoffDelay(10, 0.5, 500, 8000)).toBe(6000);
  });

  it('connects at start, again after each growing delay, from the shortest once live, and not after stop', async () => {
    const timers = manualTimers();
    let connects = 0;
    const conn = createReconnecting({ timers, random: () => 0, backoff: { baseMs: 100, maxMs: 400 } }, () => connects++);
    conn.start();
    conn.start(); // already running: no second connection
    expect([connects, conn.running]).toEqual([1, true]);

    // Each lost connection: the next attempt after a delay twice the last, up to the cap.
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      delays.push(conn.retryLater());
      await timers.advance(delays[i]! - 1);
      expect(connects).toBe(1 + i);
      await timers.advance(1);
      expect(connects).toBe(2 + i);
    }
    expect([delays, conn.attempt]).toEqual([[50, 100, 200, 200], 4]);

    conn.live();
    expect([conn.retryLater(), conn.attempt]).toEqual([50, 1]);
    conn.cancelRetry(); // connecting at once instead
    await timers.advance(1000);
    expect(connects).toBe(5);

    conn.retryLater();
    conn.stop();
    await timers.advance(1000);
    expect([connects, conn.running, timers.pending()]).toEqual([5, false, 0]);
  });
});
