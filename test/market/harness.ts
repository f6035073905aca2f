// Shared helpers for the market tests: a simulator on a manual clock, stepped and recorded.
import { createManualClock, type ManualClock } from '../../server/market/clock.ts';
import { createSimulator, type Simulator } from '../../server/market/simulator.ts';
import type { MarketEvent } from '../../server/market/types.ts';
import type { SymbolRate } from '../../server/market/types.ts';

/** 2026-11-21 12:00:00 UTC, a Saturday, in µs. */
export const NOON_US = Date.UTC(2026, 10, 21, 12, 0, 0) * 1000;

export interface Recorded {
  readonly symbol: string;
  readonly batch: readonly MarketEvent[];
}

export interface TestMarket {
  readonly sim: Simulator;
  readonly clock: ManualClock;
  /** Every batch emitted so far, in order. */
  readonly batches: Recorded[];
  /** Advance the clock by `us` in steps of `stepUs`, running the simulator after each step. */
  run(us: number, stepUs?: number, onBatch?: (r: Recorded) => void): void;
}

export function testMarket(opts: {
  seed?: number; startUs?: number; symbols?: readonly SymbolRate[];
  /** Hours of kline history; 72 unless told, 'default' for the simulator's own (about three years). */
  historyHours?: number | 'default';
} = {}): TestMarket {
  const clock = createManualClock(opts.startUs ?? NOON_US);
  const sim = createSimulator({
    seed: opts.seed ?? 7,
    clock,
    symbols: opts.symbols ?? [{ symbol: 'SOLUSDT', tradesPerSec: 20 }],
    historyHours: opts.historyHours === 'default' ? undefined : (opts.historyHours ?? 72),
  });
  const batches: Recorded[] = [];
  return {
    sim,
    clock,
    batches,
    run(us, stepUs = 10_000, onBatch) {
      const end = clock.nowUs() + us;
      while (clock.nowUs() < end) {
        clock.set(Math.min(end, clock.nowUs() + stepUs));
        sim.advanceTo(clock.nowUs(), (symbol, batch) => {
          const r = { symbol, batch };
          batches.push(r);
          onBatch?.(r);
        });
      }
    },
  };
}

export function eventsOf<T extends MarketEvent['type']>(batches: readonly Recorded[], type: T): Extract<MarketEvent, { type: T }>[] {
  const out: Extract<MarketEvent, { type: T }>[] = [];
  for (const r of batches) for (const e of r.batch) if (e.type === type) out.push(e as Extract<MarketEvent, { type: T }>);
  return out;
}

/** A decimal string with 8 decimals as an integer count of 1e-8 units (exact, via BigInt). */
export function units(s: string): bigint {
  const m = /^(-?)(\d+)\.(\d{8})$/.exec(s);
  if (!m) throw new Error(`not an 8-decimal string: ${JSON.stringify(s)}`);
  const v = BigInt(m[2]! + m[3]!);
  return m[1] === '-' ? -v : v;
}
