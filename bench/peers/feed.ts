// The event stream every peer arm broadcasts: the same trades, as the same wire payloads, as the
// tickwire server sends on `<sym>@trade?timeUnit=MICROSECOND`.
//
// It runs the server's market simulator (same seed, same clock; stepped by server/market/runner.ts
// when present, as server/app.ts does) and serializes each trade once with the server's encoder
// (server/wire/encode.ts). Without the simulator it falls back to a local generator with the same
// contract: Poisson taker orders at `rate` per second, each making one or more trades.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encodeTrade } from '../../server/wire/encode.ts';
import type { Trade } from '../../server/market/types.ts';

export interface FeedOptions {
  readonly symbol: string;
  /** Mean taker orders per second. */
  readonly rate: number;
  readonly seed: number;
}

export interface TradeFeed {
  /** Which generator runs: 'simulator' (the server's own) or 'local' (stand-in). */
  readonly source: 'simulator' | 'local';
  /** Called once per trade with its payload, already serialized (µs event times). */
  onTrade(handler: (payload: string) => void): void;
  /**
   * `[{"id":…,"time":…}]`: the newest trade, in the shape of GET /api/v3/trades?limit=1, so the
   * runner counts trades published in a window the same way on every arm ("[]" before the first).
   */
  newestTrade(): string;
  stop(): void;
}

const nowUs = (): number => Math.floor((performance.timeOrigin + performance.now()) * 1000);
const serverFile = (rel: string): string => fileURLToPath(new URL(`../../server/${rel}`, import.meta.url));

export async function createFeed(opts: FeedOptions): Promise<TradeFeed> {
  if (existsSync(serverFile('market/simulator.ts'))) return simulatorFeed(opts);
  return localFeed(opts);
}

interface MarketHandle {
  stop(): void;
}

async function simulatorFeed(opts: FeedOptions): Promise<TradeFeed> {
  const { createSimulator } = (await import(serverFile('market/simulator.ts'))) as typeof import('../../server/market/simulator.ts');
  const { createSystemClock } = await import('../../server/market/clock.ts');
  const { createMemoryBus } = await import('../../server/bus/bus-memory.ts');
  const { channelFor } = await import('../../server/bus/bus.ts');
  const clock = createSystemClock();
  const bus = createMemoryBus();
  const simulator = createSimulator({ seed: opts.seed, clock, symbols: [{ symbol: opts.symbol, tradesPerSec: opts.rate }] });
  const handlers: ((payload: string) => void)[] = [];
  let newest = '[]';
  bus.subscribe(channelFor(opts.symbol), (events) => {
    for (const ev of events) {
      if (ev.type !== 'trade') continue;
      newest = `[{"id":${ev.trade.id},"time":${ev.trade.timeUs}}]`;
      const payload = encodeTrade(ev.trade, ev.timeUs, 'us');
      for (const h of handlers) h(payload);
    }
  });
  let market: MarketHandle;
  if (existsSync(serverFile('market/runner.ts'))) {
    // The server's own stepping loop, so that the peers' events come at the server's cadence.
    const runner = (await import(serverFile('market/runner.ts'))) as { startMarket(o: object): MarketHandle };
    market = runner.startMarket({ simulator, bus, clock });
  } else {
    market = stepLoop(() => simulator.nextEventUs(), (now) => simulator.advanceTo(now, (sym, batch) => bus.publish(channelFor(sym), batch)));
  }
  return {
    source: 'simulator',
    onTrade: (h) => void handlers.push(h),
    newestTrade: () => newest,
    stop: () => market.stop(),
  };
}

/** Stand-in for server/market/runner.ts: wake when the next event is due (at least every 1 ms … 50 ms). */
function stepLoop(nextUs: () => number, advance: (nowUs: number) => void): MarketHandle {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    advance(nowUs());
    const wait = Math.min(50, Math.max(0, (nextUs() - nowUs()) / 1000));
    timer = setTimeout(tick, wait);
  };
  tick();
  return { stop: () => { stopped = true; clearTimeout(timer); } };
}

/** Deterministic PRNG (mulberry32): the same seed gives the same stream of floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function localFeed(opts: FeedOptions): TradeFeed {
  const rnd = mulberry32(opts.seed);
  const handlers: ((payload: string) => void)[] = [];
  let id = 0;
  let newest = '[]';
  let price = 142.35;
  let nextOrderUs = nowUs();
  const gap = () => (-Math.log(1 - rnd()) / opts.rate) * 1e6;
  nextOrderUs += gap();
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    const now = nowUs();
    while (nextOrderUs <= now) {
      const E = Math.floor(nextOrderUs);
      const buyerMaker = rnd() < 0.5;
      // Each taker order sweeps one or more levels: one trade per level, geometric count.
      do {
        price = Math.max(0.01, price + (rnd() - 0.5) * 0.02);
        const qty = 0.01 + rnd() * 5;
        const trade: Trade = {
          symbol: opts.symbol, id: ++id, price: price.toFixed(8), qty: qty.toFixed(8),
          quoteQty: (price * qty).toFixed(8), timeUs: E, buyerMaker,
        };
        const payload = encodeTrade(trade, E, 'us');
        newest = `[{"id":${id},"time":${E}}]`;
        for (const h of handlers) h(payload);
      } while (rnd() < 0.3);
      nextOrderUs += gap();
    }
    timer = setTimeout(tick, 1);
  };
  timer = setTimeout(tick, 1);
  return {
    source: 'local',
    onTrade: (h) => void handlers.push(h),
    newestTrade: () => newest,
    stop: () => clearTimeout(timer),
  };
}

/** Flags every peer takes: --host, --port, --rate, --seed, --symbol (and any extra numeric flag). */
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
