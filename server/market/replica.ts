// A replica of the market: symbol states restored from snapshots and moved on by the market's own
// events, behind the same MarketView the simulator serves. What a fleet gateway answers REST from.
import type { MarketEvent, MarketView } from './types.ts';
import type { SymbolState } from './state.ts';
import { applyBatch } from './state.ts';
import { createMarketView } from './view.ts';

export interface Replica {
  readonly view: MarketView;
  /** Symbols that have a state (a snapshot was restored). */
  has(symbol: string): boolean;
  /** Replace a symbol's state (first restore, or resync after falling behind the retained log). */
  reset(symbol: string, state: SymbolState): void;
  /** Apply one batch of a symbol's events, in log order. Throws RangeError when it cannot follow. */
  apply(symbol: string, events: readonly MarketEvent[]): void;
  /** Time of the newest event applied to a symbol, µs (NaN before its first snapshot). */
  timeUs(symbol: string): number;
}

/**
 * `symbols` fixes the view's order (exchangeInfo, arrays); a symbol's reads throw until its first reset. `nowUs` is the clock of this process: reads are never before the newest event.
 */
export function createReplica(symbols: readonly string[], nowUs: () => number): Replica {
  const states = new Map<string, SymbolState>();
  const view = createMarketView({ state: (s) => states.get(s), symbols, nowUs, clockUs: nowUs });
  const get = (symbol: string) => {
    const s = states.get(symbol);
    if (!s) throw new Error(`replica: no state for ${symbol} yet`);
    return s;
  };
  return {
    view,
    has: (symbol) => states.has(symbol),
    reset(symbol, state) {
      if (state.model.spec.symbol !== symbol) throw new Error(`replica: a state of ${state.model.spec.symbol} given for ${symbol}`);
      states.set(symbol, state);
    },
    apply: (symbol, events) => applyBatch(get(symbol), events),
    timeUs: (symbol) => states.get(symbol)?.timeUs ?? NaN,
  };
}
