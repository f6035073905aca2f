// Builds one feed server from a Config: simulator → bus → gateway, REST and site on one uWS app.
// main.ts runs it from the command line; tests start it on port 0.
import { loadUws } from './uws.ts';
import { listenOn } from './listen.ts';
import type { Config } from './config.ts';
import type { Clock } from './market/clock.ts';
import { createSystemClock } from './market/clock.ts';
import { createSimulator } from './market/simulator.ts';
import { startMarket } from './market/runner.ts';
import type { Bus } from './bus/bus.ts';
import { createMemoryBus } from './bus/bus-memory.ts';
import { attachGateway } from './gateway/gateway.ts';
import { attachRest } from './http/rest.ts';
import { attachSite } from './http/site.ts';
import { attachWsApi } from './ws-api/ws-api.ts';
import { attachSse } from './http/sse.ts';
import { attachLongPoll } from './http/long-poll.ts';
import { createMetrics, type Metrics } from './metrics.ts';

export interface ServerDeps {
  /** Defaults to the system clock. Tests pass a manual clock to step the market. */
  readonly clock?: Clock;
  /** Defaults to a new in-memory bus. */
  readonly bus?: Bus;
  /** Where the dashboard's built files are (default web/dist beside this checkout). */
  readonly distDir?: string;
  /** Defaults to true. False leaves the market unstepped: tests call `simulator.advanceTo`. */
  readonly runMarket?: boolean;
}

export interface RunningServer {
  readonly host: string;
  readonly port: number;
  /** Absolute path of the native uWS binary in use. */
  readonly uwsBinary: string;
  readonly metrics: Metrics;
  readonly simulator: ReturnType<typeof createSimulator>;
  readonly bus: Bus;
  /** Tell every client the server is going (serverShutdown, then close 1001), stop listening, stop the market. */
  close(): Promise<void>;
}

export async function startServer(config: Config, deps: ServerDeps = {}): Promise<RunningServer> {
  const { uws, binary } = loadUws();
  const clock = deps.clock ?? createSystemClock();
  const bus = deps.bus ?? createMemoryBus();
  const metrics = createMetrics();
  const simulator = createSimulator({ seed: config.seed, clock, symbols: config.symbols });
  const app = uws.App();

  const gateway = attachGateway(app, {
    bus,
    market: simulator,
    symbols: config.symbols.map((s) => s.symbol),
    ws: config.ws,
    metrics,
    clock,
  });
  const rest = attachRest(app, { market: simulator, rest: config.rest, metrics, clock });
  const wsApi = attachWsApi(app, { market: simulator, ws: config.ws, limiter: rest.limiter, metrics, clock });
  const sse = attachSse(app, { bus, market: simulator, symbols: config.symbols.map((s) => s.symbol), ws: config.ws, metrics, clock });
  const longPoll = attachLongPoll(app, {
    bus, market: simulator, symbols: config.symbols.map((s) => s.symbol), limiter: rest.limiter, metrics, maxStreams: config.ws.maxStreams,
  });
  attachSite(app, { metrics, distDir: deps.distDir, gatewayConnections: () => gateway.connections });
  const lateness = metrics.histogram('tickwire_market_timer_lateness_seconds',
    "How late the market's timer woke for its earliest due event (events keep their scheduled time stamps).");
  const market = deps.runMarket === false ? undefined : startMarket({ simulator, bus, clock, onLateness: (us) => lateness.observe(us / 1e6) });

  let listenSocket: unknown;
  try {
    listenSocket = await listenOn(uws, app, config.host, config.port, config.reusePort);
  } catch (err) {
    market?.stop();
    gateway.close();
    wsApi.close();
    sse.close();
    longPoll.close();
    rest.close();
    throw err;
  }
  const port = uws.us_socket_local_port(listenSocket as never);

  let closing: Promise<void> | undefined;
  return {
    host: config.host,
    port,
    uwsBinary: binary,
    metrics,
    simulator,
    bus,
    close() {
      closing ??= (async () => {
        market?.stop();
        uws.us_listen_socket_close(listenSocket as never);
        wsApi.shutdown();
        sse.shutdown();
        longPoll.shutdown();
        await gateway.shutdown();
        gateway.close();
        wsApi.close();
        sse.close();
        longPoll.close();
        rest.close();
        await bus.close();
      })();
      return closing;
    },
  };
}
