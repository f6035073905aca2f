// What the polling clients share. poller.ts asks GET /api/v3/trades and ws-api-requester.ts the
// WebSocket API for the same array, both on a fixed schedule; long-poller.ts asks again as soon
// as an answer is in. Here: when to ask next, what an answer counts for, and what its trades do.
import type { ResponseHandler } from './http1.ts';
import { newTrades } from './rest-scan.ts';
import { nowUs, US_STAMP_MIN, type Client, type Window } from './window.ts';

/**
 * The response handler of an HTTP polling client: each answer counts as a request in the window;
 * a 200's body goes to `onBody` with the time it was read, any other status counts as an error;
 * `then` runs after every answer (to ask again).
 */
export function answerHandler(w: Window, onBody: (body: Buffer, recv: number) => void, then: () => void): ResponseHandler {
  return (status, body) => {
    const recv = nowUs();
    if (w.measuring) w.requests++;
    if (status !== 200) {
      if (w.measuring) w.errors++;
    } else {
      onBody(body, recv);
    }
    then();
  };
}

export interface Rounds {
  /** Ask for the first time `phaseMs` from now (clients are spread over the interval). */
  start(phaseMs: number): void;
  /** An answer is in: ask again at the next round, or at once when that is past (never two requests at a time). */
  next(): void;
}

/** One request every `intervalMs`, on a fixed schedule from the first, `ask` sending it. */
export function createRounds(intervalMs: number, ask: () => void): Rounds {
  let due = 0;
  return {
    start(phaseMs) {
      due = performance.now() + phaseMs;
      setTimeout(ask, phaseMs);
    },
    next() {
      due += intervalMs;
      const now = performance.now();
      if (due < now) due = now; // late: go at once
      setTimeout(ask, due - now);
    },
  };
}

/**
 * What client `c` does with each answer (a trade array, oldest first, received at `recv` µs): in
 * the window, records every trade newer than the last it holds (latency from the trade's time,
 * loss by id) and the answer's staleness, now − the newest trade time it holds; before the window
 * it only keeps the newest as its baseline. An answer that is not a trade array counts as an error.
 */
export function createTradeTaker(c: Client, w: Window): (body: Buffer, recv: number) => void {
  /** Newest trade time `c` holds, µs: an answer with nothing new is as stale as that. */
  let lastTime: number | undefined;
  return (body, recv) => {
    const fresh = newTrades(body, c.seq.last);
    if (fresh === null) {
      if (w.measuring) w.errors++;
      return;
    }
    if (fresh.length === 0) {
      if (w.measuring && c.seq.last > 0 && lastTime !== undefined) w.recordStaleness(recv - lastTime);
      return;
    }
    const scale = fresh[0]![1] < US_STAMP_MIN ? 1000 : 1;
    if (scale !== 1) w.msStamps = true;
    const newest = fresh[fresh.length - 1]!;
    if (!w.measuring) {
      c.seq.see(newest[0]); // baseline before the window
      lastTime = newest[1] * scale;
      return;
    }
    for (const [id, time] of fresh) {
      c.seq.see(id);
      w.record(time * scale, id, recv);
    }
    lastTime = newest[1] * scale;
    w.recordStaleness(recv - lastTime);
  };
}
