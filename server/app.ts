// Builds one feed server from a Config, in one of three roles:
// - single (default): simulator → in-memory bus → gateway, REST and site on one uWS app;
// - market (a fleet's one market): simulator → Redis; serves only /healthz and /metrics;
// - gateway (a fleet's stateless gateways): a replica built from Redis → gateway, REST and site.
// main.ts runs it from the command line; tests start it on port 0.
import { loadUws } from './uws.ts';
import type { Config } from './config.ts';
import type { Clock } from './market/clock.ts';
import { createSystemClock } from './market/clock.ts';
import { createSimulator, type Simulator } from './market/simulator.ts';
import type { MarketView } from './market/types.ts';
import { startMarket } from './feed/runner.ts';
import type { Bus } from './bus/bus.ts';
import { createMemoryBus } from './bus/bus-memory.ts';
import { attachGateway } from './gateway/gateway.ts';
import { attachRest } from './http/rest.ts';
import { attachSite } from './http/site.ts';
import { attachWsApi } from './ws-api/ws-api.ts';
import { attachSse } from './http/sse.ts';
import { attachLongPoll } from './http/long-poll.ts';
import { createMetrics, trackRuntime, type Metrics } from './metrics.ts';
import { listenAll, startGatewayRole, startMarketRole } from './roles.ts';
import { sentOut } from './sent-out.ts';

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

export async function startServer(config: Config, deps: ServerDeps = {}): Promise<RunningServer> {
  if (deps.fleet?.role === 'market') return startMarketRole(config, deps.fleet, deps);
  if (deps.fleet?.role === 'gateway') return startGatewayRole(config, deps.fleet, deps);
  return startSingle(config, deps);
}

/** One process: simulator → in-memory bus → gateway, REST and site. */
async function startSingle(config: Config, deps: ServerDeps): Promise<RunningServer> {
  const { uws, binary } = loadUws();
  const clock = deps.clock ?? createSystemClock();
  const bus = deps.bus ?? createMemoryBus();
  const metrics = createMetrics();
  const stopLoopDelay = trackRuntime(metrics);
  const simulator = createSimulator({ seed: config.seed, clock, symbols: config.symbols });
  const app = uws.App();

  const gateway = attachGateway(app, { bus, symbols: config.symbols.map((s) => s.symbol), ws: config.ws, metrics, clock });
  const rest = attachRest(app, { market: simulator, rest: config.rest, metrics, clock });
  const wsApi = attachWsApi(app, { market: simulator, ws: config.ws, limiter: rest.limiter, metrics, clock });
  const sse = attachSse(app, { bus, market: simulator, symbols: config.symbols.map((s) => s.symbol), ws: config.ws, metrics, clock });
  const longPoll = attachLongPoll(app, {
    bus, market: simulator, symbols: config.symbols.map((s) => s.symbol), limiter: rest.limiter, metrics, maxStreams: config.ws.maxStreams,
  });
  attachSite(app, { metrics, distDir: deps.distDir, gatewayConnections: () => gateway.connections });
  const lateness = metrics.histogram('tickwire_market_timer_lateness_seconds',
    "How late the market's timer woke for its earliest due event (before the event time E, which is the moment of emission).");
  const market = deps.runMarket === false ? undefined : startMarket({ simulator, bus, clock, onLateness: (us) => lateness.observe(us / 1e6) });

  let sockets: Awaited<ReturnType<typeof listenAll>>;
  try {
    sockets = await listenAll(uws, app, config, deps);
  } catch (err) {
    market?.stop();
    gateway.close();
    wsApi.close();
    sse.close();
    longPoll.close();
    rest.close();
    stopLoopDelay();
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
        wsApi.shutdown();
        sse.shutdown();
        longPoll.shutdown();
        await gateway.shutdown();
        await sentOut(sockets.port, (msg) => console.log(`tickwire: ${msg}`));
        gateway.close();
        wsApi.close();
        sse.close();
        longPoll.close();
        rest.close();
        stopLoopDelay();
        await bus.close();
      })();
      return closing;
    },
  };
}
