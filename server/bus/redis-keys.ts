// How the Redis bus lays out its keys and log entries, and what a Redis error means. No I/O here.
//
// Per channel (one per symbol), all carrying the symbol as a hash tag so a Redis Cluster keeps one
// symbol's keys on one shard and spreads symbols over shards:
//   <prefix>:v1:{SOLUSDT}:log    a Stream, one entry per batch: v=1, s=<seq>, e=<epoch>, b=<JSON events>
//   <prefix>:v1:{SOLUSDT}:snap   the newest state snapshot (JSON, written by the market every few seconds)
//   <prefix>:v1:{SOLUSDT}:hist   the closed hourly history the snapshot leaves out (JSON, rarely rewritten)
// and one key for the whole fleet:
//   <prefix>:v1:symbols          the market's symbols in order (JSON {"v":1,"symbols":[…]}): what gateways serve
// `seq` counts the channel's batches from 1 with no gap; `epoch` names one market's run of the
// sequence (a resumed market keeps it, a fresh one draws a new one). Entry ids are Redis's own.
import type { MarketEvent } from '../market/types.ts';

export const ENTRY_VERSION = '1';
export const KEY_VERSION = 'v1';
export const DEFAULT_PREFIX = 'tw';

export interface ChannelKeys {
  readonly log: string;
  readonly snap: string;
  readonly hist: string;
}

/** The fleet's symbol list. */
export const symbolsKey = (prefix: string): string => `${prefix}:${KEY_VERSION}:symbols`;

/** `market.SOLUSDT` → its keys under `prefix`. */
export function keysFor(prefix: string, channel: string): ChannelKeys {
  const tag = channel.startsWith('market.') ? channel.slice('market.'.length) : channel;
  if (/[{}]/.test(tag)) throw new Error(`redis bus: channel ${JSON.stringify(channel)} cannot be a hash tag`);
  const base = `${prefix}:${KEY_VERSION}:{${tag}}`;
  return { log: `${base}:log`, snap: `${base}:snap`, hist: `${base}:hist` };
}

export interface LogEntry {
  /** Redis's id of the entry. */
  readonly id: string;
  readonly seq: number;
  readonly epoch: string;
  readonly events: readonly MarketEvent[];
}

/** XADD arguments after the key and id. */
export function entryFields(seq: number, epoch: string, events: readonly MarketEvent[]): string[] {
  return ['v', ENTRY_VERSION, 's', String(seq), 'e', epoch, 'b', JSON.stringify(events)];
}

/** Thrown for an entry this build cannot read; `kind` is a short label for metrics. */
export class BadEntryError extends Error {
  override readonly name = 'BadEntryError';
  constructor(readonly kind: 'version' | 'malformed', message: string) {
    super(message);
  }
}

/** One entry as XREAD/XRANGE return it (RESP2: id and a flat field list). Throws BadEntryError. */
export function decodeEntry(key: string, id: string, fields: readonly string[]): LogEntry {
  const f = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!, fields[i + 1]!);
  const where = `entry ${id} of ${key}`;
  const v = f.get('v');
  if (v === undefined) throw new BadEntryError('malformed', `${where} has no version field "v" (not written by tickwire?)`);
  if (v !== ENTRY_VERSION) throw new BadEntryError('version', `${where} has version ${JSON.stringify(v)}; this build reads ${ENTRY_VERSION}`);
  const seq = Number(f.get('s'));
  const epoch = f.get('e') ?? '';
  if (!Number.isSafeInteger(seq) || seq < 1 || epoch === '') throw new BadEntryError('malformed', `${where} has no valid sequence "s" or epoch "e"`);
  let events: unknown;
  try {
    events = JSON.parse(f.get('b') ?? '');
  } catch {
    throw new BadEntryError('malformed', `${where}: its batch "b" is not JSON`);
  }
  if (!Array.isArray(events) || events.some((e) => typeof e !== 'object' || e === null || typeof (e as { type?: unknown }).type !== 'string')) {
    throw new BadEntryError('malformed', `${where}: its batch "b" is not a list of events`);
  }
  return { id, seq, epoch, events: events as MarketEvent[] };
}

/** Redis stream ids compare as (ms, seq) pairs. */
export function idAfter(a: string, b: string): boolean {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am > bm || (am === bm && as > bs);
}

/** A short cause for a failed Redis command or connection, for metrics and log lines. */
export function causeOf(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown })?.code;
  if (/^OOM|maxmemory/i.test(msg)) return 'maxmemory';
  if (/NOAUTH|WRONGPASS|AUTH/i.test(msg)) return 'auth';
  if (/WRONGTYPE/.test(msg)) return 'wrong_type';
  if (/READONLY/.test(msg)) return 'readonly';
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || /ECONNREFUSED|ENOTFOUND|offline|closed|ECONNRESET|Socket/i.test(msg)) return 'unreachable';
  return 'other';
}

/** The message of an error, for log lines. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
