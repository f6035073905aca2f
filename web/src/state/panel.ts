// What one panel shows, whichever way its data came: the trade sequence, tape, chart series,
// price and figures. Feeds enqueue; `flush` applies the queue once per frame.
import { signal, type ReadonlySignal } from '@preact/signals';
import { createLatencyStats, latencyMs, type LatencyStats } from './latency.ts';
import { createTradeSequence, type AggRow } from './trades.ts';

export interface TapeRow extends AggRow {
  /** 'live' from the stream or the newest poll, 'rest' from a backfill. */
  readonly src: 'live' | 'rest';
}
export type TapeEntry = TapeRow | { readonly divider: string; readonly key: string };

/** Chart points: x in seconds (server time), y the price. */
export interface Series {
  readonly xs: readonly number[];
  readonly ys: readonly number[];
}

export interface PanelModel {
  /** Last price as the wire sent it, null before the first. */
  readonly price: ReadonlySignal<string | null>;
  readonly direction: ReadonlySignal<'up' | 'down' | null>;
  readonly bid: ReadonlySignal<string | null>;
  readonly ask: ReadonlySignal<string | null>;
  /** 24 h change in percent, as a number. */
  readonly changePct: ReadonlySignal<number | null>;
  /** Newest first. */
  readonly tape: ReadonlySignal<readonly TapeEntry[]>;
  readonly series: ReadonlySignal<Series>;
  /** Trade updates: aggTrade messages pushed, or poll rounds that brought at least one new trade. */
  readonly updates: ReadonlySignal<number>;
  readonly trades: ReadonlySignal<number>;
  readonly missed: ReadonlySignal<number>;
  readonly latency: LatencyStats;
  /** Every WebSocket message received, whatever it carries (push), or HTTP requests made (poll). */
  readonly requests: ReadonlySignal<number>;
  /** All bytes received. */
  readonly bytes: ReadonlySignal<number>;
  /** Bytes of what carries trades only: aggTrade messages and aggTrades responses. */
  readonly tradeBytes: ReadonlySignal<number>;
}

export interface PanelCore extends PanelModel {
  /**
   * Queue rows (oldest first). `eventMs`: the trade's time T for a latency sample (every transport
   * has it; REST has no E), null for history.
   * `position`: shown and taken as the place to continue from, but neither counted as a trade
   * seen nor timed (a trade from before the feed was watching, see TradeSequence.place).
   */
  rows(rows: readonly QueuedRow[]): void;
  /** Queue a break in the id sequence (server restarted, resumed after a pause). */
  rebase(note: string): void;
  book(bid: string, ask: string): void;
  change(pct: number): void;
  countUpdate(): void;
  countRequest(): void;
  /** `trades`: the bytes carried trades (counted in `tradeBytes` too). */
  addBytes(n: number, trades?: boolean): void;
  /** Apply the queue. `frameMs`: local epoch ms of the frame; `offsetMs`: server − local. */
  flush(frameMs: number, offsetMs: number): void;
  /** Everything back to empty (new symbol or settings). */
  reset(): void;
}

export interface QueuedRow {
  readonly row: AggRow;
  readonly src: TapeRow['src'];
  readonly eventMs: number | null;
  readonly position?: boolean;
}

export interface PanelOptions {
  /** Tape length (default 30). */
  readonly tapeRows?: number;
  /** Chart window in seconds (default 60). */
  readonly windowS?: number;
  /** Points closer than this (seconds) share one chart point, the newest price (default 0.05: at most 1,200 points a minute). */
  readonly bucketS?: number;
}

type Queued =
  | ({ readonly kind: 'row' } & QueuedRow)
  | { readonly kind: 'rebase'; readonly note: string };

