// The snapshot and history values a fleet keeps in Redis (keys in bus/redis-keys.ts): a state
// snapshot as of one seq of one epoch, and the closed hourly history it leaves out. Versioned JSON.
import type { BarDump } from '../market/bars.ts';
import type { StateSnapshot } from '../market/snapshot.ts';

export const SNAPSHOT_VERSION = 1;

export interface SnapshotValue {
  readonly v: typeof SNAPSHOT_VERSION;
  readonly epoch: string;
  /** The state is as of this seq: the log's entries after it follow. */
  readonly seq: number;
  /** The 1 h bars before this open time are in the history value (null: the state has them all). */
  readonly histCutUs: number | null;
  readonly state: StateSnapshot;
}

export interface HistoryValue {
  readonly v: typeof SNAPSHOT_VERSION;
  readonly epoch: string;
  readonly cutUs: number;
  readonly bars: BarDump;
}

/** A value in Redis this build cannot use; `kind` labels it for metrics. */
export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
  constructor(readonly kind: 'version' | 'malformed' | 'mismatch', message: string) {
    super(message);
  }
}

function parse(key: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SnapshotError('malformed', `${key} is not JSON (${text.length} bytes starting ${JSON.stringify(text.slice(0, 20))})`);
  }
  if (typeof value !== 'object' || value === null) throw new SnapshotError('malformed', `${key} is not a JSON object`);
  const v = (value as { v?: unknown }).v;
  if (v !== SNAPSHOT_VERSION) throw new SnapshotError('version', `${key} has version ${JSON.stringify(v)}; this build reads ${SNAPSHOT_VERSION}`);
  return value as Record<string, unknown>;
}

export function decodeSnapshot(key: string, text: string, symbol: string): SnapshotValue {
  const o = parse(key, text);
  const state = o.state as StateSnapshot | undefined;
  if (typeof o.epoch !== 'string' || !Number.isSafeInteger(o.seq) || typeof state !== 'object' || state === null) {
    throw new SnapshotError('malformed', `${key} lacks epoch, seq or state`);
  }
  if (state.symbol !== symbol) throw new SnapshotError('mismatch', `${key} holds ${JSON.stringify(state.symbol)}, not ${symbol}`);
  return o as unknown as SnapshotValue;
}

export function decodeHistory(key: string, text: string, epoch: string): HistoryValue {
  const o = parse(key, text);
  if (o.epoch !== epoch) throw new SnapshotError('mismatch', `${key} is of epoch ${JSON.stringify(o.epoch)}, the snapshot of ${JSON.stringify(epoch)}`);
  const bars = o.bars as BarDump | undefined;
  if (!Number.isSafeInteger(o.cutUs) || typeof bars !== 'object' || bars === null || !Array.isArray(bars.cols)) {
    throw new SnapshotError('malformed', `${key} lacks cutUs or bars`);
  }
  return o as unknown as HistoryValue;
}

/** The fleet's symbol list as the market wrote it. */
export function decodeSymbols(key: string, text: string): readonly string[] {
  const o = parse(key, text);
  const symbols = o.symbols;
  if (!Array.isArray(symbols) || symbols.length === 0 || symbols.some((s) => typeof s !== 'string' || !/^[A-Z0-9]{2,16}USDT$/.test(s))) {
    throw new SnapshotError('malformed', `${key} is not a list of symbols`);
  }
  return symbols as string[];
}
