// Server configuration: one table of flags (name, environment twin, default, accepted values,
// meaning) read once at start-up. The same table prints --help and the README's configuration
// block (server/cli.ts), so they cannot drift. Adding a setting is one entry here and one field of
// Config. Bad values throw a ConfigError naming the setting, the value and what was expected.
import { ConfigError, custom, integer, readFlags, text, toggle, type Env, type FlagValues } from './flags.ts';

import type { SymbolRate } from './market/types.ts';

export { ConfigError } from './flags.ts';

export type { SymbolRate };

export type Role = 'single' | 'market' | 'gateway';

export interface Config {
  readonly host: string;
  readonly port: number;
  /** Share the port with other processes that also ask (SO_REUSEPORT); off: this process owns it. */
  readonly reusePort: boolean;
  /** single (one process), or a fleet's market or gateway (over Redis). */
  readonly role: Role;
  /** Where a fleet's market and gateways meet. */
  readonly redisUrl: string;
  /** Also listen on this port, exclusively (this process's own /healthz and /metrics behind a shared port). */
  readonly adminPort: number | undefined;
  /** A gateway's name in a fleet (e.g. the load balancer's server name): /healthz and GET_PROPERTY "gateway" tell it. */
  readonly gatewayId: string | undefined;
  /** A fleet's market writes each symbol's snapshot once per this period. */
  readonly snapshotEveryMs: number;
  /** Seed of the market simulation: the same seed and clock give the same events. */
  readonly seed: number;
  readonly symbols: readonly SymbolRate[];
  readonly ws: {
    /** Incoming messages per second per connection before it is closed (5, Binance's figure; docs/protocol.md#limits-and-keep-alive). */
    readonly maxMessagesPerSec: number;
    /** Streams per connection (1024). */
    readonly maxStreams: number;
    /** Connection attempts per IP per window (300 per 5 min). */
    readonly connAttemptsPerIp: number;
    readonly connAttemptWindowMs: number;
    readonly pingIntervalMs: number;
    readonly pongTimeoutMs: number;
    /** A connection is closed after this long (24 h). */
    readonly maxLifetimeMs: number;
    /** Bytes buffered for one slow client before it is closed with code 1008 (uWS maxBackpressure). */
    readonly maxBackpressureBytes: number;
    /** Largest incoming frame accepted, bytes; a larger one closes the connection (1009). */
    readonly maxPayloadBytes: number;
  };
  readonly rest: {
    /** Request weight per IP per minute before 429 (6000). */
    readonly weightPerMinute: number;
  };
}

export const DEFAULT_SYMBOLS: readonly SymbolRate[] = [
  { symbol: 'SOLUSDT', tradesPerSec: 10 },
  { symbol: 'BTCUSDT', tradesPerSec: 4 },
  { symbol: 'ETHUSDT', tradesPerSec: 3 },
  { symbol: 'BNBUSDT', tradesPerSec: 1 },
];

/** Every flag the server reads, in the order help lists them. */
export const FLAGS = {
  port: integer(8080, 0, 65535, 'HTTP + WebSocket port (0 picks a free one; the start line prints it)'),
  host: text('127.0.0.1', 'host name or IP address', 'address to listen on (0.0.0.0 for every interface)'),
  'reuse-port': toggle(
    'share the port with other tickwire processes started with this switch (SO_REUSEPORT; the kernel spreads connections among them). Off: the server owns its port, and a second one on it stops with "address in use"',
  ),
  seed: integer(42, 0, 2 ** 32 - 1, 'seed of the simulation: the same seed gives the same market'),
  symbols: custom<readonly SymbolRate[]>({
    accepts: 'SYMBOL[:rate],… (rate default 2)',
    shown: DEFAULT_SYMBOLS.map((s) => `${s.symbol}:${s.tradesPerSec}`).join(','),
    meaning:
      'symbols and mean taker orders per second (each order makes one or more trades; arrivals come in bursts). The first is the dashboard\'s default. Any XXXUSDT works.',
    parse: (raw) => symbols(raw),
  }),
  'ws-max-messages-per-sec': integer(5, 1, 1_000_000, 'incoming messages per second per connection (a burst of that many, then that rate); over it the connection is closed (1008)'),
  'ws-max-streams': integer(1024, 1, 1_000_000, 'streams per connection; more is refused with error code 2'),
  'ws-conn-attempts-per-ip': integer(300, 1, 100_000_000, 'WebSocket connection attempts per IP per window; over it the upgrade gets HTTP 429'),
  'ws-conn-attempt-window-ms': integer(300_000, 1, 86_400_000, 'that window, ms'),
  'ws-ping-interval-ms': integer(20_000, 100, 3_600_000, 'server pings, ms'),
  'ws-pong-timeout-ms': integer(60_000, 100, 3_600_000, 'no pong for this long closes the connection (1008), ms'),
  'ws-max-lifetime-ms': integer(86_400_000, 1000, 7 * 86_400_000, 'connection lifetime (closed with 1000), ms'),
  'ws-max-backpressure-bytes': integer(4 * 1024 * 1024, 1024, 1024 ** 3, 'bytes buffered for one slow client before it is closed (1008 "slow consumer") and counted'),
  'ws-max-payload-bytes': integer(64 * 1024, 256, 16 * 1024 * 1024, 'largest incoming message (larger closes with 1009; a frame announcing over max(1 MiB, twice this) is dropped without a close frame: docs/security.md)'),
  'rest-weight-per-minute': integer(6000, 1, 1_000_000_000, 'REST request weight per IP per minute; over it 429 with Retry-After and code -1003'),
  role: custom<Role>({
    accepts: 'single, market or gateway',
    shown: 'single',
    meaning: 'single: the whole server in one process. A fleet (docs/fleet.md): one market (simulator → Redis; serves /healthz and /metrics only) and gateways (streams, REST and the site from a replica built from Redis)',
    parse: (raw) => {
      const v = raw === undefined || raw === '' ? 'single' : raw;
      if (v !== 'single' && v !== 'market' && v !== 'gateway') throw new ConfigError(`--role (ROLE) must be single, market or gateway, got ${JSON.stringify(raw)}`);
      return v;
    },
  }),
  redis: custom<string>({
    accepts: 'redis://[user:password@]host[:port][/db]',
    shown: 'redis://127.0.0.1:6379',
    meaning: 'the Redis a fleet\'s market writes to and its gateways read from (market and gateway roles)',
    parse: (raw) => {
      const v = raw === undefined || raw === '' ? 'redis://127.0.0.1:6379' : raw;
      if (!/^redis:\/\/\S+$/.test(v)) throw new ConfigError(`--redis (REDIS_URL) must look like redis://host:port, got ${JSON.stringify(raw)}`);
      return v;
    },
  }),
  'admin-port': custom<number | undefined>({
    accepts: 'integer 0–65535',
    shown: 'none',
    meaning: 'also listen here, exclusively (0 picks a free one), for this process\'s own /healthz and /metrics when --reuse-port shares the main port',
    parse: (raw, name) => (raw === undefined || raw === '' ? undefined : integer(0, 0, 65535, '').parse(raw, name)),
  }),
  'gateway-id': custom<string | undefined>({
    accepts: '1-64 letters, digits or . _ : -',
    shown: 'none',
    meaning: 'gateway role: its name in the fleet (the load balancer\'s server name); /healthz shows it and GET_PROPERTY "gateway" answers it',
    parse: (raw) => {
      if (raw === undefined || raw === '') return undefined;
      if (!/^[A-Za-z0-9._:-]{1,64}$/.test(raw)) throw new ConfigError(`--gateway-id (GATEWAY_ID) must be 1-64 letters, digits or . _ : -, got ${JSON.stringify(raw)}`);
      return raw;
    },
  }),
  'snapshot-every-ms': integer(30_000, 100, 3_600_000, 'market role: each symbol\'s snapshot is written to Redis once per this period; the log keeps two periods (at least 5 s)'),
};

