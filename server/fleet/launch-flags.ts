// `npm run fleet`'s own flags, as one table (name, env twin, default, meaning, check), and its --help.
// Flags not in the table are the server's (symbols, seed, ws limits…): they pass through to every
// process of the fleet after the server's own config has checked them.
import { availableParallelism } from 'node:os';
import { ConfigError, loadConfig } from '../config.ts';
import { redisAddress } from './redis-server.ts';

export interface LaunchOptions {
  /** Number of gateway processes. */
  readonly gateways: number;
  /** Public address: every gateway listens on host:port with SO_REUSEPORT. 0 picks a free port. */
  readonly host: string;
  readonly port: number;
  /** The Redis the fleet runs on; when nothing answers there, a private redis-server is started. */
  readonly redis: string;
  /** The market's own port for /healthz and /metrics (on 127.0.0.1); 0 picks a free one. */
  readonly marketPort: number;
  /** haproxy on the public port, the gateways behind it on 127.0.0.2, .3, … (server/edge). */
  readonly proxy: boolean;
  /** haproxy terminates TLS (implies proxy); with `tlsCert`, or a local CA made on first use. */
  readonly tls: boolean;
  readonly tlsCert: string | undefined;
  /** The server's flags, passed to every process unchanged. */
  readonly serverArgs: readonly string[];
  readonly help: boolean;
}

interface FlagSpec {
  readonly name: string;
  readonly env: string;
  readonly meaning: string;
  /** The default, as text (shown in --help). */
  readonly fallback: () => string;
  /** Check the raw text; return the value or throw ConfigError. */
  readonly read: (raw: string, flag: string) => string | number;
}

const integer = (min: number, max: number) => (raw: string, flag: string) => {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(`${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
};

export const LAUNCH_FLAGS: readonly FlagSpec[] = [
  { name: 'gateways', env: 'GATEWAYS', meaning: 'gateway processes (default: the number of cores)', fallback: () => String(availableParallelism()), read: integer(1, 256) },
  { name: 'port', env: 'PORT', meaning: 'public HTTP + WebSocket port, shared by the gateways (SO_REUSEPORT); 0 picks a free one', fallback: () => '8080', read: integer(0, 65535) },
  { name: 'host', env: 'HOST', meaning: 'public address the gateways listen on (0.0.0.0 for every interface)', fallback: () => '127.0.0.1', read: (raw) => raw },
  {
    name: 'redis', env: 'REDIS_URL', meaning: 'Redis URL; when nothing answers there and redis-server is installed, a private one is started', fallback: () => 'redis://127.0.0.1:6379',
    read: (raw, flag) => {
      try {
        redisAddress(raw);
      } catch (err) {
        throw new ConfigError(`${flag}: ${(err as Error).message}`);
      }
      return raw;
    },
  },
  { name: 'tls-cert', env: 'TLS_CERT', meaning: 'with --tls: a PEM with the certificate chain and key (default: a local CA and certificate in .tickwire/tls/)', fallback: () => '', read: (raw) => raw },
  { name: 'market-port', env: 'MARKET_PORT', meaning: "the market's /healthz and /metrics port on 127.0.0.1; 0 picks a free one", fallback: () => '0', read: integer(0, 65535) },
];

/** Parse the launcher's argv and env. Throws ConfigError naming the flag and what it expects. */
export function parseLaunchFlags(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): LaunchOptions {
  const own = new Map<string, string>();
  const serverArgs: string[] = [];
  let help = false;
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    const sw = /^--(proxy|tls)(?:=(true|false|1|0))?$/.exec(arg);
    if (sw) {
      if (sw[2] === undefined || sw[2] === 'true' || sw[2] === '1') switches.add(sw[1]!);
      continue;
    }
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(arg);
    if (!m) throw new ConfigError(`unexpected argument ${JSON.stringify(arg)}: flags look like --gateways 2 or --gateways=2`);
    const spec = LAUNCH_FLAGS.find((f) => f.name === m[1]);
    if (!spec) {
      // The server's flag: keep it, with its value when it has one.
      serverArgs.push(arg);
      if (m[2] === undefined && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) serverArgs.push(argv[++i]!);
      continue;
    }
    let value = m[2];
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new ConfigError(`flag --${spec.name} needs a value`);
      i++;
    }
    own.set(spec.name, value);
  }
  const value = (name: string) => {
    const spec = LAUNCH_FLAGS.find((f) => f.name === name)!;
    const raw = own.get(name) ?? (env[spec.env] || undefined);
    return spec.read(raw ?? spec.fallback(), `--${spec.name} (${spec.env})`);
  };
  const roleFlags = serverArgs.filter((a) => /^--(role|redis|reuse-port|admin-port)(=|$)/.test(a));
  if (roleFlags.length > 0) throw new ConfigError(`${roleFlags.join(', ')}: the fleet sets each process's role, Redis and ports itself`);
  // The server checks its own flags now, so a bad one stops the launch before any process starts.
  loadConfig(serverArgs, {});
  const on = (name: string, envName: string) => switches.has(name) || /^(1|true)$/i.test(env[envName] ?? '');
  const tls = on('tls', 'TLS');
  const tlsCert = (value('tls-cert') as string) || undefined;
  if (tlsCert && !tls) throw new ConfigError('--tls-cert (TLS_CERT) needs --tls');
  return {
    proxy: tls || on('proxy', 'PROXY'),
    tls,
    tlsCert,
    gateways: value('gateways') as number,
    port: value('port') as number,
    host: value('host') as string,
    redis: value('redis') as string,
    marketPort: value('market-port') as number,
    serverArgs,
    help,
  };
}

/** The --help text: the launcher's flags from the table, then a pointer to the server's own. */
export function launchHelp(): string {
  const rows = LAUNCH_FLAGS.map((f) => `  --${f.name.padEnd(12)} ${f.env.padEnd(12)} ${f.meaning} [${f.fallback()}]`);
  return [
    'npm run fleet -- [flags]: one market process and N gateway processes over Redis, on one machine',
    '',
    '  flag           env          meaning [default]',
    ...rows,
    '',
    '  --proxy        PROXY        haproxy on the public port, each gateway on its own address (127.0.0.2, .3, …) behind it',
    '  --tls          TLS          haproxy terminates TLS (https://, wss://); implies --proxy',
    'SIGHUP (kill -HUP <launcher pid>) restarts the gateways one at a time (with --proxy: drained first, no client loses a trade).',
    '',
    "Any other flag is the server's (--symbols, --seed, --ws-…; see README.md) and goes to every process.",
    'Ctrl-C (or SIGTERM) stops the gateways (clients get serverShutdown and close 1001), then the market,',
    'then the private redis-server if one was started. A process that dies is restarted, at most 5 times',
    'a minute; past that, or when one exits 2 (configuration) or 3 (cannot listen), the whole fleet stops and exits non-zero.',
  ].join('\n');
}
