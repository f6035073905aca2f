// Command-line entry: read the config, start the feed server, stop cleanly on SIGINT/SIGTERM.
import { ConfigError, loadConfig } from './config.ts';
import { UwsFallbackError } from './uws.ts';
import { startServer } from './app.ts';

/** The bare switch --reuse-port (REUSE_PORT), which this parser cannot read yet; uWS shares ports by default until the flag table owns it. */
const withoutReusePort = (argv: readonly string[]): string[] => argv.filter((a) => !/^--reuse-port(=.*)?$/.test(a));

async function main(): Promise<void> {
  const config = loadConfig(withoutReusePort(process.argv.slice(2)), process.env);
  const fleet = config.role === 'single' ? undefined : { role: config.role, redisUrl: config.redisUrl, snapshotEveryMs: config.snapshotEveryMs };
  const server = await startServer(config, { fleet, adminPort: config.adminPort });
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const symbols = `symbols ${config.symbols.map((s) => s.symbol).join(', ')}`;
  if (server.role === 'market') {
    console.log(`tickwire market listening on http://${shown}:${server.port} (/healthz, /metrics) · writing to Redis at ${config.redisUrl.replace(/\/\/[^@/]*@/, '//***@')} · ${symbols} · seed ${config.seed}`);
  } else {
    console.log(
      `tickwire${server.role === 'gateway' ? ' gateway' : ''} listening on http://${shown}:${server.port} (dashboard at /, streams at ws://${shown}:${server.port}/ws and /stream) ` +
        `${server.role === 'gateway' ? `· market from Redis at ${config.redisUrl.replace(/\/\/[^@/]*@/, '//***@')} ` : ''}· ${symbols} · seed ${config.seed} · uWS native ${server.uwsBinary}`,
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
