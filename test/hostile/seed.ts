// The hostile suite's seed: random per run, or HOSTILE_SEED to replay one. Every failure names it.
import fc from 'fast-check';

const fromEnv = process.env.HOSTILE_SEED;
if (fromEnv !== undefined && !/^-?\d+$/.test(fromEnv)) throw new Error(`HOSTILE_SEED must be an integer, got ${JSON.stringify(fromEnv)}`);

/** This run's seed (a 32-bit integer). */
export const SEED = fromEnv !== undefined ? Number(fromEnv) | 0 : (Math.random() * 2 ** 31) | 0;

/** What a failure message carries: the seed and the command that replays it. */
export const replay = (file: string): string => `seed ${SEED} (replay: HOSTILE_SEED=${SEED} npx vitest run ${file})`;

/** fc.assert with this run's seed; a failure's message starts with the seed and how to replay it. */
export function check<Ts extends [unknown, ...unknown[]]>(file: string, property: fc.IProperty<Ts>, numRuns: number): void {
  try {
    fc.assert(property, { seed: SEED, numRuns });
  } catch (err) {
    if (err instanceof Error) err.message = `${replay(file)}\n${err.message}`;
    throw err;
  }
}

/** `n` values drawn from `arb` with this run's seed (`salt` keeps each use's draws apart). */
export function draw<T>(arb: fc.Arbitrary<T>, n: number, salt: number): T[] {
  return fc.sample(arb, { seed: (SEED ^ Math.imul(salt, 0x9e3779b1)) | 0, numRuns: n });
}
