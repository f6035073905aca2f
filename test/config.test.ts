// Configuration: flags beat environment beat defaults; bad values stop start-up with an exact message.
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_SYMBOLS, loadConfig } from '../server/config.ts';

describe('loadConfig', () => {
  it('gives the documented defaults when nothing is set', () => {
    const c = loadConfig([], {});
    expect(c.port).toBe(8080);
    expect(c.host).toBe('127.0.0.1');
    expect(c.symbols).toEqual(DEFAULT_SYMBOLS);
    expect(c.symbols[0]!.symbol).toBe('SOLUSDT');
    expect(c.ws).toMatchObject({ maxMessagesPerSec: 5, maxStreams: 1024, connAttemptsPerIp: 300, connAttemptWindowMs: 300_000, pingIntervalMs: 20_000, pongTimeoutMs: 60_000, maxLifetimeMs: 86_400_000 });
    expect(c.rest.weightPerMinute).toBe(6000);
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
  ])('refuses %j with an exact message', (argv, message) => {
    expect(() => loadConfig(argv, {})).toThrow(new ConfigError(message));
  });
});
