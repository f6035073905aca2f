// The market side of a fleet gateway: a replica of every symbol, restored from its snapshot in
// Redis and moved on by the log after it, each batch then handed to the gateway's fan-out. Falls
// back to the newest snapshot (a resync, counted) when the log cannot continue it: entries trimmed
// away while it was too slow, a Redis that lost them, or a market started afresh (a new epoch).
import type { RedisBus } from '../bus/bus-redis.ts';
import { channelFor, type Unsubscribe } from '../bus/bus.ts';
import { causeOf, decodeEntry, messageOf, type LogEntry } from '../bus/redis-keys.ts';
import type { Clock } from '../market/clock.ts';
import { createReplica } from '../market/replica.ts';
import type { MarketEvent, MarketView } from '../market/types.ts';
import type { Counter, Metrics } from '../metrics.ts';
import { loadSnapshot } from './load-state.ts';
import { SnapshotError } from './snapshot-codec.ts';

export interface ReplicaFeedOptions {
  readonly bus: RedisBus;
  readonly symbols: readonly string[];
  readonly clock: Clock;
  readonly metrics: Metrics;
  /**
   * Each batch, in log order, once applied to the replica (the gateway's fan-out). Not the batches
   * replayed after a restore before the log's end is reached: those are old news (up to the log's
   * retention), and a client connected then starts with the live events instead.
   */
  readonly publish: (symbol: string, events: readonly MarketEvent[]) => void;
  readonly log?: (msg: string) => void;
  /** How often the log's end is read to measure lag (default 1000 ms). */
  readonly lagEveryMs?: number;
}

export interface ReplicaFeed {
  readonly view: MarketView;
  /** True once the symbol's snapshot is restored (its reads answer). */
  restored(symbol: string): boolean;
  /** True once every symbol is restored and read to the log's end, and not behind since. */
  ready(): boolean;
  /** 200 when ready(); the JSON body of /healthz. */
  health(): { readonly ok: boolean; readonly body: Record<string, unknown> };
  close(): void;
}

interface Follow {
  readonly symbol: string;
  restored: boolean;
  atEnd: boolean;
  /** Batches go to clients: false from a restore until the log's end is first reached. */
  live: boolean;
  applied: number;
  epoch: string;
  head: number;
  lastEventUs: number;
  stop: Unsubscribe | undefined;
  /** Bumped on every resync, so callbacks of an older follow are ignored. */
  generation: number;
}

/** Behind by more than this many batches, a gateway does not call itself caught up. */
const CAUGHT_UP_EVENTS = 50;

