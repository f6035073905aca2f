// Server configuration from flags and environment, checked once at start-up.
// Every flag `--some-name value` (or `--some-name=value`) has an environment twin `SOME_NAME`;
// a flag wins over the environment, the environment over the default. Bad values throw a
// ConfigError whose message names the setting, the value and what was expected.

import type { SymbolRate } from './market/types.ts';

export type { SymbolRate };

export interface Config {
  readonly host: string;
  readonly port: number;
  /** single (one process), or a fleet's market or gateway (over Redis). */
  readonly role: 'single' | 'market' | 'gateway';
  /** Where a fleet's market and gateways meet. */
  readonly redisUrl: string;
  /** Also listen on this port, exclusively (this process's own /healthz and /metrics behind a shared port). */
  readonly adminPort: number | undefined;
  /** A gateway's name in a fleet (e.g. the load balancer's server name): /healthz and GET_PROPERTY "gateway" tell it. */
  readonly gatewayId: string | undefined;
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

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const DEFAULT_SYMBOLS: readonly SymbolRate[] = [
  { symbol: 'SOLUSDT', tradesPerSec: 10 },
  { symbol: 'BTCUSDT', tradesPerSec: 4 },
  { symbol: 'ETHUSDT', tradesPerSec: 3 },
  { symbol: 'BNBUSDT', tradesPerSec: 1 },
];

interface Source {
  get(flag: string): string | undefined;
}

/** Parse argv (without node and script) and env into a Config. Throws ConfigError. */
export function loadConfig(argv: readonly string[] = [], env: Readonly<Record<string, string | undefined>> = {}): Config {
  const flags = parseFlags(argv);
  const src: Source = {
    get: (flag) => flags.get(flag) ?? env[flag.toUpperCase().replace(/-/g, '_')],
  };
  const int = (flag: string, def: number, min: number, max: number) => integer(src, flag, def, min, max);
  const role = src.get('role') ?? 'single';
  if (role !== 'single' && role !== 'market' && role !== 'gateway') {
    throw new ConfigError(`--role (ROLE) must be market or gateway (or left out for a single process), got ${JSON.stringify(role)}`);
  }
  const redisUrl = src.get('redis') ?? src.get('redis-url') ?? 'redis://127.0.0.1:6379';
  if (!/^rediss?:\/\/\S+$/.test(redisUrl)) throw new ConfigError(`--redis (REDIS_URL) must look like redis://host:port, got ${JSON.stringify(redisUrl)}`);
  const admin = src.get('admin-port');
  const gatewayId = src.get('gateway-id') || undefined;
  if (gatewayId !== undefined && !/^[A-Za-z0-9._:-]{1,64}$/.test(gatewayId)) {
    throw new ConfigError(`--gateway-id (GATEWAY_ID) must be 1-64 letters, digits or . _ : -, got ${JSON.stringify(gatewayId)}`);
  }
  return {
    host: src.get('host') ?? '127.0.0.1',
    port: int('port', 8080, 0, 65535),
    role,
    redisUrl,
    adminPort: admin === undefined || admin === '' ? undefined : int('admin-port', 0, 0, 65535),
    gatewayId,
    seed: int('seed', 42, 0, 2 ** 32 - 1),
    symbols: symbols(src.get('symbols')),
    ws: {
      maxMessagesPerSec: int('ws-max-messages-per-sec', 5, 1, 1_000_000),
      maxStreams: int('ws-max-streams', 1024, 1, 1_000_000),
      connAttemptsPerIp: int('ws-conn-attempts-per-ip', 300, 1, 100_000_000),
      connAttemptWindowMs: int('ws-conn-attempt-window-ms', 300_000, 1, 86_400_000),
      pingIntervalMs: int('ws-ping-interval-ms', 20_000, 100, 3_600_000),
      pongTimeoutMs: int('ws-pong-timeout-ms', 60_000, 100, 3_600_000),
      maxLifetimeMs: int('ws-max-lifetime-ms', 86_400_000, 1000, 7 * 86_400_000),
      maxBackpressureBytes: int('ws-max-backpressure-bytes', 4 * 1024 * 1024, 1024, 1024 ** 3),
      maxPayloadBytes: int('ws-max-payload-bytes', 64 * 1024, 256, 16 * 1024 * 1024),
    },
    rest: {
      weightPerMinute: int('rest-weight-per-minute', 6000, 1, 1_000_000_000),
    },
  };
}

function parseFlags(argv: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(arg);
    if (!m) throw new ConfigError(`unexpected argument ${JSON.stringify(arg)}: flags look like --port 8080 or --port=8080`);
    const name = m[1]!;
    let value = m[2];
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new ConfigError(`flag --${name} needs a value`);
      i++;
    }
    out.set(name, value);
  }
  return out;
}

function integer(src: Source, flag: string, def: number, min: number, max: number): number {
  const raw = src.get(flag);
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(`--${flag} (${flag.toUpperCase().replace(/-/g, '_')}) must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
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
