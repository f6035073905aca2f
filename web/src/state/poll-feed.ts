// The polled side: the same panel fed by REST rounds on the poller's schedule, in one of two modes.
// "latest": the newest trade (aggTrades limit=1) and the top of book, cheap, blind to what happened
// in between. "every": aggTrades since the last id seen, complete while `limit` keeps up.
import type { ReadonlySignal } from '@preact/signals';
import type { RestAggTrade, RestBookTicker, RestTicker24hMini } from '@wire/payloads.ts';
import type { FrameLoop } from './frame.ts';
import { createPanelCore, type PanelModel } from './panel.ts';
import { createPoller, type Poller, type Timers } from './poller.ts';
import type { Rest } from './rest.ts';
import type { AggRow } from './trades.ts';

export type PollMode = 'latest' | 'every';

export interface PollFeed {
  readonly panel: PanelModel;
  readonly poller: Poller;
  setSymbol(symbol: string): void;
  /** Figures from zero and a fresh baseline (the first round sets the position, counts nothing as missed). */
  reset(): void;
  start(): void;
  stop(): void;
}

export interface PollFeedOptions {
  readonly rest: Rest;
  readonly loop: FrameLoop;
  readonly timers: Timers;
  readonly offsetMs: ReadonlySignal<number>;
  readonly intervalMs: ReadonlySignal<number>;
  readonly mode: ReadonlySignal<PollMode>;
  readonly symbol: string;
  /** Rows per "every" request (1000, the wire's maximum). */
  readonly limit?: number;
  /** The 24 h change is polled at most this often (5000 ms): it moves once a second at most. */
  readonly changeEveryMs?: number;
}

/**
 * True when `rows` cannot continue the history that `seen` came from: the server restarted and
 * rebuilt its trades (an id at or below ours naming a different trade, or a newer id whose trade
 * ids do not come after ours).
 */
export function restarted(seen: AggRow, rows: readonly AggRow[]): boolean {
  return rows.some((r) =>
    r.a === seen.a ? r.T !== seen.T || r.l !== seen.l : r.a < seen.a ? r.T > seen.T : r.f <= seen.l,
  );
}

const fromRest = (t: RestAggTrade): AggRow => ({ a: t.a, p: t.p, q: t.q, f: t.f, l: t.l, T: t.T, m: t.m });

/**
 * The aggTrades query of the next round. `lastId` null: no position yet; `behind`: the last page
 * was full; `probe`: several empty rounds in a row, so look at the newest trade (a restarted
 * server's ids may all lie below ours, and `fromId` would answer nothing forever).
 */
export function tradesQuery(symbol: string, mode: PollMode, lastId: number | null, behind: boolean, limit: number, probe = false): string {
  if (mode === 'latest' || lastId === null || probe) return `/api/v3/aggTrades?symbol=${symbol}&limit=1`;
  // A full page means more is waiting than one request carries: jump to the newest page and let
  // the id gap count as missed, rather than falling further behind every round.
  if (behind) return `/api/v3/aggTrades?symbol=${symbol}&limit=${limit}`;
  return `/api/v3/aggTrades?symbol=${symbol}&fromId=${lastId + 1}&limit=${limit}`;
}

export function createPollFeed(opts: PollFeedOptions): PollFeed {
  const core = createPanelCore();
  const limit = opts.limit ?? 1000;
  const changeEveryMs = opts.changeEveryMs ?? 5000;
  let symbol = opts.symbol;
  let lastId: number | null = null;
  let lastRow: AggRow | null = null;
  let behind = false;
  let emptyRounds = 0;
  let lastChangeAt = -Infinity;
  let generation = 0;

  opts.loop.add((frameMs) => core.flush(frameMs, opts.offsetMs.peek()));

  /** `trades`: an aggTrades request, whose bytes are the like-for-like figure against aggTrade messages. */
  const get = async <T>(path: string, signal: AbortSignal, trades = false): Promise<T> => {
    core.countRequest();
    const gen = generation;
    const r = await opts.rest.get<T>(path, { signal, onBytes: (n) => gen === generation && core.addBytes(n, trades) });
    return r.data;
  };

  const task = async (signal: AbortSignal) => {
    const gen = generation;
    const sym = symbol;
    const mode = opts.mode.peek();
    const wantChange = opts.timers.now() - lastChangeAt >= changeEveryMs;
    if (wantChange) lastChangeAt = opts.timers.now();
    const probe = mode === 'every' && lastId !== null && emptyRounds >= 3;
    // Without a position (first round after a start, a pause, a new symbol or new settings) the
    // newest trade happened before this feed was watching, often seconds before in a quiet
    // market: it shows the price and sets the position, but counting it (and timing it) would
    // credit polling with trades from before the switch that the pushed side never had.
    const finding = lastId === null;
    const [trades, book, day] = await Promise.all([
      get<RestAggTrade[]>(tradesQuery(sym, mode, lastId, behind, limit, probe), signal, true),
      get<RestBookTicker>(`/api/v3/ticker/bookTicker?symbol=${sym}`, signal),
      wantChange ? get<RestTicker24hMini>(`/api/v3/ticker/24hr?symbol=${sym}&type=MINI`, signal) : Promise.resolve(null),
    ]);
    if (gen !== generation) return;
    let all = trades.map(fromRest).sort((x, y) => x.a - y.a);
    if (lastRow && restarted(lastRow, all)) {
      core.rebase('server restarted: a new trade sequence');
      lastId = null;
      all = all.slice(-1);
    } else if (probe) {
      all = []; // nothing restarted: the next round asks fromId again
    }
    const rows = all.filter((r) => lastId === null || r.a > lastId);
    behind = mode === 'every' && lastId !== null && trades.length >= limit;
    emptyRounds = probe || rows.length > 0 ? 0 : emptyRounds + 1;
    const newest = rows[rows.length - 1];
    if (newest) {
      lastId = newest.a;
      lastRow = newest;
    }
    core.rows(rows.map((row) => ({ row, src: 'live' as const, eventMs: row.T, position: finding })));
    if (rows.length > 0 && !finding) core.countUpdate();
    core.book(book.bidPrice, book.askPrice);
    if (day) {
      const open = Number(day.openPrice);
      if (open > 0) core.change(((Number(day.lastPrice) - open) / open) * 100);
    }
    opts.loop.request();
  };

  const poller = createPoller({ intervalMs: () => opts.intervalMs.peek(), task, timers: opts.timers });

  return {
    panel: core,
    poller,
    setSymbol(next) {
      symbol = next;
      this.reset();
    },
    reset() {
      generation++;
      lastId = null;
      lastRow = null;
      behind = false;
      emptyRounds = 0;
      lastChangeAt = -Infinity;
      core.reset();
    },
    start() {
      poller.start();
    },
    stop() {
      poller.stop();
      // A pause is not a miss: the next round sets a new baseline.
      generation++;
      if (lastId !== null) core.rebase('paused');
      lastId = null;
      lastRow = null;
      behind = false;
      emptyRounds = 0;
    },
  };
}
