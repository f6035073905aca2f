// The Redis bus: each channel is an ordered, replayable log (a Redis Stream, see redis-keys.ts)
// plus its snapshot keys. What a fleet's market writes and its gateways read.
//
// Writing: publish() numbers the batch (seq) and queues it; one writer per channel sends what is
// queued in order, many entries per MULTI, and only drops them from the queue once Redis said yes.
// While Redis is away the queue holds up to `maxHeldBytes`; past that the oldest held batches are
// dropped (counted) and the channel's next write starts with a fresh snapshot, so a reader that
// meets the gap resynchronizes from it. After every reconnect, a channel whose snapshot Redis lost
// (a restart that keeps nothing) is re-seeded the same way before its held entries are written.
//
// Reading: follow() tails one channel with XREAD BLOCK on a connection of its own, drops entries
// it already had (a retried write), and reports a gap or a new epoch instead of guessing.
// subscribe() (the Bus interface) follows from the log's end at the time of the call.
import { createClient } from 'redis';
import type { MarketEvent } from '../market/types.ts';
import type { Counter, Metrics } from '../metrics.ts';
import { createMetrics } from '../metrics.ts';
import type { BatchHandler, Bus, Unsubscribe } from './bus.ts';
import {
  BadEntryError, causeOf, decodeEntry, DEFAULT_PREFIX, entryFields, keysFor, messageOf, symbolsKey, type ChannelKeys, type LogEntry,
} from './redis-keys.ts';

/** RESP2, so raw replies (sendCommand) are plain arrays: XREAD gives [[key, [[id, [field, value…]]…]]]. */
const newClient = (url: string) =>
  createClient({
    url,
    RESP: 2,
    disableOfflineQueue: true,
    socket: { connectTimeout: 2000, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, RETRY_MAX_MS) },
  });
type Client = ReturnType<typeof newClient>;
type Log = (msg: string, fields: Record<string, unknown>) => void;

export interface RedisBusOptions {
  /** redis://[user:pass@]host:port[/db] */
  readonly url: string;
  /** Key prefix (default `tw`); tests use a unique one. */
  readonly prefix?: string;
  readonly metrics?: Metrics;
  /** Where failures are reported, at most once a second per kind (default console.error). */
  readonly log?: Log;
  /** Bytes of batches held while Redis cannot take them (default 64 MiB). */
  readonly maxHeldBytes?: number;
  /**
   * The log keeps at least this long (default 60 s): entries from the newest snapshot written at least
   * this long ago. A reader that stops for longer resynchronizes from a snapshot.
   */
  readonly retainMs?: number;
}

/**
 * The channel's snapshot as of its last published seq (`snap`, and `hist` when the history is kept
 * apart), for re-seeding a Redis that lost it or after held batches were dropped. Synchronous.
 */
export type Reseed = (channel: string) => { readonly snap: string; readonly hist?: string } | undefined;

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

export interface RedisBus extends Bus {
  readonly keys: (channel: string) => ChannelKeys;
  /** The fleet-wide key of the market's symbol list. */
  readonly symbolsKey: string;
  /** How to re-seed a channel's snapshot (the market sets it once it has a state). */
  setReseed(reseed: Reseed): void;
  /** Continue a channel's sequence after `seq` in `epoch` (a resumed market); otherwise it starts at 1 in a new epoch. */
  startAt(channel: string, seq: number, epoch: string): void;
  /** The last seq published on a channel (0 before any) and its epoch. */
  position(channel: string): { readonly seq: number; readonly epoch: string };
  /** Queue a snapshot of the channel as of its last published seq, written in order with the log; trims the log (see retainMs). */
  writeSnapshot(channel: string, snap: string, hist?: string): void;
  /** Tail a channel's log; stops on gap or close. */
  follow(channel: string, from: FollowFrom, follower: Follower): Unsubscribe;
  /** Run one command on the shared connection (GET, XRANGE…); rejects at once while Redis is away. */
  command<T = unknown>(args: readonly string[]): Promise<T>;
  /** Resolves when every batch published so far is in Redis. */
  drained(): Promise<void>;
  /**
   * For tests and tools: resolves when every batch this bus published so far is in Redis and has
   * been read by every subscriber of this bus (each has read its channel's log to that point).
   */
  settled(): Promise<void>;
  /** True while the shared connection is up. */
  readonly ready: boolean;
  /** Resolves once the shared connection is up (at once if it is), or the bus is closed. */
  untilReady(): Promise<void>;
  /** Where this bus connects, password hidden (for log lines and /healthz). */
  readonly where: string;
  /** Bytes and batches queued and not yet written. */
  readonly held: { readonly bytes: number; readonly batches: number };
}

