// The bench's arms, as data: per arm the server it starts, where its clients connect and what they
// send to subscribe, how the load is made, how the server scales out, and how the report names and
// draws it. Adding an arm is one entry here (and its scenarios in scenarios.ts); step.ts, row.ts
// and the report read this table and never test for an arm by name.
import { fileURLToPath } from 'node:url';
import { pollsAtInterval, type LoadKind } from './load/protocol.ts';

/**
 * How an arm is loaded: WebSocket clients on a Binance stream (`ws`) or on Socket.IO (`sio`),
 * clients polling REST at an interval (`poll`), or autocannon at a fixed request rate
 * (`rest-capacity`: one "update" is one answered request).
 */
export type ArmLoad = LoadKind | 'rest-capacity';

/** What a step tells an arm's server and clients: the same values for every arm. */
export interface ArmOptions {
  readonly host: string;
  readonly port: number;
  /** Uppercase symbol of the one market every arm runs. */
  readonly symbol: string;
  /** Mean taker orders per second. */
  readonly rate: number;
  /** push only: raw (`/ws`) or combined (`/stream`) stream connections. */
  readonly stream?: 'raw' | 'combined';
}

export interface ArmSpec {
  /** Name in tables and chart legends. */
  readonly label: string;
  /**
   * Colour of the arm's lines and bars in the report's charts: the Okabe–Ito palette, which stays
   * distinct for the common colour-blindnesses; the dash pattern and marker tell arms apart in grey too.
   */
  readonly colour: string;
  /** SVG stroke-dasharray of its lines ('' solid). */
  readonly dash: string;
  readonly marker: 'circle' | 'square' | 'triangle' | 'diamond' | 'cross' | 'bar';
  /** The server process: a script (absolute path) run with node and tsx, and its arguments. */
  readonly server: { readonly script: string; readonly args: (o: ArmOptions) => string[] };
  readonly load: ArmLoad;
  /** Request path (with query) the clients upgrade on, poll, or autocannon requests. */
  readonly clientPath: (o: ArmOptions) => string;
  /** ws and sio: the text each client sends to subscribe to `stream`, once everyone is connected. */
  readonly subscribe: (stream: string) => string;
  /**
   * `shared-port`: one server process per CONNS_PER_SERVER connections, all listening on one port
   * (SO_REUSEPORT), each running its own copy of the seeded market; `single`: one process.
   */
  readonly scaleOut: 'shared-port' | 'single';
  /** The server serves /metrics with the latency breakdown histograms (bench/breakdown.ts). */
  readonly breakdown: boolean;
  /**
   * Not a server under test but the load generator's own ceiling: its rows are left out of the
   * charts and goals, and client-bound rows are read against it.
   */
  readonly calibration?: boolean;
}

/**
 * The slow-client budget, bytes: the same for tickwire and the limit arm, given to both with the
 * server's own flag so both are configured alike.
 */
export const MAX_BACKPRESSURE_BYTES = 16 * 1024 * 1024;

const script = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));
const listen = (o: ArmOptions): string[] => ['--host', o.host, '--port', String(o.port)];
/**
 * tickwire's flags for every bench server, lone or fleet: one seeded market, and the per-IP limits
 * raised so the load (thousands of sockets from one address) is not refused.
 */
export const tickwireMarketFlags = (symbol: string, rate: number): string[] => [
  '--symbols', `${symbol}:${rate}`, '--seed', '1',
  '--ws-conn-attempts-per-ip', '100000000', '--ws-max-messages-per-sec', '1000',
  '--rest-weight-per-minute', '1000000000', '--ws-max-backpressure-bytes', String(MAX_BACKPRESSURE_BYTES),
];
const tickwire: ArmSpec['server'] = {
  script: script('../server/main.ts'),
  // --reuse-port: a shared-port scale-out starts several of these on one port (a lone tickwire owns its port).
  args: (o) => [...listen(o), '--reuse-port', ...tickwireMarketFlags(o.symbol, o.rate)],
};
const peer = (rel: string, extra: readonly string[] = []): ArmSpec['server'] => ({
  script: script(rel),
  args: (o) => [...listen(o), '--rate', String(o.rate), '--seed', '1', '--symbol', o.symbol, ...extra],
});
/** An empty stream connection (clients subscribe once everyone is connected), µs event stamps. */
const binanceStream = (o: ArmOptions): string => (o.stream === 'combined' ? '/stream?timeUnit=MICROSECOND' : '/ws?timeUnit=MICROSECOND');
const binanceSubscribe = (stream: string): string => JSON.stringify({ method: 'SUBSCRIBE', params: [stream], id: 1 });
const recentTrades = (o: ArmOptions): string => `/api/v3/trades?symbol=${o.symbol}&limit=100`;
const none = (): string => '';
/** One stream for the transports that name it in the URL (SSE, long-polling), µs event stamps. */
const tradeStreamQuery = (o: ArmOptions): string => `streams=${o.symbol.toLowerCase()}@trade&timeUnit=MICROSECOND`;

