// `npm run fleet`: one market and N gateways over Redis on this machine, until Ctrl-C or SIGTERM.
import { ConfigError } from '../config.ts';
import { startFleet } from './fleet.ts';
import { launchHelp, readLaunchCommand, type LaunchOptions } from './launch-flags.ts';

function main(): void {
  let opts: LaunchOptions;
  try {
    const command = readLaunchCommand(process.argv.slice(2), process.env);
    if (command.action === 'help') return void process.stdout.write(launchHelp());
    opts = command.options;
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`tickwire fleet: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  console.log(`tickwire fleet (pid ${process.pid}): 1 market, ${opts.gateways} gateway${opts.gateways === 1 ? '' : 's'}, Redis ${opts.redis.replace(/\/\/[^@/]*@/, '//***@')}`);
  const fleet = startFleet(opts, (line) => console.log(line));
  fleet.ready.catch(() => {}); // reported by the fleet itself; `done` carries the exit code

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      void fleet.stop(`${signal} received`);
    } else {
      console.log(`tickwire fleet: ${signal} again: killing every process now`);
      fleet.killAll();
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // SIGHUP: a rolling restart of the gateways (docs/fleet.md#rolling-restart).
  process.on('SIGHUP', () => {
    console.log('tickwire fleet: SIGHUP received: restarting the gateways one at a time');
    fleet.rollingRestart().catch((err: Error) => console.log(`tickwire fleet: rolling restart failed: ${err.message}`));
  });
  // The processes run in their own process groups (so Ctrl-C reaches only this launcher, which stops
  // them in order); if this launcher ends any other way, take them down with it.
  process.on('exit', () => fleet.killAll());
  void fleet.done.then((code) => process.exit(code));
}

main();
