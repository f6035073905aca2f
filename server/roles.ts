// The two roles of a fleet, as startServer builds them: the market (simulator → Redis; only
// /healthz and /metrics) and a gateway (a replica fed from Redis → WebSocket streams, REST, site).
import type { TemplatedApp } from 'uWebSockets.js';
import { loadUws } from './uws.ts';
import { listenOn } from './listen.ts';
import type { Config } from './config.ts';
import { createSystemClock } from './market/clock.ts';
import { startFleetMarket, type FleetMarket } from './feed/fleet-market.ts';
import { startReplicaFeed, type ReplicaFeed } from './feed/fleet-gateway.ts';
import { waitForSymbols } from './feed/load-state.ts';
import { channelFor } from './bus/bus.ts';
import { createMemoryBus } from './bus/bus-memory.ts';
import { createRedisBus } from './bus/bus-redis.ts';
import { attachGateway, type Gateway } from './gateway/gateway.ts';
import { attachRest } from './http/rest.ts';
import { attachSite } from './http/site.ts';
import { attachOps } from './http/ops.ts';
import { attachWsApi, WS_API_PATH } from './ws-api/ws-api.ts';
import { attachSse } from './http/sse.ts';
import { attachLongPoll } from './http/long-poll.ts';
import { createMetrics, trackRuntime } from './metrics.ts';
import { guardRequest } from './http/request-guard.ts';
import { sentOut } from './sent-out.ts';
import type { MarketView } from './market/types.ts';
import { RestError } from './http/params.ts';
import { RestErrorCode, RestErrorMsg, UpgradeRefusal } from './wire/errors.ts';


/** The replica's view, whose reads of a symbol not yet restored answer 503 -1001 instead of failing. */
function whenRestored(feed: ReplicaFeed): MarketView {
  const v = feed.view;
  const ready = <T>(symbol: string, read: () => T): T => {
    if (!feed.restored(symbol)) throw new RestError(RestErrorCode.DISCONNECTED, RestErrorMsg.catchingUp, 503);
    return read();
  };
  return {
    specs: v.specs,
    nowUs: () => v.nowUs(),
    spec: (s) => v.spec(s),
    depth: (s, limit) => ready(s, () => v.depth(s, limit)),
    bookTicker: (s) => ready(s, () => v.bookTicker(s)),
    recentTrades: (s, limit) => ready(s, () => v.recentTrades(s, limit)),
    tradesFrom: (s, fromId, limit) => ready(s, () => v.tradesFrom(s, fromId, limit)),
    aggTrades: (s, q) => ready(s, () => v.aggTrades(s, q)),
    klines: (s, interval, q) => ready(s, () => v.klines(s, interval, q)),
    ticker24h: (s) => ready(s, () => v.ticker24h(s)),
    rollingTicker: (s, minutes) => ready(s, () => v.rollingTicker(s, minutes)),
    avgPrice: (s) => ready(s, () => v.avgPrice(s)),
  };
}
import type { FleetOptions, RunningServer, ServerDeps } from './app.ts';

type Uws = ReturnType<typeof loadUws>['uws'];

/** The main socket and the admin one, if asked for; their ports; and closing both. */
export async function listenAll(uws: Uws, app: TemplatedApp, config: Config, deps: ServerDeps) {
  let main: unknown = await listenOn(uws, app, config.host, config.port, config.reusePort);
  let admin: unknown;
  try {
    // Never shared: it must reach this one process.
    if (deps.adminPort !== undefined) admin = await listenOn(uws, app, config.host, deps.adminPort, false);
  } catch (err) {
    uws.us_listen_socket_close(main as never);
    throw err;
  }
  return {
    port: uws.us_socket_local_port(main as never),
    adminPort: admin === undefined ? undefined : uws.us_socket_local_port(admin as never),
    /** Stop taking new connections on the public port; the admin port (its /healthz) stays. */
    closeMain() {
      if (main !== undefined) uws.us_listen_socket_close(main as never);
      main = undefined;
    },
    close() {
      if (main !== undefined) uws.us_listen_socket_close(main as never);
      main = undefined;
      if (admin !== undefined) uws.us_listen_socket_close(admin as never);
      admin = undefined;
    },
  };
}

/** The market of a fleet: listens at once (503 until it writes to Redis), resumes or starts, publishes to Redis. */
export async function startMarketRole(config: Config, fleet: FleetOptions, deps: ServerDeps): Promise<RunningServer> {
  const { uws, binary } = loadUws();
  const clock = deps.clock ?? createSystemClock();
  const metrics = createMetrics();
  const stopLoopDelay = trackRuntime(metrics);
  // The log keeps two snapshot periods, and never less than 5 s (a gateway restoring needs that long at most).
  const retainMs = Math.max(5000, 2 * (fleet.snapshotEveryMs ?? 30_000));
  const bus = createRedisBus({ url: fleet.redisUrl, prefix: fleet.prefix, metrics, maxHeldBytes: fleet.maxHeldBytes, retainMs });
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
        stopLoopDelay();
        await bus.close();
        await starting;
      })();
      return closing;
    },
  };
}

