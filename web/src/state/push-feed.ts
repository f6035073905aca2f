// The pushed side: routes combined-stream messages into a panel and an order book, and after a
// reconnect backfills the trades it missed from REST so the tape has no gap and no duplicate.
import { signal, type ReadonlySignal } from '@preact/signals';
import type {
  RestAggTrade, WireAggTrade, WireBookTicker, WireKline, WirePartialDepth, WireTicker,
} from '@wire/payloads.ts';
import { parseStream, streamName } from '@wire/streams.ts';
import type { FrameLoop } from './frame.ts';
import { createPanelCore, type PanelModel } from './panel.ts';
import type { Rest } from './rest.ts';
import { mergeBackfill, type AggRow } from './trades.ts';

export interface Book {
  readonly bids: readonly (readonly [string, string])[];
  readonly asks: readonly (readonly [string, string])[];
}

export interface PushFeed {
  readonly panel: PanelModel;
  readonly book: ReadonlySignal<Book>;
  /** Trades in the last closed 1 s kline. */
  readonly tradesPerS: ReadonlySignal<number | null>;
  /** True while a backfill is in flight. */
  readonly backfilling: ReadonlySignal<boolean>;
  /** REST requests made for backfills (the panel's `requests` counts WebSocket messages of every stream, `updates` the aggTrade ones). */
  readonly restRequests: ReadonlySignal<number>;
  /** The streams this feed needs for its symbol. */
  streams(): string[];
  setSymbol(symbol: string): void;
  /** Socket callbacks. */
  handle(stream: string, data: unknown, frameBytes: number): void;
  onSubscribed(info: { readonly reconnect: boolean }): void;
  /** Counts start again from zero (the trade position is kept, so a backfill still joins). */
  reset(): void;
}

export interface PushFeedOptions {
  readonly rest: Rest;
  readonly loop: FrameLoop;
  readonly offsetMs: ReadonlySignal<number>;
  readonly symbol: string;
  /** Backfill page size and the most pages fetched before a gap is accepted (1000, 10). */
  readonly pageLimit?: number;
  readonly maxPages?: number;
}

/** Stream names for one symbol: trades, top of book, 24 h ticker, 1 s klines and a 10-level book. */
export function pushStreams(symbol: string): string[] {
  return [
    streamName.aggTrade(symbol), streamName.bookTicker(symbol), streamName.ticker(symbol),
    streamName.kline(symbol, '1s'), streamName.partialDepth(symbol, 10, 100),
  ];
}

const fromWire = (t: WireAggTrade | RestAggTrade): AggRow => ({ a: t.a, p: t.p, q: t.q, f: t.f, l: t.l, T: t.T, m: t.m });

