// Command-line entry: read the config, start the feed server, stop cleanly on SIGINT/SIGTERM.
import { ConfigError, loadConfig } from './config.ts';
import { UwsLoadError } from './uws.ts';
import { startServer } from './app.ts';

async function main(): Promise<void> {
  const config = loadConfig(process.argv.slice(2), process.env);
  const server = await startServer(config);
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  console.log(
    `tickwire listening on http://${shown}:${server.port} (dashboard at /, streams at ws://${shown}:${server.port}/ws and /stream) ` +
      `· symbols ${config.symbols.map((s) => s.symbol).join(', ')} · seed ${config.seed} · uWS native ${server.uwsBinary}`,
  );
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
  if (err instanceof ConfigError || err instanceof UwsLoadError) {
    console.error(`tickwire: ${err.message}`);
    process.exit(2);
  }
  console.error('tickwire: failed to start', err);
  process.exit(1);
});
