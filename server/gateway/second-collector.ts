// Collects one item per key (symbol) for each second of event time, for the `!…@arr` streams.
//
// The market sends each symbol's ticker in its own batch, once a second. An array goes out when
// every expected key has reported for the second, when an item of a later second arrives, or
// `maxWaitMs` after the first item of the second (on the timers given), whichever comes first.
// An empty array is never flushed (ccxt reads `message[0].e`).

import { realTimers, type Timers } from './timers.ts';

export interface SecondCollector<T> {
  /** Add the item of `key` for event second `second`; a later item of the same key and second replaces it. */
  add(key: string, second: number, item: T): void;
  /** Flush now whatever is collected (no-op when empty). */
  flush(): void;
  /** Drop what is collected and stop the timer. */
  close(): void;
}

export interface SecondCollectorOptions<T> {
  /** How many keys make a complete second (the number of symbols). */
  readonly expected: number;
  /** Longest real-time wait for the missing keys of a second, ms. */
  readonly maxWaitMs: number;
  /** Receives the items of one second, in arrival order, never empty. */
  readonly onFlush: (items: T[]) => void;
  /** Runs the wait (default: Node's timers). */
  readonly timers?: Timers;
}

export function createSecondCollector<T>(opts: SecondCollectorOptions<T>): SecondCollector<T> {
  let second = -Infinity;
  let items = new Map<string, T>();
  const timers = opts.timers ?? realTimers;
  /** Cancels the pending wait, when one runs. */
  let timer: (() => void) | undefined;

  function flush(): void {
    timer?.();
    timer = undefined;
    if (items.size === 0) return;
    const out = [...items.values()];
    items = new Map();
    opts.onFlush(out);
  }

  return {
    add(key, sec, item) {
      if (sec < second) return; // a straggler from a second already sent: its successor is on the way
      if (sec > second) {
        flush();
        second = sec;
      }
      items.set(key, item);
      if (items.size >= opts.expected) {
        flush();
        return;
      }
      timer ??= timers.after(opts.maxWaitMs, flush);
    },
    flush,
    close() {
      timer?.();
      timer = undefined;
      items = new Map();
    },
  };
}
