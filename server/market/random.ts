// Seeded pseudo-random source for the simulator: sfc32 (fast, 128-bit state) and the distributions it draws.
// Same seed and stream ⇒ same numbers, on every platform: only 32-bit integer ops and IEEE doubles.

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer uniform in [0, n). */
  int(n: number): number;
  /** Standard normal (mean 0, variance 1). */
  normal(): number;
  /** Exponential with the given rate (mean 1/rate). */
  exponential(rate: number): number;
  /** Poisson with the given mean (exact below 30, normal approximation above). */
  poisson(mean: number): number;
  /** Log-normal with mean 1 and log-standard-deviation `sigma`. */
  lognormal(sigma: number): number;
}

/** FNV-1a hash of a string to 32 bits: stable per-name numbers (streams, generic symbol specs). */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** sfc32 seeded from (seed, stream) through splitmix32, so neighbouring seeds give unrelated sequences. */
export function createRandom(seed: number, stream = 0): Random {
  let s = (seed ^ Math.imul(stream | 0, 0x9e3779b9)) >>> 0;
  const split = (): number => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split() | 0;
  let b = split() | 0;
  let c = split() | 0;
  let d = split() | 0;
  const u32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 16; i++) u32();

  let spare = NaN;
  const next = (): number => u32() / 4294967296;
  const normal = (): number => {
    if (spare === spare) {
      const v = spare;
      spare = NaN;
      return v;
    }
    // Box–Muller on (0, 1] so that log never sees 0.
    const u = 1 - next();
    const r = Math.sqrt(-2 * Math.log(u));
    const th = 2 * Math.PI * next();
    spare = r * Math.sin(th);
    return r * Math.cos(th);
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    normal,
    exponential: (rate) => -Math.log(1 - next()) / rate,
    poisson(mean) {
      if (!(mean > 0)) return 0;
      if (mean >= 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal()));
      const limit = Math.exp(-mean);
      let k = 0;
      let p = next();
      while (p > limit) {
        k++;
        p *= next();
      }
      return k;
    },
    lognormal: (sigma) => Math.exp(sigma * normal() - (sigma * sigma) / 2),
  };
}
