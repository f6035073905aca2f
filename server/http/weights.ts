// Request weight per IP per clock minute (Binance's REQUEST_WEIGHT limiter, docs/protocol.md#request-weight-and-429).
// No timer: the table is dropped whole when the minute turns, so an idle server holds nothing.
import type { Clock } from '../market/clock.ts';

const MINUTE_US = 60_000_000;

export interface WeightLimiter {
  /** The configured weight per minute per IP. */
  readonly limit: number;
  /**
   * Add `weight` to `ip`'s use in the current minute and return the total, this request included.
   * A total above `limit` means the request is refused (429); refused requests count too, as on Binance.
   */
  charge(ip: string, weight: number): number;
  /** Whole seconds until the current minute ends (at least 1): the 429's Retry-After. */
  retryAfterSec(): number;
  /** Forget every IP. */
  clear(): void;
}

export function createWeightLimiter(opts: { readonly limit: number; readonly clock: Clock }): WeightLimiter {
  const { limit, clock } = opts;
  let minute = -1;
  let used = new Map<string, number>();
  return {
    limit,
    charge(ip, weight) {
      const m = Math.floor(clock.nowUs() / MINUTE_US);
      if (m !== minute) {
        minute = m;
        if (used.size > 0) used = new Map();
      }
      const total = (used.get(ip) ?? 0) + weight;
      used.set(ip, total);
      return total;
    },
    retryAfterSec() {
      const now = clock.nowUs();
      const left = (Math.floor(now / MINUTE_US) + 1) * MINUTE_US - now;
      return Math.max(1, Math.ceil(left / 1_000_000));
    },
    clear() {
      used = new Map();
    },
  };
}
