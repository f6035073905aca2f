// Command-line entry: read the config, start the feed server, stop cleanly on SIGINT/SIGTERM.
import { ConfigError, loadConfig } from './config.ts';
import { UwsFallbackError } from './uws.ts';
import { startServer, type FleetOptions } from './app.ts';

/**
 * The fleet's flags, taken out of argv before the config reads the rest: --role market|gateway,
 * --redis URL (REDIS_URL, default redis://127.0.0.1:6379), --admin-port P (ADMIN_PORT) and the
 * bare switch --reuse-port (REUSE_PORT; uWS shares ports by default until the config owns this).
 */
function fleetFlags(argv: readonly string[], env: NodeJS.ProcessEnv): { rest: string[]; fleet?: FleetOptions; adminPort?: number } {
  const rest: string[] = [];
  const got = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const m = /^--(role|redis|admin-port|reuse-port)(?:=(.*))?$/.exec(argv[i]!);
    if (!m) {
      rest.push(argv[i]!);
      continue;
    }
    if (m[1] === 'reuse-port') {
      got.set('reuse-port', m[2] ?? 'true');
      continue;
    }
    const value = m[2] ?? argv[++i];
    if (value === undefined || value.startsWith('--')) throw new ConfigError(`flag --${m[1]} needs a value`);
    got.set(m[1]!, value);
  }
  const role = got.get('role') ?? env.ROLE ?? 'single';
  if (role !== 'single' && role !== 'market' && role !== 'gateway') {
    throw new ConfigError(`--role (ROLE) must be market or gateway (or left out for a single process), got ${JSON.stringify(role)}`);
  }
  const redisUrl = got.get('redis') ?? env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (!/^rediss?:\/\/[^\s]+$/.test(redisUrl)) throw new ConfigError(`--redis (REDIS_URL) must look like redis://host:port, got ${JSON.stringify(redisUrl)}`);
  const adminRaw = got.get('admin-port') ?? env.ADMIN_PORT;
  const adminPort = adminRaw === undefined || adminRaw === '' ? undefined : Number(adminRaw);
  if (adminPort !== undefined && !(Number.isInteger(adminPort) && adminPort >= 0 && adminPort <= 65535)) {
    throw new ConfigError(`--admin-port (ADMIN_PORT) must be an integer from 0 to 65535, got ${JSON.stringify(adminRaw)}`);
  }
  return { rest, ...(role === 'single' ? {} : { fleet: { role, redisUrl } }), ...(adminPort === undefined ? {} : { adminPort }) };
}

async function main(): Promise<void> {
  const flags = fleetFlags(process.argv.slice(2), process.env);
  const config = loadConfig(flags.rest, process.env);
  const server = await startServer(config, { fleet: flags.fleet, adminPort: flags.adminPort });
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const symbols = `symbols ${config.symbols.map((s) => s.symbol).join(', ')}`;
  if (server.role === 'market') {
    console.log(`tickwire market listening on http://${shown}:${server.port} (/healthz, /metrics) · writing to Redis at ${flags.fleet!.redisUrl.replace(/\/\/[^@/]*@/, '//***@')} · ${symbols} · seed ${config.seed}`);
  } else {
    console.log(
      `tickwire${server.role === 'gateway' ? ' gateway' : ''} listening on http://${shown}:${server.port} (dashboard at /, streams at ws://${shown}:${server.port}/ws and /stream) ` +
        `${server.role === 'gateway' ? `· market from Redis at ${flags.fleet!.redisUrl.replace(/\/\/[^@/]*@/, '//***@')} ` : ''}· ${symbols} · seed ${config.seed} · uWS native ${server.uwsBinary}`,
    );
  }
  if (server.adminPort !== undefined) console.log(`tickwire ${server.role}: admin on http://${shown}:${server.adminPort} (/healthz, /metrics of this process)`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`tickwire: ${signal} received, closing connections`);
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('tickwire: error while shutting down', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof UwsFallbackError) {
    console.error(`tickwire: ${err.message}`);
    process.exit(2);
  }
  console.error('tickwire: failed to start', err);
  process.exit(1);
});
