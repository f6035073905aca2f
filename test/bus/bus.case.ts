// Conformance cases every Bus implementation must pass (memory now, Redis later).
// Each implementation's test file calls runBusCases with a factory for fresh, isolated buses.
import { afterEach, expect, it } from 'vitest';
import type { Bus } from '../../server/bus/bus.ts';
import type { MarketEvent } from '../../server/market/types.ts';

export interface BusFactory {
  /** A fresh bus. `settle` waits until everything published so far has been delivered. */
  create(): Promise<{ bus: Bus; settle(): Promise<void> }>;
}

const trade = (id: number, symbol = 'SOLUSDT'): MarketEvent => ({
  type: 'trade',
  timeUs: 1_700_000_000_000_000 + id,
  trade: { symbol, id, price: '142.35000000', qty: '1.00000000', quoteQty: '142.35000000', timeUs: 1_700_000_000_000_000 + id, buyerMaker: id % 2 === 0 },
});

export function runBusCases(factory: BusFactory): void {
  const opened: Bus[] = [];
  const open = async () => {
    const made = await factory.create();
    opened.push(made.bus);
    return made;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((b) => b.close()));
  });

  it('delivers each batch whole and in order to every subscriber of its channel', async () => {
    const { bus, settle } = await open();
    const a: number[][] = [];
    const b: number[][] = [];
    const ids = (events: readonly MarketEvent[]) => events.map((e) => (e.type === 'trade' ? e.trade.id : -1));
    bus.subscribe('market.SOLUSDT', (events) => a.push(ids(events)));
    bus.subscribe('market.SOLUSDT', (events) => b.push(ids(events)));
    bus.publish('market.SOLUSDT', [trade(1), trade(2)]);
    bus.publish('market.SOLUSDT', [trade(3)]);
    await settle();
    expect(a).toEqual([[1, 2], [3]]);
    expect(b).toEqual([[1, 2], [3]]);
  });

  it('keeps channels apart', async () => {
    const { bus, settle } = await open();
    const got: string[] = [];
    bus.subscribe('market.BTCUSDT', (events) => got.push(...events.map((e) => (e.type === 'trade' ? e.trade.symbol : ''))));
    bus.publish('market.SOLUSDT', [trade(1)]);
    bus.publish('market.BTCUSDT', [trade(1, 'BTCUSDT')]);
    await settle();
    expect(got).toEqual(['BTCUSDT']);
  });

  it('stops delivering after unsubscribe, and a second unsubscribe is harmless', async () => {
    const { bus, settle } = await open();
    let count = 0;
    const off = bus.subscribe('market.SOLUSDT', () => count++);
    bus.publish('market.SOLUSDT', [trade(1)]);
    await settle();
    off();
    off();
    bus.publish('market.SOLUSDT', [trade(2)]);
    await settle();
    expect(count).toBe(1);
  });

  it('gives the same handler subscribed twice two deliveries, and unsubscribing one keeps the other', async () => {
    const { bus, settle } = await open();
    let count = 0;
    const handler = () => count++;
    const off1 = bus.subscribe('market.SOLUSDT', handler);
    bus.subscribe('market.SOLUSDT', handler);
    bus.publish('market.SOLUSDT', [trade(1)]);
    await settle();
    off1();
    bus.publish('market.SOLUSDT', [trade(2)]);
    await settle();
    expect(count).toBe(3);
  });

  it('does not deliver empty batches', async () => {
    const { bus, settle } = await open();
    let count = 0;
    bus.subscribe('market.SOLUSDT', () => count++);
    bus.publish('market.SOLUSDT', []);
    await settle();
    expect(count).toBe(0);
  });

  it('delivers event fields intact', async () => {
    const { bus, settle } = await open();
    const got: MarketEvent[] = [];
    bus.subscribe('market.SOLUSDT', (events) => got.push(...events));
    const sent = [trade(7)];
    bus.publish('market.SOLUSDT', sent);
    await settle();
    expect(got).toEqual(sent);
  });

  it('delivers nothing after close', async () => {
    const { bus, settle } = await open();
    let count = 0;
    bus.subscribe('market.SOLUSDT', () => count++);
    await bus.close();
    await bus.close();
    bus.publish('market.SOLUSDT', [trade(1)]);
    await settle();
    expect(count).toBe(0);
  });
}
