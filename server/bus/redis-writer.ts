// The Redis bus's writer: numbers each channel's batches (seq), queues them with the snapshot writes,
// and sends each channel's queue in order, many entries per MULTI, dropping an entry from the queue
// only once Redis took it.
//
// While Redis is away the queues hold up to `maxHeldBytes`; past that a channel's oldest held batches
// are dropped (counted) and its next write starts with a fresh snapshot, so a reader meeting the gap
// resynchronizes from it. After every reconnect, a channel whose snapshot Redis lost (a restart that
// keeps nothing) is re-seeded before its held entries: the snapshot as of its newest seq, then its
// last RECENT_OPS entries again (a reader that had not read them gets them; others skip them by seq).
// The log keeps entries from the newest snapshot written at least `retainMs` ago.
import type { MarketEvent } from '../market/types.ts';
import { entryFields, keysFor, type ChannelKeys } from './redis-keys.ts';
import { pause, RETRY_MAX_MS, type Conn } from './redis-conn.ts';

/**
 * The channel's snapshot as of its last published seq (`snap`, and `hist` when the history is kept
 * apart), for re-seeding a Redis that lost it or after held batches were dropped. Synchronous.
 */
export type Reseed = (channel: string) => { readonly snap: string; readonly hist?: string } | undefined;

interface Op {
  readonly commands: string[][];
  readonly bytes: number;
  /** A log entry (counted as held), a snapshot write, or an entry written again after a re-seed (not held). */
  readonly kind: 'entry' | 'snapshot' | 'replay';
}

interface Channel {
  readonly name: string;
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
  /** The newest entries written, written again after a re-seed. */
  readonly recent: Op[];
}

const MULTI_OPS = 256;
const RECENT_OPS = 2000;

export const newEpoch = (): string => `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 6).toString(36).padStart(6, '0')}`;

export interface WriterOptions {
  readonly prefix: string;
  readonly maxHeldBytes: number;
  readonly retainMs: number;
}

