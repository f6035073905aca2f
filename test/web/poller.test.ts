import { describe, expect, it } from 'vitest';
import { createPoller } from '../../web/src/state/poller.ts';
import { manualTimers } from './fakes.ts';

/** A task whose rounds take `durations[i]` ms each, recording overlap. */
function slowTask(timers: ReturnType<typeof manualTimers>, durations: () => number) {
  const log = { starts: [] as number[], inFlight: 0, maxInFlight: 0, aborted: 0 };
  const task = (signal: AbortSignal) => {
    log.starts.push(timers.now());
    log.inFlight++;
    log.maxInFlight = Math.max(log.maxInFlight, log.inFlight);
    return new Promise<void>((resolve, reject) => {
      const h = timers.setTimeout(() => {
        log.inFlight--;
        resolve();
      }, durations());
      signal.addEventListener('abort', () => {
        timers.clearTimeout(h);
        log.inFlight--;
        log.aborted++;
        reject(new Error('aborted'));
      });
    });
  };
  return { log, task };
}

describe('polling scheduler', () => {
  it('starts a round every interval when the server answers in time', async () => {
    const timers = manualTimers();
    const { log, task } = slowTask(timers, () => 100);
    const p = createPoller({ intervalMs: () => 1000, task, timers });
    const t0 = timers.now();
    p.start();
    await timers.advance(4500);
    p.stop();
    expect(log.starts.map((t) => t - t0)).toEqual([0, 1000, 2000, 3000, 4000]);
    expect(p.overruns.value).toBe(0);
  });

  it('never overlaps rounds when the server is slower than the interval', async () => {
    const timers = manualTimers();
    const { log, task } = slowTask(timers, () => 1700);
    const p = createPoller({ intervalMs: () => 500, task, timers });
    const t0 = timers.now();
    p.start();
    await timers.advance(6000);
    p.stop();
    expect(log.maxInFlight).toBe(1);
    // Each round starts the moment the previous one ends.
    expect(log.starts.map((t) => t - t0)).toEqual([0, 1700, 3400, 5100]);
    expect(p.overruns.value).toBe(3);
  });

  it('applies a new interval from the next round', async () => {
    const timers = manualTimers();
    const { log, task } = slowTask(timers, () => 10);
    let interval = 1000;
    const p = createPoller({ intervalMs: () => interval, task, timers });
    const t0 = timers.now();
    p.start();
    await timers.advance(1500);
    interval = 250;
    await timers.advance(1000);
    p.stop();
    expect(log.starts.map((t) => t - t0)).toEqual([0, 1000, 2000, 2250, 2500]);
  });

  it('counts a failed round and keeps polling', async () => {
    const timers = manualTimers();
    let n = 0;
    const p = createPoller({
      intervalMs: () => 1000,
      task: async () => {
        if (n++ === 1) throw new Error('HTTP 500');
      },
      timers,
    });
    p.start();
    await timers.advance(3500);
    p.stop();
    expect(p.rounds.value).toBe(4);
    expect(p.failures.value).toBe(1);
    expect(p.lastError.value).toBeNull();
  });

  it('aborts the round in flight on stop and schedules nothing after it', async () => {
    const timers = manualTimers();
    const { log, task } = slowTask(timers, () => 800);
    const p = createPoller({ intervalMs: () => 1000, task, timers });
    p.start();
    await timers.advance(300);
    p.stop();
    await timers.advance(5000);
    expect(log.aborted).toBe(1);
    expect(log.starts).toHaveLength(1);
    expect(p.failures.value).toBe(0);
    expect(timers.pending()).toBe(0);
    expect(p.running.value).toBe(false);
  });
});