interface Op {
  readonly commands: string[][];
  readonly bytes: number;
  /** A log entry (counted as held), a snapshot write, or an entry written again after a re-seed (not held). */
  readonly kind: 'entry' | 'snapshot' | 'replay';
}

interface Channel {
  readonly keys: ChannelKeys;
  seq: number;
  epoch: string;
  readonly queue: Op[];
  pumping: boolean;
  /** A snapshot was written once: its absence after a reconnect means Redis lost it. */
  seeded: boolean;
  /** Check for a lost snapshot before the next write (set on every reconnect). */
  check: boolean;
  /** Write a fresh snapshot before the next entries: Redis lost the log ('lost'), or held batches were dropped. */
  reseed: false | 'lost' | 'dropped';
  /** Id of the newest entry written. */
  lastId: string | undefined;
  /** The entry each snapshot written follows, and when it was written, oldest first (trimmed as the log is). */
  readonly snaps: { readonly id: string; readonly atMs: number }[];
  trimmedTo: string | undefined;
  /**
   * The newest entries written, written again after a re-seed: a Redis that restarted lost them,
   * and a reader that had not read them yet gets them again instead of a gap (readers skip what they had).
   */
  readonly recent: Op[];
}

const MULTI_OPS = 256;
const RECENT_OPS = 2000;
const READ_COUNT = 1000;
const BLOCK_MS = 1000;
const RETRY_MAX_MS = 1000;
const LOG_EVERY_MS = 1000;

export const newEpoch = (): string => `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 6).toString(36).padStart(6, '0')}`;

