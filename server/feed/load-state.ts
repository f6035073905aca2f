// Reading a symbol's state back from Redis: its snapshot (and the history stored apart), and the
// log entries after it. A gateway does the first to resynchronize; a restarted market does both.
import type { RedisBus } from '../bus/bus-redis.ts';
import { channelFor } from '../bus/bus.ts';
import { BadEntryError, decodeEntry, type LogEntry } from '../bus/redis-keys.ts';
import { restoreState } from '../market/snapshot.ts';
import { applyBatch, type SymbolState } from '../market/state.ts';
import { decodeHistory, decodeSnapshot, decodeSymbols } from './snapshot-codec.ts';

export interface Loaded {
  readonly state: SymbolState;
  /** The state is as of this seq, in this epoch. */
  readonly seq: number;
  readonly epoch: string;
}

/** The symbol's snapshot restored, or undefined when Redis has none. Throws SnapshotError or a Redis error. */
export async function loadSnapshot(bus: RedisBus, symbol: string): Promise<Loaded | undefined> {
  const keys = bus.keys(channelFor(symbol));
  const text = await bus.command<string | null>(['GET', keys.snap]);
  if (text === null) return undefined;
  const snap = decodeSnapshot(keys.snap, text, symbol);
  let history;
  if (snap.histCutUs !== null) {
    const histText = await bus.command<string | null>(['GET', keys.hist]);
    if (histText !== null) history = decodeHistory(keys.hist, histText, snap.epoch).bars;
  }
  return { state: restoreState(snap.state, history), seq: snap.seq, epoch: snap.epoch };
}

const PAGE = 1000;

/**
 * Every entry of the symbol's log after `seq` in `epoch`, oldest first, as long as they follow
 * on without a gap. Returns the last seq handed over. Entries this build cannot read are skipped.
 */
export async function readLogAfter(bus: RedisBus, symbol: string, seq: number, epoch: string, each: (e: LogEntry) => void): Promise<number> {
  const key = bus.keys(channelFor(symbol)).log;
  let from = '-';
  for (;;) {
    const page = await bus.command<[string, string[]][]>(['XRANGE', key, from, '+', 'COUNT', String(PAGE)]);
    for (const [id, fields] of page) {
      let e: LogEntry;
      try {
        e = decodeEntry(key, id, fields);
      } catch (err) {
        if (err instanceof BadEntryError) continue;
        throw err;
      }
      if (e.epoch !== epoch || e.seq <= seq) continue;
      if (e.seq !== seq + 1) return seq;
      each(e);
      seq = e.seq;
    }
    if (page.length < PAGE) return seq;
    from = `(${page[page.length - 1]![0]}`;
  }
}

/** The snapshot and the log after it: the newest state Redis can give, or undefined without a snapshot. */
export async function loadNewest(bus: RedisBus, symbol: string): Promise<Loaded | undefined> {
  const loaded = await loadSnapshot(bus, symbol);
  if (!loaded) return undefined;
  const seq = await readLogAfter(bus, symbol, loaded.seq, loaded.epoch, (e) => applyBatch(loaded.state, e.events));
  return { ...loaded, seq };
}

/** The market's symbols, once it has written them; logs where it looks every few seconds until then. */
export async function waitForSymbols(bus: RedisBus, log: (msg: string) => void, closed: () => boolean): Promise<readonly string[] | undefined> {
  let saidAt = 0;
  while (!closed()) {
    await bus.untilReady();
    if (closed()) return undefined;
    try {
      const text = await bus.command<string | null>(['GET', bus.symbolsKey]);
      if (text !== null) return decodeSymbols(bus.symbolsKey, text);
      if (Date.now() - saidAt > 5000) {
        saidAt = Date.now();
        log(`no market in Redis at ${bus.where} yet (${bus.symbolsKey} is missing); waiting for it`);
      }
    } catch (err) {
      if (Date.now() - saidAt > 5000) {
        saidAt = Date.now();
        log(`reading ${bus.symbolsKey} at ${bus.where} failed: ${err instanceof Error ? err.message : String(err)}; trying again`);
      }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return undefined;
}
