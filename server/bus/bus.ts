// The bus: how market events travel from the market (simulator) to the gateways.
// Only an interface; `bus-memory.ts` is the in-process default, a Redis one plugs in later.
import type { MarketEvent } from '../market/types.ts';

/** Stops one subscription. Calling it twice is harmless. */
export type Unsubscribe = () => void;

/**
 * Handler for one batch. A batch holds events that happened together (a taker order's trades,
 * the book and ticker changes it caused), in order; a gateway publishes a batch in one
 * synchronous block so uWS coalesces it into one write per socket.
 * The array and its events are shared between subscribers: never mutate them.
 */
export type BatchHandler = (events: readonly MarketEvent[]) => void;

export interface Bus {
  /**
   * Publish one batch on a channel (one channel per symbol: `channelFor(symbol)`).
   * Delivery is at-most-once and in order per channel; an empty batch is not delivered.
   * The in-memory bus delivers synchronously, before `publish` returns.
   */
  publish(channel: string, events: readonly MarketEvent[]): void;
  /** Receive every batch published on `channel` from now on. */
  subscribe(channel: string, handler: BatchHandler): Unsubscribe;
  /** Drop every subscription and release connections. Idempotent. */
  close(): Promise<void>;
}

/** The channel a symbol's events travel on. */
export const channelFor = (symbol: string): string => `market.${symbol}`;
