import { signal, effect } from '@preact/signals';
import { describe, expect, it } from 'vitest';
import { createFrameLoop, type FrameScheduler } from '../../web/src/state/frame.ts';

function scheduler() {
  let frames: (() => void)[] = [];
  let laters: { cb: () => void; ms: number }[] = [];
  const sched: FrameScheduler = {
    frame(cb) {
      frames.push(cb);
      return () => (frames = frames.filter((f) => f !== cb));
    },
    later(cb, ms) {
      const e = { cb, ms };
      laters.push(e);
      return () => (laters = laters.filter((l) => l !== e));
    },
    now: () => 5000,
  };
  return {
    sched,
    frame: () => frames.splice(0).forEach((f) => f()),
    later: () => laters.splice(0).forEach((l) => l.cb()),
    pending: () => ({ frames: frames.length, laters: laters.length }),
  };
}

describe('frame loop', () => {
  it('turns any number of requests before a frame into one flush', () => {
    const s = scheduler();
    const loop = createFrameLoop(s.sched);
    const seen: number[] = [];
    loop.add((t) => seen.push(t));
    for (let i = 0; i < 1000; i++) loop.request();
    expect(s.pending()).toEqual({ frames: 1, laters: 1 });
    s.frame();
    expect(seen).toEqual([5000]);
    expect(s.pending()).toEqual({ frames: 0, laters: 0 });
    loop.close();
  });

  it('applies every flusher inside one batch, so an effect runs once per frame', () => {
    const s = scheduler();
    const loop = createFrameLoop(s.sched);
    const a = signal(0);
    const b = signal(0);
    let runs = 0;
    const stop = effect(() => {
      void (a.value + b.value);
      runs++;
    });
    loop.add(() => (a.value += 1));
    loop.add(() => (b.value += 1));
    loop.request();
    s.frame();
    expect(runs).toBe(2); // the initial run, then one for the frame
    stop();
    loop.close();
  });

  it('flushes on a timer when frames stop coming (a hidden tab)', () => {
    const s = scheduler();
    const loop = createFrameLoop(s.sched, 500);
    let flushes = 0;
    loop.add(() => flushes++);
    loop.request();
    s.later();
    expect(flushes).toBe(1);
    expect(s.pending().frames).toBe(0);
    loop.close();
  });

  it('does nothing after close', () => {
    const s = scheduler();
    const loop = createFrameLoop(s.sched);
    loop.close();
    loop.request();
    expect(s.pending()).toEqual({ frames: 0, laters: 0 });
  });
});