export function createRedisBus(opts: RedisBusOptions): RedisBus {
  const prefix = opts.prefix ?? DEFAULT_PREFIX;
  const metrics = opts.metrics ?? createMetrics();
  const maxHeldBytes = opts.maxHeldBytes ?? 64 * 1024 * 1024;
  const retainMs = opts.retainMs ?? 60_000;
  const log = rateLimited(opts.log ?? ((msg, fields) => console.error(`redis bus: ${msg}`, JSON.stringify(fields))));
  const where = redactedUrl(opts.url);
  const channels = new Map<string, Channel>();
  const clients = new Set<Client>();
  let closed = false;
  let heldBytes = 0;
  let heldBatches = 0;
  let wake: (() => void)[] = [];
  let reseed: Reseed | undefined;

  const written = metrics.counter('tickwire_bus_batches_written_total', 'Batches written to the Redis log.');
  const snapshots = metrics.counter('tickwire_bus_snapshots_written_total', 'Snapshots written to Redis.');
  const dropped = metrics.counter('tickwire_bus_batches_dropped_total', 'Held batches dropped because more than the bound was waiting for Redis.');
  const reseeds = metrics.counter('tickwire_bus_reseeds_total', 'Snapshots written again because Redis lost them or held batches were dropped.');
  const duplicates = metrics.counter('tickwire_bus_duplicates_skipped_total', 'Log entries read twice (a retried write) and skipped.');
  const errors = new Map<string, Counter>();
  const errorCounter = (op: string, cause: string) => {
    const key = `${op}|${cause}`;
    let c = errors.get(key);
    if (!c) errors.set(key, (c = metrics.counter('tickwire_bus_redis_errors_total', 'Failed Redis commands and connections, by operation and cause.', { op, cause })));
    return c;
  };
  const badEntries = (kind: string) => metrics.counter('tickwire_bus_bad_entries_total', 'Log entries this build cannot read (skipped), by kind.', { kind });
  metrics.gauge('tickwire_bus_held_bytes', 'Bytes of batches waiting for Redis.', () => heldBytes);
  metrics.gauge('tickwire_bus_held_batches', 'Batches waiting for Redis.', () => heldBatches);
  metrics.gauge('tickwire_bus_held_max_bytes', 'Bound on the bytes held while Redis is away; past it the oldest are dropped.', () => maxHeldBytes);

  const fail = (op: string, err: unknown, fields: Record<string, unknown> = {}) => {
    const cause = causeOf(err);
    errorCounter(op, cause).inc();
    log(`${op}-${cause}`, `${op} failed (${cause}) at ${where}: ${messageOf(err)}`, fields);
  };

  const connect = (role: string): Client => {
    const client = newClient(opts.url);
    client.on('error', (err: unknown) => fail(`connect-${role}`, err));
    clients.add(client);
    // connect() keeps retrying by the strategy above; it rejects only when the client is closed.
    client.connect().catch(() => undefined);
    return client;
  };
  const base = connect('command');
  base.on('ready', () => {
    for (const ch of channels.values()) {
      ch.check = true;
      void pump(ch);
    }
    const w = wake;
    wake = [];
    for (const f of w) f();
  });
  const untilReady = () => new Promise<void>((resolve) => {
    if (base.isReady || closed) resolve();
    else wake.push(resolve);
  });
  /** Resolves when `client` is connected (at once if it is), or when the bus closes. */
  const whenReady = (client: Client) => new Promise<void>((resolve) => {
    if (client.isReady || closed) return resolve();
    client.once('ready', () => resolve());
    wake.push(resolve);
  });
  const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());

  const channel = (name: string): Channel => {
    let ch = channels.get(name);
    if (!ch) {
      ch = {
        keys: keysFor(prefix, name), seq: 0, epoch: newEpoch(), queue: [], pumping: false, seeded: false, check: true, reseed: false,
        lastId: undefined, snaps: [], trimmedTo: undefined, recent: [],
      };
      channels.set(name, ch);
    }
    return ch;
  };

  const enqueue = (name: string, ch: Channel, op: Op) => {
    ch.queue.push(op);
    if (op.kind === 'entry') {
      heldBytes += op.bytes;
      heldBatches++;
      // Over the bound: drop this channel's oldest held entries (never a snapshot write).
      while (heldBytes > maxHeldBytes) {
        const i = ch.queue.findIndex((o) => o.kind === 'entry');
        if (i < 0 || i === ch.queue.length - 1) break;
        const [gone] = ch.queue.splice(i, 1);
        heldBytes -= gone!.bytes;
        heldBatches--;
        dropped.inc();
        ch.reseed ||= 'dropped';
        log(`drop-${name}`, `more than ${maxHeldBytes} bytes waiting for Redis at ${where}: dropping the oldest held batches of ${name}; readers resynchronize from a new snapshot`, { channel: name });
      }
    }
    void pump(ch);
  };

  const reseedOps = (name: string, ch: Channel, replay: boolean): Op[] => {
    const made = reseed?.(name);
    if (!made) return [];
    reseeds.inc();
    const commands = [['SET', ch.keys.snap, made.snap]];
    if (made.hist !== undefined) commands.push(['SET', ch.keys.hist, made.hist]);
    const replays = replay ? ch.recent.splice(0).map((o): Op => ({ ...o, kind: 'replay' })) : [];
    ch.snaps.length = 0;
    return [{ kind: 'snapshot', commands, bytes: made.snap.length }, ...replays];
  };

  async function pump(ch: Channel): Promise<void> {
    if (ch.pumping) return;
    ch.pumping = true;
    const name = [...channels].find(([, c]) => c === ch)?.[0] ?? '?';
    let backoff = 50;
    try {
      while (ch.queue.length > 0 && !closed) {
        if (!base.isReady) {
          await untilReady();
          continue;
        }
        if (ch.check && ch.seeded) {
          const exists = await base.sendCommand(['EXISTS', ch.keys.snap]).catch((err: unknown) => (fail('check', err), undefined));
          if (exists === undefined) {
            await pause(backoff);
            continue;
          }
          if (Number(exists) === 0) {
            log(`lost-${name}`, `Redis at ${where} has lost the snapshot of ${name} (restarted empty?): writing it again before the held batches`, { channel: name });
            ch.reseed = 'lost';
          }
        }
        ch.check = false;
        if (ch.reseed) {
          ch.queue.unshift(...reseedOps(name, ch, ch.reseed === 'lost'));
          ch.reseed = false;
        }
        const ops = ch.queue.slice(0, MULTI_OPS);
        const multi = base.multi();
        for (const op of ops) for (const c of op.commands) multi.addCommand(c);
        let replies: unknown[];
        try {
          replies = (await multi.exec()) as unknown[];
        } catch (err) {
          // Nothing of a failed MULTI was applied (EXECABORT, connection lost before EXEC): retry it all.
          fail('write', err, { channel: name, batches: ops.length });
          await pause(backoff);
          backoff = Math.min(backoff * 2, RETRY_MAX_MS);
          continue;
        }
        backoff = 50;
        ch.queue.splice(0, ops.length);
        let r = 0;
        let snapped = false;
        for (const op of ops) {
          if (op.kind === 'entry') {
            ch.lastId = String(replies[r]);
            heldBytes -= op.bytes;
            heldBatches--;
            written.inc();
            ch.recent.push(op);
            if (ch.recent.length > RECENT_OPS) ch.recent.shift();
          } else if (op.kind === 'replay') {
            ch.lastId = String(replies[r]);
            ch.recent.push({ ...op, kind: 'entry' });
          } else {
            snapped = true;
            ch.seeded = true;
            snapshots.inc();
          }
          r += op.commands.length;
        }
        if (snapped) {
          if (ch.lastId !== undefined) ch.snaps.push({ id: ch.lastId, atMs: Date.now() });
          // Keep the log from the newest snapshot at least retainMs old: a reader restored from it, or
          // one that paused for less than retainMs, can go on.
          let keep = -1;
          for (let i = 0; i < ch.snaps.length; i++) if (ch.snaps[i]!.atMs <= Date.now() - retainMs) keep = i;
          if (keep >= 0 && ch.snaps[keep]!.id !== ch.trimmedTo) {
            const keepFrom = ch.snaps[keep]!.id;
            ch.snaps.splice(0, keep);
            ch.trimmedTo = keepFrom;
            await base.sendCommand(['XTRIM', ch.keys.log, 'MINID', keepFrom]).catch((err: unknown) => fail('trim', err));
          }
        }
      }
    } finally {
      ch.pumping = false;
      if (ch.queue.length === 0) for (const f of drainWaiters.splice(0)) f();
    }
  }
  const drainWaiters: (() => void)[] = [];
  /** Subscribers of this bus: the seq each has read to, by channel (undefined while it starts). */
  const readers = new Map<object, { channel: string; seq: number | undefined }>();

  function follow(name: string, from: FollowFrom, follower: Follower): Unsubscribe {
    const { log: key } = keysFor(prefix, name);
    const reader = connect('read');
    let stopped = false;
    let lastId = from.id;
    let seq = from.seq;
    let epoch = from.epoch;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      clients.delete(reader);
      reader.destroy();
    };
    void (async () => {
      let backoff = 50;
      while (!stopped && !closed) {
        let reply: unknown;
        await whenReady(reader);
        if (stopped || closed) break;
        try {
          reply = await reader.sendCommand(['XREAD', 'COUNT', String(READ_COUNT), 'BLOCK', String(BLOCK_MS), 'STREAMS', key, lastId]);
          backoff = 50;
        } catch (err) {
          if (stopped || closed) break;
          fail('read', err, { channel: name });
          await pause(backoff);
          backoff = Math.min(backoff * 2, RETRY_MAX_MS);
          continue;
        }
        if (stopped) break;
        const entries = ((reply as [string, [string, string[]][]][] | null)?.[0]?.[1]) ?? [];
        for (const [id, fields] of entries) {
          lastId = id;
          let e: LogEntry;
          try {
            e = decodeEntry(key, id, fields);
          } catch (err) {
            if (!(err instanceof BadEntryError)) throw err;
            badEntries(err.kind).inc();
            log(`bad-${err.kind}-${key}`, err.message, { channel: name });
            continue;
          }
          if (epoch !== undefined && e.epoch !== epoch) {
            stop();
            follower.gap({ reason: 'epoch', expected: seq + 1, got: e });
            return;
          }
          epoch = e.epoch;
          if (e.seq <= seq) {
            duplicates.inc();
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

  const bus: RedisBus = {
    keys: (name) => keysFor(prefix, name),
    symbolsKey: symbolsKey(prefix),
    setReseed(fn) {
      reseed = fn;
    },
    publish(name, events) {
      if (closed || events.length === 0) return;
      const ch = channel(name);
      ch.seq++;
      const fields = entryFields(ch.seq, ch.epoch, events);
      enqueue(name, ch, { kind: 'entry', commands: [['XADD', ch.keys.log, '*', ...fields]], bytes: fields[7]!.length + 64 });
    },
    subscribe(name, handler: BatchHandler): Unsubscribe {
      let stop: Unsubscribe | undefined;
      let off = false;
      const me = { channel: name, seq: undefined as number | undefined };
      readers.set(me, me);
      // The log's end now, asked on the shared connection ahead of any later publish of this bus.
      const key = keysFor(prefix, name).log;
      // Waiting for the connection in line with the writer, so the end is asked before a later publish is written.
      const start = (): void => {
        void untilReady().then(() => off || closed ? undefined : base.sendCommand(['XREVRANGE', key, '+', '-', 'COUNT', '1'])).then(
          (reply) => {
            if (off || closed || reply === undefined) return;
            const newest = (reply as unknown as [string, string[]][])[0];
            let from: FollowFrom = { id: '0-0', seq: 0 };
            if (newest) {
              try {
                from = { id: newest[0], seq: decodeEntry(key, newest[0], newest[1]).seq };
              } catch {
                from = { id: newest[0], seq: 0 };
              }
            }
            me.seq = from.seq;
            const follower: Follower = {
              entry: (e) => {
                me.seq = e.seq;
                handler(e.events);
              },
              // A plain subscriber takes what comes (at-most-once): carry on after a gap or a new epoch.
              gap: ({ got }) => {
                me.seq = got.seq;
                handler(got.events);
                if (!off) stop = follow(name, { id: got.id, seq: got.seq }, follower);
              },
            };
            stop = follow(name, from, follower);
          },
          (err: unknown) => {
            fail('subscribe', err, { channel: name });
            if (!off && !closed) setTimeout(start, RETRY_MAX_MS).unref?.();
          },
        );
      };
      start();
      return () => {
        off = true;
        readers.delete(me);
        stop?.();
      };
    },
    startAt(name, seq, epoch) {
      const ch = channel(name);
      ch.seq = seq;
      ch.epoch = epoch;
    },
    position(name) {
      const ch = channel(name);
      return { seq: ch.seq, epoch: ch.epoch };
    },
    writeSnapshot(name, snap, hist) {
      const ch = channel(name);
      const commands = [['SET', ch.keys.snap, snap]];
      if (hist !== undefined) commands.push(['SET', ch.keys.hist, hist]);
      enqueue(name, ch, { kind: 'snapshot', commands, bytes: snap.length + (hist?.length ?? 0) });
    },
    follow,
    command: <T>(args: readonly string[]) => base.sendCommand([...args]) as Promise<T>,
    drained() {
      if ([...channels.values()].every((c) => c.queue.length === 0)) return Promise.resolve();
      return new Promise<void>((resolve) => drainWaiters.push(resolve));
    },
    async settled() {
      await bus.drained();
      const behind = () => [...readers.values()].some((r) => !closed && (r.seq === undefined || r.seq < (channels.get(r.channel)?.seq ?? 0)));
      while (behind()) await pause(2);
    },
    get ready() {
      return base.isReady;
    },
    untilReady,
    where,
    get held() {
      return { bytes: heldBytes, batches: heldBatches };
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const f of wake.splice(0)) f();
      for (const f of drainWaiters.splice(0)) f();
      for (const c of clients) c.destroy();
      clients.clear();
    },
  };
  return bus satisfies Bus;
}

/** `redis://user:secret@host:6379` → `redis://user:***@host:6379`: log lines name where, never the password. */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return JSON.stringify(url);
  }
}

/** A log that says each kind of problem at most once a second, with how many were not said. */
function rateLimited(log: Log): (kind: string, msg: string, fields: Record<string, unknown>) => void {
  const last = new Map<string, { at: number; quiet: number }>();
  return (kind, msg, fields) => {
    const now = Date.now();
    const seen = last.get(kind);
    if (seen && now - seen.at < LOG_EVERY_MS) {
      seen.quiet++;
      return;
    }
    last.set(kind, { at: now, quiet: 0 });
    log(msg, seen && seen.quiet > 0 ? { ...fields, notLoggedSinceLast: seen.quiet } : fields);
  };
}