export function createWriter(conn: Conn, opts: WriterOptions) {
  const { base, metrics } = conn;
  const channels = new Map<string, Channel>();
  const drainWaiters: (() => void)[] = [];
  let heldBytes = 0;
  let heldBatches = 0;
  let reseed: Reseed | undefined;

  const written = metrics.counter('tickwire_bus_batches_written_total', 'Batches written to the Redis log.');
  const snapshots = metrics.counter('tickwire_bus_snapshots_written_total', 'Snapshots written to Redis.');
  const dropped = metrics.counter('tickwire_bus_batches_dropped_total', 'Held batches dropped because more than the bound was waiting for Redis.');
  const reseeds = metrics.counter('tickwire_bus_reseeds_total', 'Snapshots written again because Redis lost them or held batches were dropped.');
  metrics.gauge('tickwire_bus_held_bytes', 'Bytes of batches waiting for Redis.', () => heldBytes);
  metrics.gauge('tickwire_bus_held_batches', 'Batches waiting for Redis.', () => heldBatches);
  metrics.gauge('tickwire_bus_held_max_bytes', 'Bound on the bytes held while Redis is away; past it the oldest are dropped.', () => opts.maxHeldBytes);

  const channel = (name: string): Channel => {
    let ch = channels.get(name);
    if (!ch) {
      ch = {
        name, keys: keysFor(opts.prefix, name), seq: 0, epoch: newEpoch(), queue: [], pumping: false, seeded: false, check: true,
        reseed: false, lastId: undefined, snaps: [], trimmedTo: undefined, recent: [],
      };
      channels.set(name, ch);
    }
    return ch;
  };
  const idle = () => [...channels.values()].every((c) => c.queue.length === 0);

  conn.onReady(() => {
    for (const ch of channels.values()) {
      ch.check = true;
      void pump(ch);
    }
  });

  function enqueue(ch: Channel, op: Op): void {
    ch.queue.push(op);
    if (op.kind === 'entry') {
      heldBytes += op.bytes;
      heldBatches++;
      // Over the bound: drop this channel's oldest held entries (never a snapshot write).
      while (heldBytes > opts.maxHeldBytes) {
        const i = ch.queue.findIndex((o) => o.kind === 'entry');
        if (i < 0 || i === ch.queue.length - 1) break;
        const [gone] = ch.queue.splice(i, 1);
        heldBytes -= gone!.bytes;
        heldBatches--;
        dropped.inc();
        ch.reseed ||= 'dropped';
        conn.log(`drop-${ch.name}`, `more than ${opts.maxHeldBytes} bytes waiting for Redis at ${conn.where}: dropping the oldest held batches of ${ch.name}; readers resynchronize from a new snapshot`, { channel: ch.name });
      }
    }
    void pump(ch);
  }

  function reseedOps(ch: Channel, replay: boolean): Op[] {
    const made = reseed?.(ch.name);
    if (!made) return [];
    reseeds.inc();
    const commands = [['SET', ch.keys.snap, made.snap]];
    if (made.hist !== undefined) commands.push(['SET', ch.keys.hist, made.hist]);
    const replays = replay ? ch.recent.splice(0).map((o): Op => ({ ...o, kind: 'replay' })) : [];
    ch.snaps.length = 0;
    return [{ kind: 'snapshot', commands, bytes: made.snap.length }, ...replays];
  }

  /** Before writing after a reconnect: did Redis lose this channel's snapshot? False when it cannot tell yet. */
  async function checked(ch: Channel): Promise<boolean> {
    if (!ch.check || !ch.seeded) {
      ch.check = false;
      return true;
    }
    const exists = await base.sendCommand(['EXISTS', ch.keys.snap]).catch((err: unknown) => (conn.fail('check', err), undefined));
    if (exists === undefined) return false;
    if (Number(exists) === 0) {
      conn.log(`lost-${ch.name}`, `Redis at ${conn.where} has lost the snapshot of ${ch.name} (restarted empty?): writing it again before the held batches`, { channel: ch.name });
      ch.reseed = 'lost';
    }
    ch.check = false;
    return true;
  }

  /** What Redis took: ids, held accounting, the recent entries, and trimming after a snapshot. */
  async function took(ch: Channel, ops: readonly Op[], replies: readonly unknown[]): Promise<void> {
    let r = 0;
    let snapped = false;
    for (const op of ops) {
      if (op.kind === 'snapshot') {
        snapped = true;
        ch.seeded = true;
        snapshots.inc();
      } else {
        ch.lastId = String(replies[r]);
        if (op.kind === 'entry') {
          heldBytes -= op.bytes;
          heldBatches--;
          written.inc();
        }
        ch.recent.push(op.kind === 'entry' ? op : { ...op, kind: 'entry' });
        if (ch.recent.length > RECENT_OPS) ch.recent.shift();
      }
      r += op.commands.length;
    }
    if (!snapped) return;
    if (ch.lastId !== undefined) ch.snaps.push({ id: ch.lastId, atMs: Date.now() });
    let keep = -1;
    for (let i = 0; i < ch.snaps.length; i++) if (ch.snaps[i]!.atMs <= Date.now() - opts.retainMs) keep = i;
    if (keep >= 0 && ch.snaps[keep]!.id !== ch.trimmedTo) {
      const keepFrom = ch.snaps[keep]!.id;
      ch.snaps.splice(0, keep);
      ch.trimmedTo = keepFrom;
      await base.sendCommand(['XTRIM', ch.keys.log, 'MINID', keepFrom]).catch((err: unknown) => conn.fail('trim', err));
    }
  }

  async function pump(ch: Channel): Promise<void> {
    if (ch.pumping) return;
    ch.pumping = true;
    let backoff = 50;
    try {
      while (ch.queue.length > 0 && !conn.closed) {
        if (!base.isReady) {
          await conn.untilReady();
          continue;
        }
        if (!(await checked(ch))) {
          await pause(backoff);
          continue;
        }
        if (ch.reseed) {
          ch.queue.unshift(...reseedOps(ch, ch.reseed === 'lost'));
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
          conn.fail('write', err, { channel: ch.name, batches: ops.length });
          await pause(backoff);
          backoff = Math.min(backoff * 2, RETRY_MAX_MS);
          continue;
        }
        backoff = 50;
        ch.queue.splice(0, ops.length);
        await took(ch, ops, replies);
      }
    } finally {
      ch.pumping = false;
      if (idle()) for (const f of drainWaiters.splice(0)) f();
    }
  }

  return {
    channel,
    setReseed(fn: Reseed) {
      reseed = fn;
    },
    publish(name: string, events: readonly MarketEvent[]): void {
      const ch = channel(name);
      ch.seq++;
      const fields = entryFields(ch.seq, ch.epoch, events);
      enqueue(ch, { kind: 'entry', commands: [['XADD', ch.keys.log, '*', ...fields]], bytes: fields[7]!.length + 64 });
    },
    writeSnapshot(name: string, snap: string, hist?: string): void {
      const ch = channel(name);
      const commands = [['SET', ch.keys.snap, snap]];
      if (hist !== undefined) commands.push(['SET', ch.keys.hist, hist]);
      enqueue(ch, { kind: 'snapshot', commands, bytes: snap.length + (hist?.length ?? 0) });
    },
    drained(): Promise<void> {
      if (idle()) return Promise.resolve();
      return new Promise<void>((resolve) => drainWaiters.push(resolve));
    },
    get held() {
      return { bytes: heldBytes, batches: heldBatches };
    },
    close() {
      for (const f of drainWaiters.splice(0)) f();
    },
  };
}
