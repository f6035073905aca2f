// Command-line entry: read the command (help, version or a config), start the feed server, stop
// cleanly on SIGINT/SIGTERM. Expected failures print one line and exit with a code from cli.ts.
import { ConfigError, FLAGS, readCommand } from './config.ts';
import { UwsLoadError } from './uws.ts';
import { ListenError } from './listen.ts';
import { EXIT, helpText, versionText } from './cli.ts';
import { startServer } from './app.ts';
import { installFatalHandlers } from './fatal.ts';

async function main(): Promise<void> {
  const command = readCommand(process.argv.slice(2), process.env);
  if (command.action === 'help') return void process.stdout.write(helpText(FLAGS));
  if (command.action === 'version') return void process.stdout.write(versionText());
  const { config } = command;
  const fleet = config.role === 'single' ? undefined : { role: config.role, redisUrl: config.redisUrl, snapshotEveryMs: config.snapshotEveryMs };
  const server = await startServer(config, { fleet, adminPort: config.adminPort });
  // From here on the process serves: how it ends is logged. (A failed start says its one line below.)
  installFatalHandlers();
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  // Before the first line that says it listens: whoever reads that line may signal at once.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`tickwire: ${signal} received, closing connections`);
    server.close().then(
      () => process.exit(EXIT.ok),
      (err: unknown) => {
        console.error('tickwire: error while shutting down', err);
        process.exit(EXIT.failed);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const symbols = `symbols ${config.symbols.map((s) => s.symbol).join(', ')}`;
  const port = config.reusePort ? 'port shared (--reuse-port)' : 'port exclusive';
  const redis = config.redisUrl.replace(/\/\/[^@/]*@/, '//***@');
  if (server.role === 'market') {
    console.log(`tickwire market listening on http://${shown}:${server.port} (/healthz, /metrics) · writing to Redis at ${redis} · ${symbols} · seed ${config.seed} · ${port}`);
  } else {
    console.log(
      `tickwire${server.role === 'gateway' ? ' gateway' : ''} listening on http://${shown}:${server.port} (dashboard at /, streams at ws://${shown}:${server.port}/ws and /stream) ` +
        `${server.role === 'gateway' ? `· market from Redis at ${redis} ` : `· ${symbols} · seed ${config.seed} `}· ${port} · uWS native ${server.uwsBinary}`,
    );
  }
  if (server.adminPort !== undefined) console.log(`tickwire ${server.role}: admin on http://${shown}:${server.adminPort} (/healthz, /metrics of this process)`);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof UwsLoadError) {
    console.error(`tickwire: ${err.message}`);
    process.exit(EXIT.config);
  }
  if (err instanceof ListenError) {
    console.error(`tickwire: ${err.message}`);
    process.exit(EXIT.listen);
  }
  console.error('tickwire: failed to start', err);
  process.exit(EXIT.failed);
});
