// Tailing one channel's log: XREAD BLOCK on a connection of its own, from an entry id on. Entries it
// already had (a retried write, a replay after a re-seed) are skipped by seq; entries this build cannot
// read are skipped and counted; a gap or another epoch stops it and is reported, never guessed past.
import type { Unsubscribe } from './bus.ts';
import { BadEntryError, decodeEntry, type LogEntry } from './redis-keys.ts';
import { pause, RETRY_MAX_MS, type Conn } from './redis-conn.ts';

/** Where a follower starts: after this entry id, with this seq already had (0: none), in this epoch (undefined: any). */
export interface FollowFrom {
  readonly id: string;
  readonly seq: number;
  readonly epoch?: string;
}

export interface Follower {
  /** Each entry in order: seq = previous + 1, same epoch. */
  entry(e: LogEntry): void;
  /** The log cannot continue this follower (entries missing, or another market's epoch); following has stopped. */
  gap(why: { readonly reason: 'gap' | 'epoch'; readonly expected: number; readonly got: LogEntry }): void;
  /** Each XREAD that returned fewer entries than asked: the follower is at the log's end. */
  atEnd?(): void;
}

const READ_COUNT = 1000;
const BLOCK_MS = 1000;

export function followLog(conn: Conn, key: string, channel: string, from: FollowFrom, follower: Follower): Unsubscribe {
  const { metrics } = conn;
  const duplicates = metrics.counter('tickwire_bus_duplicates_skipped_total', 'Log entries read twice (a retried write or a replay) and skipped.');
  const badEntries = (kind: string) => metrics.counter('tickwire_bus_bad_entries_total', 'Log entries this build cannot read (skipped), by kind.', { kind });
  const reader = conn.connect('read');
  let stopped = false;
  let lastId = from.id;
  let seq = from.seq;
  let epoch = from.epoch;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    conn.release(reader);
  };
  const over = () => stopped || conn.closed;

  void (async () => {
    let backoff = 50;
    while (!over()) {
      await conn.whenReady(reader);
      if (over()) break;
      let reply: unknown;
      try {
        reply = await reader.sendCommand(['XREAD', 'COUNT', String(READ_COUNT), 'BLOCK', String(BLOCK_MS), 'STREAMS', key, lastId]);
        backoff = 50;
      } catch (err) {
        if (over()) break;
        conn.fail('read', err, { channel });
        await pause(backoff);
        backoff = Math.min(backoff * 2, RETRY_MAX_MS);
        continue;
      }
      if (over()) break;
      const entries = (reply as [string, [string, string[]][]][] | null)?.[0]?.[1] ?? [];
      for (const [id, fields] of entries) {
        lastId = id;
        let e: LogEntry;
        try {
          e = decodeEntry(key, id, fields);
        } catch (err) {
          if (!(err instanceof BadEntryError)) throw err;
          badEntries(err.kind).inc();
          conn.log(`bad-${err.kind}-${key}`, err.message, { channel });
          continue;
        }
        if (epoch !== undefined && e.epoch !== epoch) {
          stop();
          follower.gap({ reason: 'epoch', expected: seq + 1, got: e });
          return;
        }
        epoch = e.epoch;
        if (e.seq <= seq) {
          // What a reader restored from a snapshot reads up to the snapshot's seq is expected, not a duplicate.
          if (e.seq > from.seq) duplicates.inc();
          continue;
        }
        if (e.seq !== seq + 1 && seq > 0) {
          stop();
          follower.gap({ reason: 'gap', expected: seq + 1, got: e });
          return;
        }
        seq = e.seq;
        follower.entry(e);
        if (stopped) return;
      }
      if (entries.length < READ_COUNT) follower.atEnd?.();
    }
  })();
  return stop;
}