export function createPanelCore(opts: PanelOptions = {}): PanelCore {
  const tapeRows = opts.tapeRows ?? 30;
  const windowS = opts.windowS ?? 60;
  const bucketS = opts.bucketS ?? 0.05;

  const price = signal<string | null>(null);
  const direction = signal<'up' | 'down' | null>(null);
  const bid = signal<string | null>(null);
  const ask = signal<string | null>(null);
  const changePct = signal<number | null>(null);
  const tape = signal<readonly TapeEntry[]>([]);
  const series = signal<Series>({ xs: [], ys: [] });
  const updates = signal(0);
  const trades = signal(0);
  const missed = signal(0);
  const requests = signal(0);
  const bytes = signal(0);
  const tradeBytes = signal(0);
  const latency = createLatencyStats();

  let seq = createTradeSequence();
  let queue: Queued[] = [];
  let pendingBook: [string, string] | null = null;
  let pendingChange: number | null = null;
  let counts = { updates: 0, requests: 0, bytes: 0, tradeBytes: 0 };
  let xs: number[] = [];
  let ys: number[] = [];
  let dividers = 0;

  return {
    price, direction, bid, ask, changePct, tape, series, updates, trades, missed, latency, requests, bytes, tradeBytes,
    rows(rows) {
      for (const r of rows) queue.push({ kind: 'row', ...r });
    },
    rebase(note) {
      queue.push({ kind: 'rebase', note });
    },
    book(b, a) {
      pendingBook = [b, a];
    },
    change(pct) {
      pendingChange = pct;
    },
    countUpdate() {
      counts.updates++;
    },
    countRequest() {
      counts.requests++;
    },
    addBytes(n, trades = false) {
      counts.bytes += n;
      if (trades) counts.tradeBytes += n;
    },
    flush(frameMs, offsetMs) {
      const q = queue;
      queue = [];
      const added: TapeEntry[] = [];
      let last = price.peek();
      let dir = direction.peek();
      for (const item of q) {
        if (item.kind === 'rebase') {
          seq.rebase();
          added.push({ divider: item.note, key: `d${++dividers}` });
          continue;
        }
        const { row } = item;
        if (item.position ? !seq.place(row) : seq.accept(row).kind === 'duplicate') continue;
        added.push({ ...row, src: item.src });
        if (last !== null && row.p !== last) dir = Number(row.p) > Number(last) ? 'up' : 'down';
        last = row.p;
        if (item.eventMs !== null && !item.position) latency.add(latencyMs(item.eventMs, frameMs, offsetMs));
        const x = row.T / 1000;
        const y = Number(row.p);
        const n = xs.length;
        if (n > 0 && x - xs[n - 1]! < bucketS) ys[n - 1] = y;
        else {
          xs.push(x);
          ys.push(y);
        }
      }
      if (added.length > 0) {
        tape.value = [...added.reverse(), ...tape.peek()].slice(0, tapeRows);
        price.value = last;
        direction.value = dir;
        trades.value = seq.trades;
        missed.value = seq.missed;
      }
      // Keep the chart window relative to now on the server's clock, even when nothing traded.
      const cutoff = (frameMs + offsetMs) / 1000 - windowS;
      let drop = 0;
      while (drop < xs.length && xs[drop]! < cutoff) drop++;
      if (drop > 0 || added.length > 0) {
        if (drop > 0) {
          xs = xs.slice(drop);
          ys = ys.slice(drop);
        }
        series.value = { xs: xs.slice(), ys: ys.slice() };
      }
      if (pendingBook) {
        bid.value = pendingBook[0];
        ask.value = pendingBook[1];
        pendingBook = null;
      }
      if (pendingChange !== null) {
        changePct.value = pendingChange;
        pendingChange = null;
      }
      if (counts.updates) updates.value += counts.updates;
      if (counts.requests) requests.value += counts.requests;
      if (counts.bytes) bytes.value += counts.bytes;
      if (counts.tradeBytes) tradeBytes.value += counts.tradeBytes;
      counts = { updates: 0, requests: 0, bytes: 0, tradeBytes: 0 };
      latency.publish();
    },
    reset() {
      seq = createTradeSequence();
      queue = [];
      pendingBook = null;
      pendingChange = null;
      counts = { updates: 0, requests: 0, bytes: 0, tradeBytes: 0 };
      xs = [];
      ys = [];
      price.value = null;
      direction.value = null;
      bid.value = ask.value = null;
      changePct.value = null;
      tape.value = [];
      series.value = { xs: [], ys: [] };
      updates.value = trades.value = missed.value = requests.value = bytes.value = tradeBytes.value = 0;
      latency.reset();
    },
  };
}