export const ARM_SPECS = {
  /** tickwire, WebSocket clients on a trade stream (raw, or combined in one scenario). */
  push: {
    label: 'push', colour: '#0072B2', dash: '', marker: 'circle', server: tickwire, load: 'ws',
    clientPath: binanceStream, subscribe: binanceSubscribe, scaleOut: 'shared-port', breakdown: true,
  },
  /** tickwire REST /api/v3/trades polled at a fixed interval by each client. */
  polling: {
    label: 'polling', colour: '#E69F00', dash: '6 3', marker: 'square', server: tickwire, load: 'poll',
    clientPath: recentTrades, subscribe: none, scaleOut: 'single', breakdown: true,
  },
  /** tickwire Server-Sent Events: readers on `/sse?streams=<symbol>@trade`, the same trades as push. */
  sse: {
    label: 'sse', colour: '#0072B2', dash: '4 2', marker: 'triangle', server: tickwire, load: 'sse',
    clientPath: (o) => `/sse?${tradeStreamQuery(o)}`, subscribe: none, scaleOut: 'single', breakdown: true,
  },
  /** tickwire long-polling: `/poll?streams=<symbol>@trade&cursor=…`, asked again at every answer. */
  'long-poll': {
    label: 'long-poll', colour: '#F0E442', dash: '3 3', marker: 'square', server: tickwire, load: 'long-poll',
    clientPath: (o) => `/poll?${tradeStreamQuery(o)}`, subscribe: none, scaleOut: 'single', breakdown: true,
  },
  /** tickwire WebSocket API: `trades.recent` (limit 100) every interval, the polling arm's request over an open socket. */
  'ws-api': {
    label: 'ws-api', colour: '#E69F00', dash: '1 2', marker: 'diamond', server: tickwire, load: 'ws-api',
    clientPath: () => '/ws-api/v3?timeUnit=MICROSECOND&returnRateLimits=false',
    subscribe: (stream) => JSON.stringify({ id: 1, method: 'trades.recent', params: { symbol: stream.split('@')[0]!.toUpperCase(), limit: 100 } }),
    scaleOut: 'single', breakdown: true,
  },
  /** tickwire REST under a fixed request rate (autocannon -R): capacity and CPU per request. */
  'rest-capacity': {
    label: 'rest-capacity', colour: '#56B4E9', dash: '1 3', marker: 'bar', server: tickwire, load: 'rest-capacity',
    clientPath: recentTrades, subscribe: none, scaleOut: 'single', breakdown: true,
  },
  /** Express + ws, broadcasting with a loop over wss.clients (bench/peers/ws-express.ts). */
  'peer-ws': {
    label: 'peer-ws', colour: '#D55E00', dash: '2 3', marker: 'triangle', server: peer('./peers/ws-express.ts'), load: 'ws',
    clientPath: binanceStream, subscribe: binanceSubscribe, scaleOut: 'single', breakdown: false,
  },
  /** Socket.IO, emitting to a room (bench/peers/socketio.ts). */
  'peer-socketio': {
    label: 'peer-socketio', colour: '#CC79A7', dash: '8 3 2 3', marker: 'diamond', server: peer('./peers/socketio.ts'), load: 'sio',
    clientPath: () => '/socket.io/?EIO=4&transport=websocket', subscribe: (stream) => `42["subscribe","${stream}"]`, scaleOut: 'single', breakdown: false,
  },
  /** Bare uWS publishing pre-serialized payloads (bench/peers/uws-limit.ts): the ceiling for our layers. */
  limit: {
    label: 'limit', colour: '#009E73', dash: '10 4', marker: 'cross', server: peer('./peers/uws-limit.ts', ['--ws-max-backpressure-bytes', String(MAX_BACKPRESSURE_BYTES)]), load: 'ws',
    clientPath: binanceStream, subscribe: binanceSubscribe, scaleOut: 'shared-port', breakdown: false,
  },
  /**
   * Calibration: a firehose of pre-built trade frames (bench/peers/frame-source.ts) read by one load
   * process: how many updates/s one generator process can read, parse and sequence-check.
   */
  calibrate: {
    label: 'generator ceiling', colour: '#000000', dash: '1 2', marker: 'circle', server: peer('./peers/frame-source.ts'), load: 'ws',
    clientPath: () => '/ws', subscribe: binanceSubscribe, scaleOut: 'single', breakdown: false, calibration: true,
  },
} as const satisfies Record<string, ArmSpec>;

export type Arm = keyof typeof ARM_SPECS;

export const ARMS = Object.keys(ARM_SPECS) as Arm[];

export const armSpec = (arm: Arm): ArmSpec => ARM_SPECS[arm];

/** Rows and scenarios of this arm count answered requests, not updates of a stream. */
export const isCapacity = (arm: Arm): boolean => armSpec(arm).load === 'rest-capacity';
/** The load generator's calibration arm. */
export const isCalibration = (arm: Arm): boolean => (armSpec(arm) as ArmSpec).calibration === true;
/** Rows and scenarios of this arm poll (they have a request rate and staleness). */
export const isPolling = (arm: Arm): boolean => pollsAtInterval(armSpec(arm).load as LoadKind);

/**
 * What sets a scenario or row apart from the others of its arm, '' when nothing: the poll
 * interval, the fixed request rate, or the combined stream.
 */
export function variant(x: { readonly arm: Arm; readonly pollIntervalMs?: number; readonly requestRate?: number; readonly stream?: string }): string {
  const load = armSpec(x.arm).load;
  if (load === 'poll' || load === 'ws-api') return `every ${x.pollIntervalMs} ms`;
  if (load === 'rest-capacity') return x.requestRate ? `at ${x.requestRate} req/s` : '';
  return x.stream === 'combined' ? 'combined' : '';
}

/** The arm's label with the variant: a chart legend's name for one row. */
export const rowLabel = (x: Parameters<typeof variant>[0]): string => [armSpec(x.arm).label, variant(x)].filter(Boolean).join(' ');
