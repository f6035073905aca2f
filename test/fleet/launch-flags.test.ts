// `npm run fleet`'s flags: its own from the table, the server's passed through after the server checked them.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { spliceBlock } from '../../server/cli.ts';
import {
  FLEET_README_BEGIN, FLEET_README_END, LAUNCH_FLAGS, fleetConfigMarkdown, launchHelp, readLaunchCommand,
} from '../../server/fleet/launch-flags.ts';
import { describeHealth, renderTable } from '../../server/fleet/process-table.ts';

const start = (argv: string[], env: Record<string, string> = {}) => {
  const command = readLaunchCommand(argv, env);
  if (command.action !== 'start') throw new Error(`expected a start, got ${command.action}`);
  return command.options;
};

describe('npm run fleet flags', () => {
  it('defaults to one gateway per core on port 8080 over the Redis at 127.0.0.1:6379', () => {
    expect(start([])).toEqual({
      gateways: availableParallelism(), port: 8080, host: '127.0.0.1', redis: 'redis://127.0.0.1:6379', marketPort: 0, proxy: false, tls: false, tlsCert: undefined, serverArgs: [],
    });
  });

  it('reads its own flags and env twins, flags winning, and passes the server flags through as given', () => {
    const opts = start(
      ['--gateways', '3', '--symbols', 'SOLUSDT:5', '--port=9000', '--seed=7', '--ws-max-streams', '10', '--snapshot-every-ms', '5000'],
      { REDIS_URL: 'redis://10.0.0.5:6380', PORT: '1234', GATEWAYS: '9' },
    );
    expect(opts).toMatchObject({ gateways: 3, port: 9000, redis: 'redis://10.0.0.5:6380' });
    expect(opts.serverArgs).toEqual(['--symbols', 'SOLUSDT:5', '--seed=7', '--ws-max-streams', '10', '--snapshot-every-ms', '5000']);
  });

  it.each([
    [['--gateways', '0'], '--gateways (GATEWAYS) must be an integer from 1 to 256, got "0"'],
    [['--redis', 'http://x:1'], '--redis (REDIS_URL) must look like redis://host:port, got "http://x:1"'],
    [['--port'], 'flag --port needs a value'],
    [['--role', 'market'], '--role: the fleet sets each process\'s role and ports itself'],
    [['--reuse-port'], '--reuse-port: the fleet sets each process\'s role and ports itself'],
    [['--symbols', 'solusdt'], '--symbols (SYMBOLS): "solusdt" is not SYMBOL[:tradesPerSec]'],
    [['--gateway', '2'], 'unknown flag --gateway; did you mean --gateways?'],
    [['gateways'], 'unexpected argument "gateways"'],
  ])('refuses %j before starting anything, naming the flag', (argv, message) => {
    expect(() => readLaunchCommand(argv, {})).toThrow(message);
  });

  it('prints help for --help or -h, even beside a bad flag, listing every flag of its table with its env twin', () => {
    expect(readLaunchCommand(['--gateways', '0', '-h'], {})).toEqual({ action: 'help' });
    const help = launchHelp();
    for (const [name, flag] of Object.entries(LAUNCH_FLAGS)) expect(help).toContain(flag.isSwitch ? `--${name}` : `--${name} <value>`);
    expect(help).toContain('env REDIS_URL');
    expect(help).toContain('default redis://127.0.0.1:6379');
  });

  it('README.md holds exactly the fleet flag table generated from the launcher (npm run docs:config rewrites it)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(spliceBlock(readme, FLEET_README_BEGIN, FLEET_README_END, fleetConfigMarkdown())).toBe(readme);
    expect(readme).toContain('| `--gateways` | `GATEWAYS` | `number of cores` |');
  });
});

describe('the fleet process table', () => {
  it('aligns one row per process under role, pid, address, admin, ready and detail', () => {
    const text = renderTable([
      { role: 'redis', pid: 10, address: '127.0.0.1:6379', ready: true, detail: 'external' },
      { role: 'gateway 1', pid: 12345, address: '127.0.0.1:8080', admin: '127.0.0.1:41000', ready: false, detail: '/healthz 503, lag 12 events / 40 ms' },
    ]);
    expect(text.split('\n')).toEqual([
      'role       pid    address         admin (/healthz, /metrics)  ready  detail',
      '---------  -----  --------------  --------------------------  -----  -----------------------------------',
      'redis      10     127.0.0.1:6379  -                           yes    external',
      'gateway 1  12345  127.0.0.1:8080  127.0.0.1:41000             no     /healthz 503, lag 12 events / 40 ms',
    ]);
  });

  it('describes a /healthz answer with its lag when the body has one', () => {
    expect(describeHealth({ status: 503, body: { role: 'gateway', caughtUp: false, lagEvents: 12, lagMs: 40 } })).toBe('/healthz 503, lag 12 events / 40 ms');
    expect(describeHealth({ status: 200, body: { status: 'ok' } })).toBe('/healthz 200 ok');
    expect(describeHealth({ status: 0, body: undefined, error: 'ECONNREFUSED' })).toBe('no answer (ECONNREFUSED)');
  });
});
