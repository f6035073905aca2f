// A real fleet behind haproxy for the edge tests: a private redis-server (the test may kill and
// restart it), `npm run fleet -- --proxy`'s own startFleet (market, 3 gateways on 127.0.0.2-4, haproxy),
// and many backfilling witnesses through the proxy. Everything stops in `close()`.
import { startFleet, type FleetHandle } from '../../server/fleet/fleet.ts';
import { startPrivateRedis, type PrivateRedis } from '../../server/fleet/redis-server.ts';
import { findHaproxy } from '../../server/edge/haproxy-process.ts';
import { openBackfillWitness, latestTradeId, OPEN_LIMITS, type BackfillWitness } from '../../bench/load/backfill-witness.ts';
import { waitFor } from '../fleet/harness.ts';

export const HAPROXY = findHaproxy() !== undefined;
export const SYMBOL = 'SOLUSDT';

export interface EdgeFleet {
  readonly fleet: FleetHandle;
  readonly redis: PrivateRedis;
  readonly restUrl: string;
  readonly wsUrl: string;
  readonly log: string[];
  readonly witnesses: BackfillWitness[];
  /** Open `n` witnesses through the proxy and wait until each one holds a trade. */
  addWitnesses(n: number, onLatency?: (ms: number, gateway: string | undefined) => void): Promise<BackfillWitness[]>;
  /** The pid of a fleet process by its table label ("market", "gateway 2"). */
  pid(label: string): number;
  /** Wait until every witness is connected and holds every id from its first to the market's latest now. */
  waitWhole(timeoutMs: number): Promise<number>;
  close(): Promise<void>;
}

export async function startEdgeFleet(opts: { gateways?: number; symbols?: string; tls?: boolean } = {}): Promise<EdgeFleet> {
  const redis = await startPrivateRedis();
  const log: string[] = [];
  const fleet = startFleet(
    {
      gateways: opts.gateways ?? 3, host: '127.0.0.1', port: 0, redis: redis.url, marketPort: 0,
      proxy: true, tls: opts.tls ?? false, tlsCert: undefined,
      serverArgs: ['--symbols', opts.symbols ?? `${SYMBOL}:20,BTCUSDT:5`, ...OPEN_LIMITS],
    },
    (line) => {
      log.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
      if (log.length > 3000) log.splice(0, 1000);
    },
  );
  try {
    await fleet.ready;
  } catch (err) {
    await fleet.stop('start failed');
    await redis.stop();
    throw new Error(`${(err as Error).message}\n--- fleet log:\n${log.slice(-40).join('\n')}`);
  }
  const restUrl = fleet.publicUrl;
  const wsUrl = fleet.edge!.wsUrl;
  const witnesses: BackfillWitness[] = [];
  const self: EdgeFleet = {
    fleet,
    redis,
    restUrl,
    wsUrl,
    log,
    witnesses,
    async addWitnesses(n, onLatency) {
      const fresh = Array.from({ length: n }, () => openBackfillWitness({ wsUrl, restUrl, symbol: SYMBOL, onLatency }));
      witnesses.push(...fresh);
      await waitFor(`${n} witnesses to hold a trade`, () => fresh.every((w) => w.first !== undefined), 60_000, 100);
      return fresh;
    },
    pid(label) {
      const row = fleet.rows().find((r) => r.role === label);
      if (!row?.pid) throw new Error(`no running process "${label}" in the fleet table`);
      return row.pid;
    },
    async waitWhole(timeoutMs) {
      const target = await latestTradeId(restUrl, SYMBOL);
      await waitFor(
        `every witness connected and holding every trade id up to ${target}`,
        () => witnesses.every((w) => w.connected && w.missingUpTo(target) === undefined),
        timeoutMs,
        100,
      ).catch((err: Error) => {
        const bad = witnesses.filter((w) => !w.connected || w.missingUpTo(target) !== undefined);
        const sample = bad.slice(0, 5).map((w) => `connected ${w.connected} on ${w.gateway} first ${w.first} missing ${w.missingUpTo(target)} closes ${JSON.stringify(w.closes.slice(-2))}`);
        throw new Error(`${err.message}: ${bad.length} of ${witnesses.length} not whole, e.g.\n${sample.join('\n')}\n--- fleet log:\n${log.slice(-30).join('\n')}`);
      });
      return target;
    },
    async close() {
      for (const w of witnesses.splice(0)) w.close();
      await fleet.stop('test done');
      await redis.stop();
    },
  };
  return self;
}
