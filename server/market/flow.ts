// The two random processes behind a symbol: the fair price (a random walk whose one-second variance
// follows GARCH(1,1), with rare jumps, no mean reversion) and taker-order arrivals (a Hawkes process:
// each order makes the next more likely for a moment, so orders come in bursts).
import type { Random } from './random.ts';
import { SECOND_US } from './intervals.ts';

const GARCH_ALPHA = 0.06;
const GARCH_BETA = 0.92;
/** Variance stays within this factor of its long-run mean. */
const VARIANCE_BAND = 25;
const JUMPS_PER_SEC = 1 / (4 * 3600);
const JUMP_SD = 0.005;

export interface FairPrice {
  /** The fair price at `t` (≥ the previous call's t), in ticks, not rounded. */
  at(t: number): number;
  /** Once per whole second: update the variance from the last second's return; maybe jump. */
  second(t: number): void;
}

export function createFairPrice(rng: Random, dailyVol: number, startTicks: number, startUs: number): FairPrice {
  const hBar = (dailyVol * dailyVol) / 86_400; // per-second variance of the log price, long-run
  let h = hBar;
  let log = Math.log(Math.max(1, startTicks));
  let atUs = startUs;
  let secondLog = log;
  const at = (t: number): number => {
    const dt = (t - atUs) / SECOND_US;
    if (dt > 0) {
      log += Math.sqrt(h * dt) * rng.normal();
      atUs = t;
    }
    return Math.exp(log);
  };
  return {
    at,
    second(t) {
      at(t);
      const r = log - secondLog;
      h = (1 - GARCH_ALPHA - GARCH_BETA) * hBar + GARCH_ALPHA * r * r + GARCH_BETA * h;
      h = Math.min(VARIANCE_BAND * hBar, Math.max(hBar / VARIANCE_BAND, h));
      if (rng.next() < JUMPS_PER_SEC) log += JUMP_SD * rng.normal();
      secondLog = log;
    },
  };
}

/** Each arrival raises the intensity by BRANCHING × DECAY (per s), which decays at DECAY per second. */
const BRANCHING = 0.6;
const DECAY = 1.5;

export interface Arrivals {
  /** Time of the first arrival after `t`, µs (> t). Call once per arrival, with the arrival's time. */
  next(t: number, arrived: boolean): number;
}

/** Exponential-kernel Hawkes arrivals with mean rate `perSec`, simulated exactly (Dassios–Zhao). */
export function createHawkes(rng: Random, perSec: number): Arrivals {
  const base = perSec * (1 - BRANCHING);
  let excitation = 0;
  return {
    next(t, arrived) {
      if (arrived) excitation += BRANCHING * DECAY;
      const s1 = rng.exponential(base);
      let s2 = Infinity;
      if (excitation > 0) {
        const d = 1 + (DECAY * Math.log(1 - rng.next())) / excitation;
        if (d > 0) s2 = -Math.log(d) / DECAY;
      }
      const s = Math.min(s1, s2);
      excitation *= Math.exp(-DECAY * s);
      return t + Math.max(1, Math.round(s * SECOND_US));
    },
  };
}