/** Parse argv (without node and script) and env into a Config. Throws ConfigError. */
export function loadConfig(argv: readonly string[] = [], env: Env = {}): Config {
  return configOf(readFlags(FLAGS, argv, env));
}

/** What the command line asks for: help, the version, or a server with this Config. */
export type Command = { readonly action: 'help' } | { readonly action: 'version' } | { readonly action: 'start'; readonly config: Config };

/** `--help`/`-h` and `--version` win over every other argument, even a bad one. Throws ConfigError. */
export function readCommand(argv: readonly string[], env: Env): Command {
  if (argv.includes('--help') || argv.includes('-h')) return { action: 'help' };
  if (argv.includes('--version')) return { action: 'version' };
  return { action: 'start', config: loadConfig(argv, env) };
}

function configOf(v: FlagValues<typeof FLAGS>): Config {
  return {
    host: v.host,
    port: v.port,
    reusePort: v['reuse-port'],
    role: v.role,
    redisUrl: v.redis,
    adminPort: v['admin-port'],
    gatewayId: v['gateway-id'],
    snapshotEveryMs: v['snapshot-every-ms'],
    seed: v.seed,
    symbols: v.symbols,
    ws: {
      maxMessagesPerSec: v['ws-max-messages-per-sec'],
      maxStreams: v['ws-max-streams'],
      connAttemptsPerIp: v['ws-conn-attempts-per-ip'],
      connAttemptWindowMs: v['ws-conn-attempt-window-ms'],
      pingIntervalMs: v['ws-ping-interval-ms'],
      pongTimeoutMs: v['ws-pong-timeout-ms'],
      maxLifetimeMs: v['ws-max-lifetime-ms'],
      maxBackpressureBytes: v['ws-max-backpressure-bytes'],
      maxPayloadBytes: v['ws-max-payload-bytes'],
    },
    rest: {
      weightPerMinute: v['rest-weight-per-minute'],
    },
  };
}
/** `SOLUSDT:10,BTCUSDT:4` (rate optional, default 2). The first symbol is the dashboard's default. */
function symbols(raw: string | undefined): readonly SymbolRate[] {
  if (raw === undefined || raw.trim() === '') return DEFAULT_SYMBOLS;
  const seen = new Set<string>();
  return raw.split(',').map((part) => {
    const m = /^\s*([A-Z0-9]{2,10}USDT)\s*(?::\s*(\d+(?:\.\d+)?)\s*)?$/.exec(part);
    if (!m) {
      throw new ConfigError(`--symbols (SYMBOLS): ${JSON.stringify(part)} is not SYMBOL[:tradesPerSec] with an uppercase symbol quoted in USDT, e.g. SOLUSDT:10`);
    }
    const symbol = m[1]!;
    const tradesPerSec = m[2] === undefined ? 2 : Number(m[2]);
    if (!(tradesPerSec > 0 && tradesPerSec <= 100_000)) {
      throw new ConfigError(`--symbols (SYMBOLS): the rate of ${symbol} must be above 0 and at most 100000 trades/s, got ${m[2]}`);
    }
    if (seen.has(symbol)) throw new ConfigError(`--symbols (SYMBOLS): ${symbol} is listed twice`);
    seen.add(symbol);
    return { symbol, tradesPerSec };
  });
}
