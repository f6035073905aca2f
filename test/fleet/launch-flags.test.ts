// `npm run fleet`'s flags: its own from the table, the server's passed through after the server checked them.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { launchHelp, parseLaunchFlags } from '../../server/fleet/launch-flags.ts';
import { describeHealth, renderTable } from '../../server/fleet/process-table.ts';

describe('npm run fleet flags', () => {
  it('defaults to one gateway per core on port 8080 over the Redis at 127.0.0.1:6379', () => {
    expect(parseLaunchFlags([], {})).toEqual({
      gateways: availableParallelism(), port: 8080, host: '127.0.0.1', redis: 'redis://127.0.0.1:6379', marketPort: 0, proxy: false, tls: false, tlsCert: undefined, serverArgs: [], help: false,
    });
  });

  it('reads its own flags and env twins, flags winning, and passes the server flags through in order', () => {
    const opts = parseLaunchFlags(
      ['--gateways', '3', '--symbols', 'SOLUSDT:5', '--port=9000', '--seed=7', '--ws-max-streams', '10'],
      { REDIS_URL: 'redis://10.0.0.5:6380', PORT: '1234', GATEWAYS: '9' },
    );
    expect(opts).toMatchObject({ gateways: 3, port: 9000, redis: 'redis://10.0.0.5:6380' });
    expect(opts.serverArgs).toEqual(['--symbols', 'SOLUSDT:5', '--seed=7', '--ws-max-streams', '10']);
  });

  it.each([
    [['--gateways', '0'], '--gateways (GATEWAYS) must be an integer from 1 to 256, got "0"'],
    [['--redis', 'http://x:1'], '--redis (REDIS_URL): "http://x:1" is not a Redis URL: the scheme must be redis:// (no TLS here)'],
    [['--port'], 'flag --port needs a value'],
    [['--role', 'market'], '--role: the fleet sets each process\'s role, Redis and ports itself'],
    [['--symbols', 'solusdt'], '--symbols (SYMBOLS): "solusdt" is not SYMBOL[:tradesPerSec]'],
    [['gateways'], 'unexpected argument "gateways"'],
  ])('refuses %j before starting anything, naming the flag', (argv, message) => {
    expect(() => parseLaunchFlags(argv, {})).toThrow(message);
  });

  it('lists every flag of its table with env twin and default in --help', () => {
    expect(parseLaunchFlags(['--help'], {}).help).toBe(true);
    const help = launchHelp();
    for (const flag of ['--gateways', '--port', '--host', '--redis', '--market-port']) expect(help).toContain(flag);
    expect(help).toContain('REDIS_URL');
    expect(help).toContain('[redis://127.0.0.1:6379]');
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
