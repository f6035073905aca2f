// The Redis bus: each channel is an ordered, replayable log (a Redis Stream, see redis-keys.ts)
// plus its snapshot keys. What a fleet's market writes (redis-writer.ts) and its gateways read
// (redis-follow.ts), over connections that retry forever and count every failure (redis-conn.ts).
// subscribe() (the Bus interface) follows a channel from the log's end at the time of the call.
import type { MarketEvent } from '../market/types.ts';
import type { Metrics } from '../metrics.ts';
import { createMetrics } from '../metrics.ts';
import type { BatchHandler, Bus, Unsubscribe } from './bus.ts';
import { decodeEntry, DEFAULT_PREFIX, keysFor, symbolsKey, type ChannelKeys } from './redis-keys.ts';
import { createConn, pause, RETRY_MAX_MS, type Log } from './redis-conn.ts';
import { followLog, type FollowFrom, type Follower } from './redis-follow.ts';
import { createWriter, type Reseed } from './redis-writer.ts';

export type { FollowFrom, Follower } from './redis-follow.ts';
export { newEpoch, type Reseed } from './redis-writer.ts';
export { redactedUrl } from './redis-conn.ts';

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

export function createRedisBus(opts: RedisBusOptions): RedisBus {
  const prefix = opts.prefix ?? DEFAULT_PREFIX;
  const metrics = opts.metrics ?? createMetrics();
  const conn = createConn(opts.url, metrics, opts.log ?? ((msg, fields) => console.error(`redis bus: ${msg}`, JSON.stringify(fields))));
  const writer = createWriter(conn, { prefix, maxHeldBytes: opts.maxHeldBytes ?? 64 * 1024 * 1024, retainMs: opts.retainMs ?? 60_000 });
  /** Subscribers of this bus: the seq each has read to, by channel (undefined while it starts). */
  const readers = new Set<{ readonly channel: string; seq: number | undefined }>();
  const follow = (name: string, from: FollowFrom, follower: Follower): Unsubscribe => followLog(conn, keysFor(prefix, name).log, name, from, follower);

  const bus: RedisBus = {
    keys: (name) => keysFor(prefix, name),
    symbolsKey: symbolsKey(prefix),
    setReseed: (fn: Reseed) => writer.setReseed(fn),
    publish(name, events: readonly MarketEvent[]) {
      if (conn.closed || events.length === 0) return;
      writer.publish(name, events);
    },
    subscribe(name, handler: BatchHandler): Unsubscribe {
      let stop: Unsubscribe | undefined;
      let off = false;
      const me = { channel: name, seq: undefined as number | undefined };
      readers.add(me);
      const key = keysFor(prefix, name).log;
      // The log's end now, asked on the shared connection once it is up: in line with the writer, so
      // it is asked before any later publish of this bus is written.
      const start = (): void => {
        void conn.untilReady().then(() => (off || conn.closed ? undefined : conn.base.sendCommand(['XREVRANGE', key, '+', '-', 'COUNT', '1']))).then(
          (reply) => {
            if (off || conn.closed || reply === undefined) return;
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
            conn.fail('subscribe', err, { channel: name });
            if (!off && !conn.closed) setTimeout(start, RETRY_MAX_MS).unref?.();
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
      const ch = writer.channel(name);
      ch.seq = seq;
      ch.epoch = epoch;
    },
    position(name) {
      const ch = writer.channel(name);
      return { seq: ch.seq, epoch: ch.epoch };
    },
    writeSnapshot: (name, snap, hist) => writer.writeSnapshot(name, snap, hist),
    follow,
    command: <T>(args: readonly string[]) => conn.base.sendCommand([...args]) as Promise<T>,
    drained: () => writer.drained(),
    async settled() {
      await writer.drained();
      const behind = () => [...readers].some((r) => !conn.closed && (r.seq === undefined || r.seq < writer.channel(r.channel).seq));
      while (behind()) await pause(2);
    },
    get ready() {
      return conn.base.isReady;
    },
    untilReady: () => conn.untilReady(),
    where: conn.where,
    get held() {
      return writer.held;
    },
    async close() {
      if (conn.closed) return;
      writer.close();
      conn.close();
    },
  };
  return bus satisfies Bus;
}
