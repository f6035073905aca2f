// Builds one feed server from a Config, in one of three roles:
// - single (default): simulator → in-memory bus → gateway, REST and site on one uWS app;
// - market (a fleet's one market): simulator → Redis; serves only /healthz and /metrics;
// - gateway (a fleet's stateless gateways): a replica built from Redis → gateway, REST and site.
// main.ts runs it from the command line; tests start it on port 0.
import type { TemplatedApp } from 'uWebSockets.js';
import { loadUws } from './uws.ts';
import type { Config } from './config.ts';
import type { Clock } from './market/clock.ts';
import { createSystemClock } from './market/clock.ts';
import { createSimulator, type Simulator } from './market/simulator.ts';
import type { MarketView } from './market/types.ts';
import { startMarket } from './feed/runner.ts';
import { startFleetMarket, type FleetMarket } from './feed/fleet-market.ts';
import { startReplicaFeed } from './feed/fleet-gateway.ts';
import type { Bus } from './bus/bus.ts';
import { channelFor } from './bus/bus.ts';
import { createMemoryBus } from './bus/bus-memory.ts';
import { createRedisBus } from './bus/bus-redis.ts';
import { attachGateway } from './gateway/gateway.ts';
import { attachRest } from './http/rest.ts';
import { attachSite } from './http/site.ts';
import { attachOps } from './http/ops.ts';
import { createMetrics, type Metrics } from './metrics.ts';

export type Role = 'single' | 'market' | 'gateway';

/** What a market or gateway of a fleet needs beyond the Config. */
export interface FleetOptions {
  readonly role: 'market' | 'gateway';
  /** redis://[user:pass@]host:port[/db] */
  readonly redisUrl: string;
  /** Key prefix in Redis (default `tw`). */
  readonly prefix?: string;
  /** Market: each symbol's snapshot is written once per this period (default 30 s). */
  readonly snapshotEveryMs?: number;
  /** Market: bytes of batches held while Redis is away before the oldest are dropped (default 64 MiB). */
  readonly maxHeldBytes?: number;
}

export interface ServerDeps {
  /** Defaults to the system clock. Tests pass a manual clock to step the market. */
  readonly clock?: Clock;
  /** Single role: defaults to a new in-memory bus. */
  readonly bus?: Bus;
  /** Where the dashboard's built files are (default web/dist beside this checkout). */
  readonly distDir?: string;
  /** Single role: defaults to true. False leaves the market unstepped: tests call `simulator.advanceTo`. */
  readonly runMarket?: boolean;
  /** A market or gateway of a fleet; without it, the single process. */
  readonly fleet?: FleetOptions;
  /** Also listen here (0: a free port), exclusively, with the same app: one process's own /healthz and /metrics behind a shared port. */
  readonly adminPort?: number;
}

export interface RunningServer {
  readonly role: Role;
  readonly host: string;
  readonly port: number;
  /** The admin port when one was asked for. */
  readonly adminPort: number | undefined;
  /** Absolute path of the native uWS binary in use. */
  readonly uwsBinary: string;
  readonly metrics: Metrics;
  /** The simulator (single role; a market's once it has resumed or started). Undefined on a gateway. */
  readonly simulator: Simulator | undefined;
  /** What REST reads (undefined on a market). */
  readonly view: MarketView | undefined;
  readonly bus: Bus;
  /** As /healthz answers: ok (200) or not (503), and the body's fields. */
  health(): { readonly ok: boolean; readonly body: Readonly<Record<string, unknown>> };
  /** Tell every client the server is going (serverShutdown, then close 1001), stop listening, stop the market. */
  close(): Promise<void>;
}

type Uws = ReturnType<typeof loadUws>['uws'];

async function listen(uws: Uws, app: TemplatedApp, host: string, port: number): Promise<unknown> {
  const socket = await new Promise<unknown>((resolve) => {
    app.listen(host, port, (s) => resolve(s));
  });
  if (!socket) throw new Error(`could not listen on ${host}:${port} (address in use, or not an address of this machine)`);
  return socket;
}

/** The main socket and the admin one, if asked for; their ports; and closing both. */
async function listenAll(uws: Uws, app: TemplatedApp, config: Config, deps: ServerDeps) {
  const main = await listen(uws, app, config.host, config.port);
  let admin: unknown;
  try {
    if (deps.adminPort !== undefined) admin = await listen(uws, app, config.host, deps.adminPort);
  } catch (err) {
    uws.us_listen_socket_close(main as never);
    throw err;
  }
  return {
    port: uws.us_socket_local_port(main as never),
    adminPort: admin === undefined ? undefined : uws.us_socket_local_port(admin as never),
    close() {
      uws.us_listen_socket_close(main as never);
      if (admin !== undefined) uws.us_listen_socket_close(admin as never);
    },
  };
}

