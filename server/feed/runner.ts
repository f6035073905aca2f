// Where the market meets the bus: drives a simulator in real time (sleeps until the next event is
// due, runs everything due at once) and publishes each batch on its symbol's channel. One timer,
// never a busy loop. The market itself knows nothing of the bus.
import type { Bus } from '../bus/bus.ts';
import { channelFor } from '../bus/bus.ts';
import type { Clock } from '../market/clock.ts';
import type { MarketEvent } from '../market/types.ts';
import type { Simulator } from '../market/simulator.ts';

export interface MarketOptions {
  readonly simulator: Simulator;
  readonly bus: Bus;
  readonly clock: Clock;
  /** Where failures are reported (default console.error). Called at most once a second. */
  readonly log?: (msg: string, fields: Record<string, unknown>) => void;
  /**
   * Called at each wake-up that has events due, with how late the timer fired: clock now minus
   * the earliest due event's scheduled time, µs. Events are stamped as they are emitted (their E),
   * so this delay comes before E and is in no client's measured latency: it is reported on its own.
   * Must not throw; the runner counts, never logs.
   */
  readonly onLateness?: (lateUs: number) => void;
}

/** Shortest sleep, ms: events due within it run together in the next wake-up. */
const MIN_SLEEP_MS = 1;
/** Longest sleep, ms, so that a clock that jumps is noticed. */
const MAX_SLEEP_MS = 1000;
const LOG_EVERY_MS = 1000;

export function startMarket(opts: MarketOptions): { stop(): void } {
  const { simulator, bus, clock } = opts;
  const log = opts.log ?? ((msg, fields) => console.error(`market: ${msg}`, fields));
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  // Failures are counted and reported at most once a second, with the first one's details.
  let failures = 0;
  let lastLogMs = -Infinity;
  const fail = (msg: string, fields: Record<string, unknown>) => {
    failures++;
    const now = Date.now();
    if (now - lastLogMs < LOG_EVERY_MS) return;
    lastLogMs = now;
    log(msg, { ...fields, failuresSoFar: failures });
  };

  const publish = (symbol: string, batch: readonly MarketEvent[]) => {
    try {
      bus.publish(channelFor(symbol), batch);
    } catch (err) {
      fail('a bus handler threw; the market goes on', { symbol, events: batch.length, first: batch[0]?.type, error: err });
    }
  };

  const wake = () => {
    timer = undefined;
    if (stopped) return;
    try {
      const nowUs = clock.nowUs();
      const dueUs = simulator.nextEventUs();
      if (dueUs <= nowUs) opts.onLateness?.(nowUs - dueUs);
      simulator.advanceTo(nowUs, publish);
    } catch (err) {
      fail('the simulator threw; the market goes on', { error: err });
    }
    if (stopped) return;
    const waitMs = Math.ceil((simulator.nextEventUs() - clock.nowUs()) / 1000);
    timer = setTimeout(wake, Math.min(MAX_SLEEP_MS, Math.max(MIN_SLEEP_MS, waitMs)));
  };
  wake();

  return {
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