export function createPushFeed(opts: PushFeedOptions): PushFeed {
  const core = createPanelCore();
  const pageLimit = opts.pageLimit ?? 1000;
  const maxPages = opts.maxPages ?? 10;
  const book = signal<Book>({ bids: [], asks: [] });
  const tradesPerS = signal<number | null>(null);
  const backfilling = signal(false);
  const restRequests = signal(0);
  let symbol = opts.symbol;
  let prefix = symbol.toLowerCase() + '@';
  const current = { has: (s: string) => s === symbol };
  /** Newest aggregate id queued into the panel (the backfill starts after it). */
  let lastQueued: number | null = null;
  /** The row behind `lastQueued`: its time and trade ids identify it across a server restart. */
  let lastRow: AggRow | null = null;
  /** Live rows held back while a backfill is in flight, with their event times. */
  let held: { row: AggRow; eventMs: number }[] | null = null;
  let generation = 0;
  let pendingBook: Book | null = null;

  opts.loop.add((frameMs) => {
    core.flush(frameMs, opts.offsetMs.peek());
    if (pendingBook) {
      book.value = pendingBook;
      pendingBook = null;
    }
  });

  const queueLive = (row: AggRow, eventMs: number) => {
    if (lastQueued !== null && row.a <= lastQueued) return;
    lastQueued = row.a;
    lastRow = row;
    core.rows([{ row, src: 'live', eventMs }]);
  };

  const get = async <T>(path: string): Promise<T> => {
    restRequests.value++;
    // Backfill asks for aggTrades only: its bytes are trade bytes.
    const r = await opts.rest.get<T>(path, { onBytes: (n) => core.addBytes(n, true) });
    return r.data;
  };

  const backfill = async (gen: number) => {
    const sym = symbol;
    held = [];
    backfilling.value = true;
    try {
      const seen = lastRow!;
      // Is the last trade we showed still the server's trade of that id? A restarted server
      // rebuilds its history, and its ids no longer name the trades we saw.
      const same = await get<RestAggTrade[]>(`/api/v3/aggTrades?symbol=${sym}&fromId=${seen.a}&limit=1`);
      if (gen !== generation) return;
      const match = same[0];
      let last = seen.a;
      let firstQuery = `fromId=${seen.a + 1}`;
      if (!match || match.a !== seen.a || match.T !== seen.T || match.l !== seen.l) {
        core.rebase('server restarted: a new trade sequence');
        lastQueued = null;
        // What happened after the last trade we saw, by time, in the new server's history.
        firstQuery = `startTime=${seen.T + 1}`;
        last = -1;
      }
      for (let page = 0; page < maxPages; page++) {
        const query = page === 0 ? firstQuery : `fromId=${last + 1}`;
        const rows = (await get<RestAggTrade[]>(`/api/v3/aggTrades?symbol=${sym}&${query}&limit=${pageLimit}`)).map(fromWire);
        if (gen !== generation) return;
        if (last < 0) last = (rows[0]?.a ?? held[0]?.row.a ?? 1) - 1;
        const m = mergeBackfill(last, rows, held.map((h) => h.row), rows.length >= pageLimit);
        const eventOf = new Map(held.map((h) => [h.row.a, h.eventMs]));
        core.rows(m.apply.map((row) => ({ row, src: eventOf.has(row.a) ? 'live' : 'rest', eventMs: eventOf.get(row.a) ?? null })));
        const tail = m.apply[m.apply.length - 1];
        if (tail) {
          lastQueued = tail.a;
          lastRow = tail;
        }
        last = m.lastId;
        if (m.done) {
          held = held.filter((h) => h.row.a > last);
          return;
        }
      }
    } catch {
      // The server went away again: what is held goes on as live; the next reconnect retries.
    } finally {
      if (gen === generation) {
        const rest = held ?? [];
        held = null;
        backfilling.value = false;
        for (const h of rest) queueLive(h.row, h.eventMs);
        opts.loop.request();
      }
    }
  };

  const feed: PushFeed = {
    panel: core,
    book,
    tradesPerS,
    backfilling,
    restRequests,
    streams: () => pushStreams(symbol),
    setSymbol(next) {
      symbol = next;
      prefix = next.toLowerCase() + '@';
      generation++;
      held = null;
      backfilling.value = false;
      lastQueued = null;
      lastRow = null;
      core.reset();
      pendingBook = null;
      book.value = { bids: [], asks: [] };
      tradesPerS.value = null;
    },
    handle(stream, data, frameBytes) {
      if (!stream.startsWith(prefix) || data === null || typeof data !== 'object') return;
      const kind = parseStream(stream, current)?.kind;
      core.countRequest();
      core.addBytes(frameBytes, kind === 'aggTrade');
      if (kind === 'aggTrade') {
        core.countUpdate();
        const t = data as WireAggTrade;
        const row = fromWire(t);
        // Timed from the trade's T, as the polled side must be (REST carries no E): like for like.
        if (held) held.push({ row, eventMs: t.T });
        else queueLive(row, t.T);
      } else if (kind === 'bookTicker') {
        const b = data as WireBookTicker;
        core.book(b.b, b.a);
      } else if (kind === 'ticker') {
        const t = data as WireTicker;
        core.change(Number(t.P));
      } else if (kind === 'kline') {
        const k = (data as WireKline).k;
        if (k?.x) tradesPerS.value = k.n;
      } else if (kind === 'partialDepth') {
        const d = data as WirePartialDepth;
        if (Array.isArray(d.bids) && Array.isArray(d.asks)) pendingBook = { bids: d.bids.slice(0, 10), asks: d.asks.slice(0, 10) };
      }
      opts.loop.request();
    },
    onSubscribed({ reconnect }) {
      if (reconnect && lastQueued !== null && lastRow !== null) void backfill(++generation);
    },
    reset() {
      core.reset();
    },
  };
  return feed;
}