export async function startServer(config: Config, deps: ServerDeps = {}): Promise<RunningServer> {
  if (deps.fleet?.role === 'market') return startMarketRole(config, deps.fleet, deps);
  if (deps.fleet?.role === 'gateway') return startGatewayRole(config, deps.fleet, deps);
  const { uws, binary } = loadUws();
  const clock = deps.clock ?? createSystemClock();
  const bus = deps.bus ?? createMemoryBus();
  const metrics = createMetrics();
  const simulator = createSimulator({ seed: config.seed, clock, symbols: config.symbols });
  const app = uws.App();

  const gateway = attachGateway(app, { bus, symbols: config.symbols.map((s) => s.symbol), ws: config.ws, metrics, clock });
  const rest = attachRest(app, { market: simulator, rest: config.rest, metrics, clock });
  attachSite(app, { metrics, distDir: deps.distDir, gatewayConnections: () => gateway.connections });
  const market = deps.runMarket === false ? undefined : startMarket({ simulator, bus, clock });

  let sockets: Awaited<ReturnType<typeof listenAll>>;
  try {
    sockets = await listenAll(uws, app, config, deps);
  } catch (err) {
    market?.stop();
    gateway.close();
    rest.close();
    throw err;
  }

  let closing: Promise<void> | undefined;
  return {
    role: 'single',
    host: config.host,
    port: sockets.port,
    adminPort: sockets.adminPort,
    uwsBinary: binary,
    metrics,
    simulator,
    view: simulator,
    bus,
    health: () => ({ ok: true, body: { role: 'single', pid: process.pid } }),
    close() {
      closing ??= (async () => {
        market?.stop();
        sockets.close();
        await gateway.shutdown();
        gateway.close();
        rest.close();
        await bus.close();
      })();
      return closing;
    },
  };
}

/** The market of a fleet: listens at once (503 until it writes to Redis), resumes or starts, publishes to Redis. */
async function startMarketRole(config: Config, fleet: FleetOptions, deps: ServerDeps): Promise<RunningServer> {
  const { uws, binary } = loadUws();
  const clock = deps.clock ?? createSystemClock();
  const metrics = createMetrics();
  const bus = createRedisBus({ url: fleet.redisUrl, prefix: fleet.prefix, metrics, maxHeldBytes: fleet.maxHeldBytes });
  let market: FleetMarket | undefined;
  let failure: string | undefined;
  const health = () =>
    market?.health() ?? {
      ok: false,
      body: { role: 'market', pid: process.pid, writing: false, redis: bus.where, redisConnected: bus.ready, state: failure ?? 'waiting for Redis to resume or start the market' },
    };
  const app = uws.App();
  attachOps(app, { metrics, health });
  const sockets = await listenAll(uws, app, config, deps).catch(async (err: unknown) => {
    await bus.close();
    throw err;
  });
  let stopped = false;
  const starting = startFleetMarket({
    bus, clock, seed: config.seed, symbols: config.symbols, metrics, snapshotEveryMs: fleet.snapshotEveryMs,
  }).then(
    (m) => {
      if (stopped) m.stop();
      else market = m;
    },
    (err: unknown) => {
      failure = `the market could not start: ${err instanceof Error ? err.message : String(err)}`;
      console.error(`market: ${failure}`);
    },
  );

  let closing: Promise<void> | undefined;
  return {
    role: 'market',
    host: config.host,
    port: sockets.port,
    adminPort: sockets.adminPort,
    uwsBinary: binary,
    metrics,
    get simulator() {
      return market?.simulator;
    },
    view: undefined,
    bus,
    health,
    close() {
      closing ??= (async () => {
        stopped = true;
        market?.stop();
        sockets.close();
        // Whatever Redis can still take is written before the bus closes (never longer than 2 s).
        await Promise.race([bus.drained(), new Promise((r) => setTimeout(r, 2000))]);
        await bus.close();
        await starting;
      })();
      return closing;
    },
  };
}

/** A gateway of a fleet: its market view is a replica fed from Redis; /healthz is 503 until it has caught up. */
async function startGatewayRole(config: Config, fleet: FleetOptions, deps: ServerDeps): Promise<RunningServer> {
  const { uws, binary } = loadUws();
  const clock = deps.clock ?? createSystemClock();
  const metrics = createMetrics();
  const redis = createRedisBus({ url: fleet.redisUrl, prefix: fleet.prefix, metrics });
  // The fan-out subscribes to a local bus; the replica feed publishes each applied batch on it.
  const local = createMemoryBus();
  const symbols = config.symbols.map((s) => s.symbol);
  const feed = startReplicaFeed({ bus: redis, symbols, clock, metrics, publish: (symbol, events) => local.publish(channelFor(symbol), events) });
  const app = uws.App();
  const gateway = attachGateway(app, { bus: local, symbols, ws: config.ws, metrics, clock });
  const rest = attachRest(app, { market: feed.view, rest: config.rest, metrics, clock });
  attachSite(app, { metrics, distDir: deps.distDir, gatewayConnections: () => gateway.connections, health: feed.health });

  let sockets: Awaited<ReturnType<typeof listenAll>>;
  try {
    sockets = await listenAll(uws, app, config, deps);
  } catch (err) {
    feed.close();
    gateway.close();
    rest.close();
    await redis.close();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    role: 'gateway',
    host: config.host,
    port: sockets.port,
    adminPort: sockets.adminPort,
    uwsBinary: binary,
    metrics,
    simulator: undefined,
    view: feed.view,
    bus: local,
    health: feed.health,
    close() {
      closing ??= (async () => {
        sockets.close();
        feed.close();
        await gateway.shutdown();
        gateway.close();
        rest.close();
        await local.close();
        await redis.close();
      })();
      return closing;
    },
  };
}
