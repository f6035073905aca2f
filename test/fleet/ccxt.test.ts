// ccxt's watchOrderBook on a fleet: the REST snapshot from one gateway, the diff stream from another.
// ccxt checks every diff's U/u against the snapshot's lastUpdateId, so this holds only if both
// gateways' depth ids lie on the market's one sequence.
import { afterEach, describe, expect, it } from 'vitest';
import { binanceOn, type Binance } from '../clients/ccxt-local.ts';
import { FLEET_SKIP_REASON } from './capability.ts';
import { createFleetScope, FLAGS } from './harness.ts';

describe.skipIf(FLEET_SKIP_REASON !== '')('ccxt against a fleet', () => {
  const fleet = createFleetScope();
  let exchange: Binance | undefined;
  afterEach(async () => {
    await exchange?.close();
    exchange = undefined;
    await fleet.cleanup();
  });

  it('keeps a watched order book in sync with the snapshot from one gateway and the diffs from another', async () => {
    const redis = await fleet.redis();
    const market = await fleet.market(redis.url, FLAGS);
    const [restGateway, wsGateway] = await Promise.all([fleet.gateway(redis.url, FLAGS), fleet.gateway(redis.url, FLAGS)]);
    await Promise.all([market.waitReady(), restGateway!.waitReady(), wsGateway!.waitReady()]);

    exchange = binanceOn(`127.0.0.1:${restGateway!.endpoint.port}`, `127.0.0.1:${wsGateway!.endpoint.port}`);
    await exchange.loadHttpProxyAgent(); // ccxt refuses a ws:// URL until its plain http Agent is loaded
    const first = await exchange.watchOrderBook('SOL/USDT');
    const nonces = [first.nonce!];
    const deadline = Date.now() + 30_000;
    while (nonces.length < 10) {
      if (Date.now() > deadline) throw new Error(`the watched book moved only ${nonces.length - 1} times in 30 s`);
      const book = await exchange.watchOrderBook('SOL/USDT');
      if (book.nonce !== nonces.at(-1)) nonces.push(book.nonce!);
      const bids = book.bids.map(([p]) => p!);
      const asks = book.asks.map(([p]) => p!);
      expect(bids.length).toBeGreaterThan(0);
      expect(bids.every((p, i) => i === 0 || p < bids[i - 1]!)).toBe(true);
      expect(asks.every((p, i) => i === 0 || p > asks[i - 1]!)).toBe(true);
      expect(bids[0]).toBeLessThan(asks[0]!);
    }
    expect(nonces.every((n, i) => i === 0 || n > nonces[i - 1]!)).toBe(true);
    // The REST gateway's book is at or beyond what the stream gave, on the same id sequence.
    const rest = await exchange.fetchOrderBook('SOL/USDT', 5);
    expect(rest.nonce).toBeGreaterThanOrEqual(nonces[0]!);
  }, 120_000);
});