export function startReplicaFeed(opts: ReplicaFeedOptions): ReplicaFeed {
  const { bus, metrics, clock } = opts;
  const log = opts.log ?? ((msg: string) => console.log(`gateway: ${msg}`));
  const replica = createReplica(opts.symbols, () => clock.nowUs());
  const follows = new Map<string, Follow>(opts.symbols.map((symbol) => [symbol, {
    symbol, restored: false, atEnd: false, live: false, applied: 0, epoch: '', head: 0, lastEventUs: NaN, stop: undefined, generation: 0,
  }]));
  let closed = false;

  const resyncs = new Map<string, Counter>();
  const resyncCounter = (reason: string) => {
    let c = resyncs.get(reason);
    if (!c) resyncs.set(reason, (c = metrics.counter('tickwire_fleet_resyncs_total', 'Replica restored again from the newest snapshot because the log could not continue it, by reason.', { reason })));
    return c;
  };
  const snapshotErrors = (kind: string) => metrics.counter('tickwire_fleet_snapshot_errors_total', 'Snapshots in Redis this build could not use, by kind.', { kind });
  const applyErrors = metrics.counter('tickwire_fleet_apply_errors_total', 'Log entries the replica could not apply (then resynchronized).');
  const applied = metrics.counter('tickwire_fleet_batches_applied_total', 'Log entries applied to the replica and handed to the fan-out.');
  const eventsApplied = metrics.counter('tickwire_fleet_events_applied_total', 'Events in the log entries applied.');
  const replayed = metrics.counter('tickwire_fleet_batches_replayed_total', 'Log entries applied while catching up after a restore, not sent to clients.');
  const lagEvents = (f: Follow) => Math.max(0, f.head - f.applied);
  const lagMs = (f: Follow) => (lagEvents(f) === 0 || Number.isNaN(f.lastEventUs) ? 0 : Math.max(0, Math.round((clock.nowUs() - f.lastEventUs) / 1000)));
  for (const f of follows.values()) {
    metrics.gauge('tickwire_fleet_lag_events', 'Batches in the log this gateway has not applied yet.', () => lagEvents(f), { symbol: f.symbol });
    metrics.gauge('tickwire_fleet_lag_ms', 'How old the newest applied event is while batches wait (0 when none wait).', () => lagMs(f), { symbol: f.symbol });
    metrics.gauge('tickwire_fleet_applied_seq', 'Seq of the newest batch applied.', () => f.applied, { symbol: f.symbol });
  }
  const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

  async function restore(f: Follow, reason: string | undefined): Promise<void> {
    const generation = ++f.generation;
    f.stop?.();
    f.stop = undefined;
    f.atEnd = false;
    f.live = false;
    if (reason) resyncCounter(reason).inc();
    let waitingSaid = 0;
    while (!closed && generation === f.generation) {
      try {
        await bus.untilReady();
        const loaded = await loadSnapshot(bus, f.symbol);
        if (!loaded) {
          if (Date.now() - waitingSaid > 5000) log(`no snapshot of ${f.symbol} in Redis at ${bus.where} yet (is the market running?); waiting`);
          waitingSaid = Date.now();
          await pause(250);
          continue;
        }
        if (closed || generation !== f.generation) return;
        replica.reset(f.symbol, loaded.state);
        f.restored = true;
        f.applied = loaded.seq;
        f.epoch = loaded.epoch;
        f.lastEventUs = loaded.state.timeUs;
        log(`${f.symbol} restored from its snapshot at seq ${loaded.seq}${reason ? ` (resync: ${reason})` : ''}; reading the log after it`);
        f.stop = bus.follow(channelFor(f.symbol), { id: '0-0', seq: loaded.seq, epoch: loaded.epoch }, {
          entry: (e) => onEntry(f, generation, e),
          gap: ({ reason: why, expected, got }) => {
            if (generation !== f.generation) return;
            log(`${f.symbol}: the log cannot continue the replica (${why}: expected seq ${expected}, got ${got.seq} of epoch ${got.epoch}); resynchronizing`);
            void restore(f, why);
          },
          atEnd: () => {
            if (generation !== f.generation) return;
            f.atEnd = true;
            f.live = true;
          },
        });
        return;
      } catch (err) {
        if (err instanceof SnapshotError) {
          snapshotErrors(err.kind).inc();
          log(`cannot use the snapshot of ${f.symbol}: ${err.message}; trying again`);
        } else {
          log(`reading the snapshot of ${f.symbol} from ${bus.where} failed (${causeOf(err)}): ${messageOf(err)}; trying again`);
        }
        await pause(1000);
      }
    }
  }

  function onEntry(f: Follow, generation: number, e: LogEntry): void {
    if (generation !== f.generation) return;
    try {
      replica.apply(f.symbol, e.events);
    } catch (err) {
      applyErrors.inc();
      log(`${f.symbol}: entry ${e.id} (seq ${e.seq}) does not apply: ${messageOf(err)}; resynchronizing`);
      void restore(f, 'apply');
      return;
    }
    f.applied = e.seq;
    if (f.head < e.seq) f.head = e.seq;
    const last = e.events[e.events.length - 1];
    if (last) f.lastEventUs = last.timeUs;
    applied.inc();
    eventsApplied.inc(e.events.length);
    if (f.live) opts.publish(f.symbol, e.events);
    else replayed.inc();
  }

  // The log's end, for lag: read on the shared connection, never on the followers'.
  const lagTimer = setInterval(() => {
    for (const f of follows.values()) {
      if (!f.restored || !bus.ready) continue;
      const key = bus.keys(channelFor(f.symbol)).log;
      bus.command<[string, string[]][]>(['XREVRANGE', key, '+', '-', 'COUNT', '1']).then(
        (reply) => {
          const newest = reply[0];
          if (!newest) return;
          try {
            const e = decodeEntry(key, newest[0], newest[1]);
            if (e.epoch === f.epoch) f.head = Math.max(f.head, e.seq);
          } catch {
            // A foreign newest entry says nothing about lag; the follower counts it.
          }
        },
        () => undefined,
      );
    }
  }, opts.lagEveryMs ?? 1000);

  for (const f of follows.values()) void restore(f, undefined);
  const caughtUp = () => [...follows.values()].every((f) => f.restored && f.atEnd && lagEvents(f) <= CAUGHT_UP_EVENTS);

  return {
    view: replica.view,
    restored: (symbol) => follows.get(symbol)?.restored === true,
    ready: caughtUp,
    health() {
      const all = [...follows.values()];
      const ok = caughtUp();
      return {
        ok,
        body: {
          role: 'gateway', pid: process.pid, caughtUp: ok,
          lagEvents: Math.max(0, ...all.map(lagEvents)),
          lagMs: Math.max(0, ...all.map(lagMs)),
          redis: bus.where, redisConnected: bus.ready,
          symbols: Object.fromEntries(all.map((f) => [f.symbol, { restored: f.restored, atEnd: f.atEnd, seq: f.applied, head: f.head, epoch: f.epoch }])),
        },
      };
    },
    close() {
      closed = true;
      clearInterval(lagTimer);
      for (const f of follows.values()) f.stop?.();
    },
  };
}
