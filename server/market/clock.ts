// Time source for the market: the system clock in production, a manual one in tests.
// All times are integer microseconds since the Unix epoch.

export interface Clock {
  /** Current time, integer µs since the epoch. Never goes backwards. */
  nowUs(): number;
}

/** Wall-clock time with sub-millisecond resolution (performance.timeOrigin + performance.now()). */
export function createSystemClock(): Clock {
  let last = 0;
  return {
    nowUs() {
      const t = Math.floor((performance.timeOrigin + performance.now()) * 1000);
      last = t > last ? t : last;
      return last;
    },
  };
}

export interface ManualClock extends Clock {
  /** Move time forward by `us` microseconds (must be ≥ 0). */
  advance(us: number): void;
  /** Jump to an absolute time; throws if that would move time backwards. */
  set(us: number): void;
}

export function createManualClock(startUs: number): ManualClock {
  let now = Math.floor(startUs);
  return {
    nowUs: () => now,
    advance(us) {
      if (!(us >= 0)) throw new RangeError(`clock.advance: expected a non-negative number of µs, got ${us}`);
      now += Math.floor(us);
    },
    set(us) {
      if (us < now) throw new RangeError(`clock.set: ${us} is before the current time ${now}`);
      now = Math.floor(us);
    },
  };
}
