// The event stream every peer arm broadcasts: the same trades, as the same wire payloads, as the
// tickwire server sends on `<sym>@trade?timeUnit=MICROSECOND`.
//
// It runs the server's market simulator (same seed, same clock), stepped by the server's own
// runner as server/app.ts does, and serializes each trade once with the server's encoder.
// Also what every peer shares at start-up: its flags, listening, and the ready line the runner reads.
import { createMemoryBus } from '../../server/bus/bus-memory.ts';
import { channelFor } from '../../server/bus/bus.ts';
import { createSystemClock } from '../../server/market/clock.ts';
import { startMarket } from '../../server/feed/runner.ts';
import { createSimulator } from '../../server/market/simulator.ts';
import { eventTimeUs } from '../../server/market/types.ts';
import { encodeTrade } from '../../server/wire/encode.ts';
import type { Server } from 'node:http';

export interface FeedOptions {
  readonly symbol: string;
  /** Mean taker orders per second. */
  readonly rate: number;
  readonly seed: number;
}

export interface TradeFeed {
  /** Called once per trade with its payload, already serialized (µs event times). */
  onTrade(handler: (payload: string) => void): void;
  /**
   * `[{"id":…,"time":…}]`: the newest trade, in the shape of GET /api/v3/trades?limit=1, so the
   * runner counts trades published in a window the same way on every arm ("[]" before the first).
   */
  newestTrade(): string;
  stop(): void;
}

export async function createFeed(opts: FeedOptions): Promise<TradeFeed> {
  const clock = createSystemClock();
  const bus = createMemoryBus();
  const simulator = createSimulator({ seed: opts.seed, clock, symbols: [{ symbol: opts.symbol, tradesPerSec: opts.rate }] });
  const handlers: ((payload: string) => void)[] = [];
  let newest = '[]';
  bus.subscribe(channelFor(opts.symbol), (events) => {
    for (const ev of events) {
      if (ev.type !== 'trade') continue;
      newest = `[{"id":${ev.trade.id},"time":${ev.trade.timeUs}}]`;
      const payload = encodeTrade(ev.trade, eventTimeUs(ev), 'us');
      for (const h of handlers) h(payload);
    }
  });
  const market = startMarket({ simulator, bus, clock });
  return {
    onTrade: (h) => void handlers.push(h),
    newestTrade: () => newest,
    stop: () => market.stop(),
  };
}

export function peerFlags(argv: readonly string[]): { host: string; port: number; rate: number; seed: number; symbol: string; extra: Map<string, string> } {
  const m = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i];
    const v = argv[i + 1];
    if (!k?.startsWith('--') || v === undefined) throw new Error(`peer: expected --flag value pairs, got ${JSON.stringify(argv.slice(i))}`);
    m.set(k.slice(2), v);
  }
  const num = (k: string, d: number) => {
    const v = m.get(k);
    const n = v === undefined ? d : Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`peer: --${k} must be a non-negative number, got ${JSON.stringify(v)}`);
    return n;
  };
  return {
    host: m.get('host') ?? '127.0.0.1',
    port: num('port', 0),
    rate: num('rate', 100),
    seed: num('seed', 1),
    symbol: (m.get('symbol') ?? 'SOLUSDT').toUpperCase(),
    extra: m,
  };
}

/** The line the runner waits for before it connects (bench/step.ts reads the port from it). */
export const readyLine = (name: string, host: string, port: number): string => `${name} listening on http://${host}:${port}`;

/** Listen with a Node HTTP server on the flags' host and port, then print the ready line. */
export function listenHttp(server: Server, flags: { readonly host: string; readonly port: number }, name: string): void {
  server.listen(flags.port, flags.host, () => {
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : flags.port;
    console.log(readyLine(name, flags.host, port));
  });
}
