// `npm run fleet`'s flags: its own table (server/flags.ts kinds, env twins by the same rule), plus
// the server's flags, which pass through to every process of the fleet after being checked here.
// The same table prints --help and README's fleet block (`npm run docs:config`).
import { availableParallelism } from 'node:os';
import { flagHelpLines, flagTableMarkdown } from '../cli.ts';
import { FLAGS as SERVER_FLAGS } from '../config.ts';
import { ConfigError, integer, readFlags, text, toggle, type Env, type FlagTable } from '../flags.ts';
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
  /** The server's flags as given on the command line, passed to every process unchanged. */
  readonly serverArgs: readonly string[];
}

export type LaunchCommand = { readonly action: 'help' } | { readonly action: 'start'; readonly options: LaunchOptions };

export const LAUNCH_FLAGS = {
  gateways: { ...integer(availableParallelism(), 1, 256, 'gateway processes'), shown: 'number of cores' },
  port: integer(8080, 0, 65535, 'public HTTP + WebSocket port, shared by every gateway (SO_REUSEPORT: the kernel spreads new connections over them); 0 picks a free one'),
  host: text('127.0.0.1', 'host name or IP address', 'address the gateways listen on (0.0.0.0 for every interface); the market listens on 127.0.0.1'),
  redis: {
    ...SERVER_FLAGS.redis,
    meaning: 'the Redis the fleet runs on; when nothing answers there and redis-server is installed, a private memory-only one is started on a free port and stopped with the fleet',
  },
  'market-port': integer(0, 0, 65535, "the market's own port on 127.0.0.1, for its /healthz and /metrics (0 picks a free one)"),
  proxy: toggle('haproxy on the public port, each gateway on its own address (127.0.0.2, .3, …) behind it (docs/fleet.md)'),
  tls: toggle('haproxy terminates TLS (https://, wss://); implies --proxy'),
  'tls-cert': text('', 'path of a PEM file', 'with --tls: the certificate chain and key in one PEM (default: a local CA and certificate made in .tickwire/tls/)'),
} satisfies FlagTable;

/** Server flags the fleet sets for each process itself (given to the launcher, they are refused). */
const SET_PER_PROCESS = ['role', 'reuse-port', 'admin-port', 'gateway-id'];

/** The server's flags that pass through: all but the launcher's own and those set per process. */
const PASSED: FlagTable = Object.fromEntries(
  Object.entries(SERVER_FLAGS).filter(([name]) => !Object.hasOwn(LAUNCH_FLAGS, name) && !SET_PER_PROCESS.includes(name)),
);

/**
 * Read the launcher's command line: --help/-h wins over anything else; otherwise every flag, the
 * launcher's and the server's, is checked before anything starts. Throws ConfigError naming the
 * flag (an unknown one with the nearest known name).
 */
export function readLaunchCommand(argv: readonly string[], env: Env): LaunchCommand {
  if (argv.includes('--help') || argv.includes('-h')) return { action: 'help' };
  const perProcess = argv.filter((a) => SET_PER_PROCESS.some((n) => a === `--${n}` || a.startsWith(`--${n}=`)));
  if (perProcess.length > 0) throw new ConfigError(`${perProcess.join(', ')}: the fleet sets each process's role and ports itself`);
  const values = readFlags({ ...LAUNCH_FLAGS, ...PASSED }, argv, env);
  try {
    redisAddress(values.redis);
  } catch (err) {
    throw new ConfigError(`--redis (REDIS_URL): ${(err as Error).message}`);
  }
  const tlsCert = values['tls-cert'] || undefined;
  if (tlsCert && !values.tls) throw new ConfigError('--tls-cert (TLS_CERT) needs --tls');
  return {
    action: 'start',
    options: {
      proxy: values.tls || values.proxy,
      tls: values.tls,
      tlsCert,
      gateways: values.gateways,
      port: values.port,
      host: values.host,
      redis: values.redis,
      marketPort: values['market-port'],
      serverArgs: serverArgsOf(argv),
    },
  };
}

/** The server flags of argv, as given (`--seed 7`, `--seed=7`, a bare switch), in order. argv is already checked. */
function serverArgsOf(argv: readonly string[]): string[] {
  const own: FlagTable = LAUNCH_FLAGS;
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z][a-z0-9-]*)(=.*)?$/.exec(argv[i]!);
    if (!m) continue;
    const flag = PASSED[m[1]!] ?? own[m[1]!];
    const width = m[2] !== undefined || flag?.isSwitch ? 1 : 2;
    if (Object.hasOwn(PASSED, m[1]!)) out.push(...argv.slice(i, i + width));
    i += width - 1;
  }
  return out;
}

/** `npm run fleet -- --help`. */
export function launchHelp(): string {
  return [
    'Usage: npm run fleet -- [flags]      (or: node --import tsx server/fleet/launch.ts [flags])',
    '',
    'One market process and N gateway processes over Redis, on this machine (docs/fleet.md). Every flag has',
    'an environment twin in upper case (--market-port ↔ MARKET_PORT, --redis ↔ REDIS_URL); a flag wins over the',
    'environment, the environment over the default.',
    '',
    'Flags of the fleet:',
    ...flagHelpLines(LAUNCH_FLAGS),
    '  --help, -h    print this help and exit',
    '',
    `Any other flag is the server's (${Object.keys(PASSED).slice(0, 3).map((n) => `--${n}`).join(', ')}, …; npm start -- --help lists them) and goes`,
    'to every process. Ctrl-C (or SIGTERM) stops the gateways (clients get serverShutdown and close 1001), then the',
    'market, then the private redis-server if one was started. A process that dies is restarted, at most 5 times a',
    'minute; past that, or when one exits 2 (configuration) or 3 (cannot listen), the whole fleet stops and exits',
    'non-zero. Exit codes: 0 stopped on request; 1 start-up failed or a process kept dying; 2 bad flag; 3 cannot listen.',
    'SIGHUP (kill -HUP <launcher pid>) restarts the gateways one at a time (with --proxy: drained, no client loses a trade).',
    '',
  ].join('\n');
}

export const FLEET_README_BEGIN = '<!-- fleet-config:begin (generated from server/fleet/launch-flags.ts by `npm run docs:config`; do not edit by hand) -->';
export const FLEET_README_END = '<!-- fleet-config:end -->';

/** README's `npm run fleet` flag table, as Markdown. */
export function fleetConfigMarkdown(): string {
  return flagTableMarkdown(LAUNCH_FLAGS).join('\n') + '\n';
}
