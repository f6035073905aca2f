// The market of a fleet: resumes from Redis when Redis holds its state (ids carry on), otherwise
// starts fresh in a new epoch; runs the simulator onto the Redis bus; writes each symbol's snapshot
// every few seconds (the closed hourly history apart, rarely); re-seeds a Redis that lost them.
import type { RedisBus } from '../bus/bus-redis.ts';
import { newEpoch } from '../bus/bus-redis.ts';
import { channelFor } from '../bus/bus.ts';
import { causeOf, messageOf } from '../bus/redis-keys.ts';
import type { Clock } from '../market/clock.ts';
import { HOUR_US } from '../market/intervals.ts';
import { historyOf, snapshotOf } from '../market/snapshot.ts';
import { createSimulator, type Simulator } from '../market/simulator.ts';
import type { SymbolState } from '../market/state.ts';
import type { SymbolRate } from '../market/types.ts';
import type { Metrics } from '../metrics.ts';
import { startMarket } from './runner.ts';
import { loadNewest, type Loaded } from './load-state.ts';
import { SNAPSHOT_VERSION, SnapshotError, type HistoryValue, type SnapshotValue } from './snapshot-codec.ts';

export interface FleetMarketOptions {
  readonly bus: RedisBus;
  readonly clock: Clock;
  readonly seed: number;
  readonly symbols: readonly SymbolRate[];
  readonly historyHours?: number;
  readonly metrics: Metrics;
  /** Every symbol's snapshot is written once per this period (default 30 s); the log keeps the last two periods. */
  readonly snapshotEveryMs?: number;
  readonly log?: (msg: string) => void;
}

export interface FleetMarket {
  readonly simulator: Simulator;
  /** 200 while writing to Redis; the JSON body of /healthz. */
  health(): { readonly ok: boolean; readonly body: Record<string, unknown> };
  stop(): void;
}

/** Bars of 1 h the snapshot itself may carry before the history stored apart is rewritten. */
const LIVE_HOURS = 48;
const HELD_HEALTHY = 1000;

export async function startFleetMarket(opts: FleetMarketOptions): Promise<FleetMarket> {
  const { bus, metrics } = opts;
  const log = opts.log ?? ((msg: string) => console.log(`market: ${msg}`));
  const badSnapshots = (kind: string) => metrics.counter('tickwire_fleet_snapshot_errors_total', 'Snapshots in Redis this build could not use, by kind.', { kind });

  // Resume each symbol Redis holds; the simulator needs every state before it starts.
  await waitForRedis(bus, log);
  const resume = new Map<string, SymbolState>();
  const loaded = new Map<string, Loaded>();
  for (const { symbol } of opts.symbols) {
    for (;;) {
      try {
        const l = await loadNewest(bus, symbol);
        if (l) {
          loaded.set(symbol, l);
          resume.set(symbol, l.state);
          log(`resuming ${symbol} from Redis at seq ${l.seq} (epoch ${l.epoch}): next trade id ${l.state.nextTradeId}, book update id ${l.state.book.updateId}`);
        }
        break;
      } catch (err) {
        if (err instanceof SnapshotError) {
          badSnapshots(err.kind).inc();
          log(`cannot resume ${symbol}: ${err.message}; starting it fresh in a new epoch`);
          break;
        }
        log(`reading ${symbol}'s state from Redis at ${bus.where} failed (${causeOf(err)}): ${messageOf(err)}; trying again`);
        await new Promise((r) => setTimeout(r, 1000));
        await bus.untilReady();
      }
    }
  }

  const simulator = createSimulator({ seed: opts.seed, clock: opts.clock, symbols: opts.symbols, historyHours: opts.historyHours, resume });
  const cuts = new Map<string, number>();

  /** Snapshot (and, when due or asked, history) values of a symbol as of its last published seq. */
  const values = (symbol: string, withHistory: boolean): { snap: string; hist?: string } => {
    const state = simulator.state(symbol);
    const { seq, epoch } = bus.position(channelFor(symbol));
    let cut = cuts.get(symbol);
    let hist: string | undefined;
    const hourNow = Math.floor(state.timeUs / HOUR_US) * HOUR_US;
    if (withHistory || cut === undefined || hourNow - cut > LIVE_HOURS * HOUR_US) {
      cut = hourNow - HOUR_US;
      cuts.set(symbol, cut);
      hist = JSON.stringify({ v: SNAPSHOT_VERSION, epoch, cutUs: cut, bars: historyOf(state, cut) } satisfies HistoryValue);
    }
    const snap = JSON.stringify({ v: SNAPSHOT_VERSION, epoch, seq, histCutUs: cut, state: snapshotOf(state, cut) } satisfies SnapshotValue);
    return hist === undefined ? { snap } : { snap, hist };
  };

  // What gateways serve: they read the symbols here rather than from flags of their own.
  await bus.command(['SET', bus.symbolsKey, JSON.stringify({ v: SNAPSHOT_VERSION, symbols: opts.symbols.map((s) => s.symbol) })]);
  for (const { symbol } of opts.symbols) {
    const channel = channelFor(symbol);
    const l = loaded.get(symbol);
    if (l) bus.startAt(channel, l.seq, l.epoch);
    else {
      // A fresh market: what another run left under these keys is gone (readers see the new epoch).
      const keys = bus.keys(channel);
      await bus.command(['DEL', keys.log, keys.snap, keys.hist]);
      bus.startAt(channel, 0, newEpoch());
    }
    const v = values(symbol, true);
    bus.writeSnapshot(channel, v.snap, v.hist);
  }
  bus.setReseed((channel) => values(channel.slice('market.'.length), true));

  const runner = startMarket({ simulator, bus, clock: opts.clock });
  // One symbol per turn, so the market never pauses to snapshot every symbol at once.
  let turn = 0;
  const everyMs = opts.snapshotEveryMs ?? 30_000;
  const timer = setInterval(() => {
    const { symbol } = opts.symbols[turn++ % opts.symbols.length]!;
    const v = values(symbol, false);
    bus.writeSnapshot(channelFor(symbol), v.snap, v.hist);
  }, Math.max(10, Math.floor(everyMs / opts.symbols.length)));

  return {
    simulator,
    health() {
      const held = bus.held;
      const ok = bus.ready && held.batches <= HELD_HEALTHY;
      const symbols = Object.fromEntries(opts.symbols.map(({ symbol }) => [symbol, bus.position(channelFor(symbol))]));
      return {
        ok,
        body: {
          role: 'market', pid: process.pid, writing: ok, redis: bus.where, redisConnected: bus.ready,
          heldBatches: held.batches, heldBytes: held.bytes, droppedBatches: metrics.read('tickwire_bus_batches_dropped_total'), symbols,
        },
      };
    },
    stop() {
      clearInterval(timer);
      runner.stop();
    },
  };
}

/** Resolve once Redis answers, saying where it tried every few seconds until then. */
export async function waitForRedis(bus: RedisBus, log: (msg: string) => void): Promise<void> {
  const started = Date.now();
  const timer = setInterval(() => log(`waiting for Redis at ${bus.where} (${Math.round((Date.now() - started) / 1000)} s so far); still trying`), 5000);
  try {
    await bus.untilReady();
  } finally {
    clearInterval(timer);
  }
}
