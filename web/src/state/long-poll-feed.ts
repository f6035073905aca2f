// The polled side over HTTP long-polling (`/poll`, docs/protocol.md#long-polling): one request
// held open until there are aggregate trades after the cursor, answered with all of them and the
// next cursor, asked again at once. The cursor is kept across failures, so a reconnect (also to a
// restarted server with the same market) resumes with no gap. Trades only: `/poll` serves the
// streams that have a history, so this side shows no book and no 24 h change.
import { signal, type ReadonlySignal } from '@preact/signals';
import type { WireAggTrade } from '@wire/payloads.ts';
import type { PollSide } from './dashboard.ts';
import type { FrameLoop } from './frame.ts';
import { createPanelCore } from './panel.ts';
import type { Timers } from './poller.ts';
import { describeFailure, type Rest } from './rest.ts';
import { backoffDelay } from './backoff.ts';

export interface LongPollAnswer {
  readonly cursor: string;
  readonly more: boolean;
  readonly gaps: readonly { stream: string; reason: string }[];
  readonly events: readonly { stream: string; data: WireAggTrade }[];
}

export interface LongPollFeedOptions {
  readonly rest: Rest;
  readonly loop: FrameLoop;
  readonly timers: Timers;
  readonly offsetMs: ReadonlySignal<number>;
  readonly symbol: string;
  /** How long the server may hold a request (20000 ms). */
  readonly waitMs?: number;
  readonly random?: () => number;
}

export function createLongPollFeed(opts: LongPollFeedOptions): PollSide {
  const core = createPanelCore();
  const waitMs = opts.waitMs ?? 20_000;
  const random = opts.random ?? Math.random;
  const lastError = signal<string | null>(null);
  let symbol = opts.symbol;
  let cursor: string | null = null;
  let running = false;
  let generation = 0;
  let abort: AbortController | undefined;
  let retryTimer: unknown;

  opts.loop.add((frameMs) => core.flush(frameMs, opts.offsetMs.peek()));

  const round = async (gen: number, attempt: number): Promise<void> => {
    if (!running || gen !== generation) return;
    const ctl = new AbortController();
    abort = ctl;
    const stream = `${symbol.toLowerCase()}@aggTrade`;
    const q = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}&waitMs=${waitMs}`;
    core.countRequest();
    let answer: LongPollAnswer;
    try {
      answer = (await opts.rest.get<LongPollAnswer>(`/poll?streams=${stream}${q}`, {
        signal: ctl.signal,
        onBytes: (n) => gen === generation && core.addBytes(n, true),
      })).data;
    } catch (err) {
      if (!running || gen !== generation) return;
      lastError.value = describeFailure(err);
      // Same cursor next time: what happened meanwhile is still in the server's history.
      retryTimer = opts.timers.setTimeout(() => void round(gen, attempt + 1), backoffDelay(attempt, random(), 500, 8000));
      return;
    }
    if (gen !== generation) return;
    lastError.value = null;
    // A cursor the server does not know (restarted with another market) starts a new sequence.
    if (answer.gaps.some((g) => g.reason === 'unknownCursor')) core.rebase('server restarted: a new trade sequence');
    const rows = answer.events
      .filter((e) => e.stream === stream && e.data && typeof e.data.a === 'number')
      .map((e) => ({ row: { a: e.data.a, p: e.data.p, q: e.data.q, f: e.data.f, l: e.data.l, T: e.data.T, m: e.data.m }, src: 'live' as const, eventMs: e.data.T }));
    if (rows.length > 0) {
      core.countUpdate();
      core.rows(rows);
      opts.loop.request();
    }
    cursor = answer.cursor;
    void round(gen, 0);
  };

  return {
    panel: core,
    lastError,
    setSymbol(next) {
      symbol = next;
      this.reset();
    },
    reset() {
      generation++;
      abort?.abort();
      cursor = null;
      core.reset();
      if (running) void round(generation, 0);
    },
    start() {
      if (running) return;
      running = true;
      void round(++generation, 0);
    },
    stop() {
      running = false;
      generation++;
      abort?.abort();
      if (retryTimer !== undefined) opts.timers.clearTimeout(retryTimer);
      retryTimer = undefined;
      // A pause is not a miss: the next start finds a new position.
      if (cursor !== null) core.rebase('paused');
      cursor = null;
    },
  };
}