/**
 * A gateway of a fleet: listens at once (/healthz 503), learns the symbols the market publishes from
 * Redis (its own --symbols are not used), then serves streams and REST from a replica fed from
 * Redis; /healthz stays 503 until every symbol has caught up. Routes added after listening take
 * precedence over the site's catch-all, as uWS prefers static routes to wildcards.
 */
export async function startGatewayRole(config: Config, fleet: FleetOptions, deps: ServerDeps): Promise<RunningServer> {
  const { uws, binary } = loadUws();
  const clock = deps.clock ?? createSystemClock();
  const metrics = createMetrics();
  const stopLoopDelay = trackRuntime(metrics);
  const redis = createRedisBus({ url: fleet.redisUrl, prefix: fleet.prefix, metrics });
  // The fan-out subscribes to a local bus; the replica feed publishes each applied batch on it.
  const local = createMemoryBus();
  const app = uws.App();
  let feed: ReplicaFeed | undefined;
  let gateway: Gateway | undefined;
  let rest: ReturnType<typeof attachRest> | undefined;
  let transports: { shutdown(): void; close(): void }[] = [];
  let closed = false;
  // Draining (from the first close() on): /healthz answers 404 "draining" on the admin port while the
  // public port is closed and clients get serverShutdown, so a load balancer sends no one new here
  // and haproxy leaves the open sockets for the gateway to close (see attachSite).
  const ownHealth = () =>
    closed
      ? { ok: false, draining: true, body: { role: 'gateway', pid: process.pid, caughtUp: false, lagEvents: 0, lagMs: 0, state: 'draining' } }
      : feed?.health() ?? {
      ok: false,
      body: { role: 'gateway', pid: process.pid, caughtUp: false, lagEvents: 0, lagMs: 0, redis: redis.where, redisConnected: redis.ready, state: 'waiting for the market in Redis' },
    };
  const health = () => {
    const h = ownHealth();
    return config.gatewayId === undefined ? h : { ...h, body: { ...h.body, gatewayId: config.gatewayId } };
  };
  attachSite(app, { metrics, distDir: deps.distDir, gatewayConnections: () => gateway?.connections ?? 0, health });
  // Until the market's symbols are known, REST and the stream paths (WebSocket, the WebSocket API, SSE, long-poll)
  // answer 503 -1001 (their own routes, added then, take precedence: uWS ranks a method's handlers
  // above any()). After that each refuses new clients the same way until the replica has caught up.
  const catchingUp = guardRequest((res) => {
    res.writeStatus(UpgradeRefusal.catchingUp.status).writeHeader('Content-Type', 'application/json;charset=UTF-8').end(UpgradeRefusal.catchingUp.body);
  });
  for (const path of ['/api/*', '/ws', '/ws/*', '/stream', WS_API_PATH, '/sse', '/sse/*', '/poll', '/poll/*']) app.any(path, catchingUp);
  const sockets = await listenAll(uws, app, config, deps).catch(async (err: unknown) => {
    stopLoopDelay();
    await redis.close();
    throw err;
  });
  const log = (msg: string) => console.log(`gateway: ${msg}`);
  const starting = waitForSymbols(redis, log, () => closed).then((symbols) => {
    if (!symbols || closed) return;
    if (symbols.join() !== config.symbols.map((s) => s.symbol).join()) log(`serving the market's symbols ${symbols.join(', ')}`);
    feed = startReplicaFeed({ bus: redis, symbols, clock, metrics, log, publish: (symbol, events) => local.publish(channelFor(symbol), events) });
    const ready = feed.ready;
    gateway = attachGateway(app, { bus: local, symbols, ws: config.ws, metrics, clock, gatewayId: config.gatewayId, ready });
    const market = whenRestored(feed);
    rest = attachRest(app, { market, rest: config.rest, metrics, clock });
    // The other transports read the same replica and the same local bus as on a single server.
    transports = [
      attachWsApi(app, { market, ws: config.ws, limiter: rest.limiter, metrics, clock, ready }),
      attachSse(app, { bus: local, market, symbols, ws: config.ws, metrics, clock, ready }),
      attachLongPoll(app, { bus: local, market, symbols, limiter: rest.limiter, metrics, maxStreams: config.ws.maxStreams, ready }),
    ];
  });

  let closing: Promise<void> | undefined;
  return {
    role: 'gateway',
    host: config.host,
    port: sockets.port,
    adminPort: sockets.adminPort,
    uwsBinary: binary,
    metrics,
    simulator: undefined,
    get view() {
      return feed?.view;
    },
    bus: local,
    health,
    close() {
      closing ??= (async () => {
        closed = true;
        sockets.closeMain();
        for (const t of transports) t.shutdown();
        await gateway?.shutdown();
        await sentOut(sockets.port, log);
        sockets.close();
        feed?.close();
        gateway?.close();
        for (const t of transports) t.close();
        rest?.close();
        stopLoopDelay();
        await local.close();
        await redis.close();
        await starting;
      })();
      return closing;
    },
  };
}
