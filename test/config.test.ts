// Configuration: flags beat environment beat defaults; bad values stop start-up with an exact message.
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_SYMBOLS, loadConfig, readCommand } from '../server/config.ts';
import { editDistance, nearest } from '../server/flags.ts';

describe('loadConfig', () => {
  it('gives the documented defaults when nothing is set', () => {
    const c = loadConfig([], {});
    expect(c.port).toBe(8080);
    expect(c.host).toBe('127.0.0.1');
    expect(c.symbols).toEqual(DEFAULT_SYMBOLS);
    expect(c.symbols[0]!.symbol).toBe('SOLUSDT');
    expect(c.ws).toMatchObject({ maxMessagesPerSec: 5, maxStreams: 1024, connAttemptsPerIp: 300, connAttemptWindowMs: 300_000, pingIntervalMs: 20_000, pongTimeoutMs: 60_000, maxLifetimeMs: 86_400_000 });
    expect(c.rest.weightPerMinute).toBe(6000);
    expect(c.reusePort).toBe(false);
  });

  it('turns --reuse-port on alone or with true/1, from the flag or REUSE_PORT, without eating the next flag', () => {
    expect(loadConfig(['--reuse-port', '--port', '9000'], {})).toMatchObject({ reusePort: true, port: 9000 });
    expect(loadConfig(['--reuse-port=false'], { REUSE_PORT: '1' }).reusePort).toBe(false);
    expect(loadConfig([], { REUSE_PORT: 'true' }).reusePort).toBe(true);
    expect(loadConfig([], { REUSE_PORT: '0' }).reusePort).toBe(false);
    expect(() => loadConfig([], { REUSE_PORT: 'yes please' })).toThrow(
      new ConfigError('--reuse-port (REUSE_PORT) is a switch: give it alone, or true/false (1/0), got "yes please"'),
    );
  });

  it('ignores environment variables that are not a flag\'s twin', () => {
    expect(loadConfig([], { PROT: '9000', PATH: '/bin', TICKWIRE_COLOUR: 'blue' }).port).toBe(8080);
  });

  it('reads --help, -h and --version as commands that win over every other argument', () => {
    expect(readCommand(['--help'], {})).toEqual({ action: 'help' });
    expect(readCommand(['--prot', '1', '-h'], {})).toEqual({ action: 'help' });
    expect(readCommand(['--port', '1', '--version'], {})).toEqual({ action: 'version' });
    expect(readCommand(['--port', '1'], {})).toMatchObject({ action: 'start', config: { port: 1 } });
  });

  it('reads PORT and HOST from the environment and lets flags win', () => {
    expect(loadConfig([], { PORT: '9000', HOST: '0.0.0.0' })).toMatchObject({ port: 9000, host: '0.0.0.0' });
    expect(loadConfig(['--port', '9001'], { PORT: '9000' }).port).toBe(9001);
    expect(loadConfig(['--port=9002'], { PORT: '9000' }).port).toBe(9002);
  });

  it('maps every dashed flag to an upper-case environment twin', () => {
    expect(loadConfig([], { WS_MAX_STREAMS: '10', REST_WEIGHT_PER_MINUTE: '50' })).toMatchObject({ ws: { maxStreams: 10 }, rest: { weightPerMinute: 50 } });
  });

  it('parses symbols with optional rates, keeping their order', () => {
    expect(loadConfig(['--symbols', 'BTCUSDT:1000, SOLUSDT'], {}).symbols).toEqual([
      { symbol: 'BTCUSDT', tradesPerSec: 1000 },
      { symbol: 'SOLUSDT', tradesPerSec: 2 },
    ]);
  });

  it.each([
    [['--port', '70000'], '--port (PORT) must be an integer from 0 to 65535, got "70000"'],
    [['--port', 'abc'], '--port (PORT) must be an integer from 0 to 65535, got "abc"'],
    [['--ws-max-streams', '-1'], '--ws-max-streams (WS_MAX_STREAMS) must be an integer from 1 to 1000000, got "-1"'],
    [['--symbols', 'solusdt'], '--symbols (SYMBOLS): "solusdt" is not SYMBOL[:tradesPerSec] with an uppercase symbol quoted in USDT, e.g. SOLUSDT:10'],
    [['--symbols', 'SOLUSDT:0'], '--symbols (SYMBOLS): the rate of SOLUSDT must be above 0 and at most 100000 trades/s, got 0'],
    [['--symbols', 'SOLUSDT,SOLUSDT'], '--symbols (SYMBOLS): SOLUSDT is listed twice'],
    [['--port'], 'flag --port needs a value'],
    [['8080'], 'unexpected argument "8080": flags look like --port 8080 or --port=8080'],
    [['--prot', '9000'], 'unknown flag --prot; did you mean --port?'],
    [['--seeds=1'], 'unknown flag --seeds; did you mean --seed?'],
    [['--reuseport'], 'unknown flag --reuseport; did you mean --reuse-port?'],
    [['--ws-max-payload', '1'], 'unknown flag --ws-max-payload; did you mean --ws-max-payload-bytes?'],
    [['--colour', 'blue'], 'unknown flag --colour; --help lists the flags'],
  ])('refuses %j with an exact message', (argv, message) => {
    expect(() => loadConfig(argv, {})).toThrow(new ConfigError(message));
  });
});

describe('nearest flag', () => {
  it('measures edit distance as insertions, deletions and substitutions', () => {
    expect(editDistance('prot', 'port')).toBe(2);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('suggests the closest name only when it is close enough to be a typo', () => {
    expect(nearest('hots', ['host', 'port'])).toBe('host');
    expect(nearest('zzzzzz', ['host', 'port'])).toBeUndefined();
    expect(nearest('ws-max-life', ['ws-max-lifetime-ms', 'ws-max-streams'])).toBe('ws-max-lifetime-ms');
    expect(nearest('ws-m', ['ws-max-lifetime-ms', 'ws-max-streams'])).toBeUndefined();
  });
});
