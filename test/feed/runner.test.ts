// The real-time runner: wakes when events are due, publishes them on the bus, survives failing handlers, stops.
import { afterEach, describe, expect, it } from 'vitest';
import { startMarket } from '../../server/feed/runner.ts';
import { createSimulator, type Simulator } from '../../server/market/simulator.ts';
import { createSystemClock } from '../../server/market/clock.ts';
import { createMemoryBus } from '../../server/bus/bus-memory.ts';
import { channelFor } from '../../server/bus/bus.ts';
import type { MarketEvent } from '../../server/market/types.ts';
import { until } from '../gateway/harness.ts';

describe('market runner', () => {
  const clock = createSystemClock();
  const stops: (() => void)[] = [];
  afterEach(() => {
    for (const stop of stops.splice(0)) stop();
  });
  const simulator = (): { sim: Simulator; wakeups: () => number } => {
    const inner = createSimulator({ seed: 1, clock, symbols: [{ symbol: 'SOLUSDT', tradesPerSec: 20 }], historyHours: 60 });
    let wakeups = 0;
    const sim: Simulator = {
      ...inner,
      advanceTo(now, emit) {
        wakeups++;
        inner.advanceTo(now, emit);
      },
    };
    return { sim, wakeups: () => wakeups };
  };

  it('publishes due batches on the symbol channel in real time, sleeping between events', async () => {
    const t0 = clock.nowUs();
    const { sim, wakeups } = simulator();
    const bus = createMemoryBus();
    const seen: MarketEvent[] = [];
    const off = bus.subscribe(channelFor('SOLUSDT'), (batch) => seen.push(...batch));
    const market = startMarket({ simulator: sim, bus, clock });
    stops.push(market.stop, off, () => void bus.close());
    const snaps = () => seen.filter((e) => e.type === 'depthSnapshot' && e.speed === 100).length;
    await until(() => snaps() >= 4 && seen.some((e) => e.type === 'trade'), 10_000, 'four 100 ms book snapshots and a trade');
    const elapsedS = (clock.nowUs() - t0) / 1e6;
    expect(seen.every((e) => e.timeUs >= t0 && e.timeUs <= clock.nowUs())).toBe(true);
    // About one wake-up per due event at most (a few hundred a second here), never a spin.
    expect(wakeups() / elapsedS).toBeLessThan(250);
  });

  it('keeps going when a bus handler throws, and logs the failure with its fields', async () => {
    const { sim } = simulator();
    const bus = createMemoryBus();
    let calls = 0;
    const off = bus.subscribe(channelFor('SOLUSDT'), () => {
      calls++;
      throw new Error('handler broke');
    });
    const logs: { msg: string; fields: Record<string, unknown> }[] = [];
    const market = startMarket({ simulator: sim, bus, clock, log: (msg, fields) => logs.push({ msg, fields }) });
    stops.push(market.stop, off, () => void bus.close());
    await until(() => calls > 3, 10_000, 'four failing handler calls');
    // Logged once, not once a batch.
    expect(logs.length).toBe(1);
    expect(logs[0]!.fields).toMatchObject({ symbol: 'SOLUSDT', error: expect.objectContaining({ message: 'handler broke' }) });
  });

  it('publishes nothing after stop()', async () => {
    const { sim } = simulator();
    const bus = createMemoryBus();
    let batches = 0;
    const off = bus.subscribe(channelFor('SOLUSDT'), () => void batches++);
    const market = startMarket({ simulator: sim, bus, clock });
    stops.push(off, () => void bus.close());
    await until(() => batches > 0, 10_000, 'a first batch');
    market.stop();
    const atStop = batches;
    // A second market at the same rate on a bus of its own: once it has published five batches,
    // the stopped one has had the time to publish as many.
    const control = createMemoryBus();
    let controlBatches = 0;
    const offControl = control.subscribe(channelFor('SOLUSDT'), () => void controlBatches++);
    const running = startMarket({ simulator: simulator().sim, bus: control, clock });
    stops.push(running.stop, offControl, () => void control.close());
    await until(() => controlBatches >= 5, 10_000, 'five batches of the control market');
    expect(batches).toBe(atStop);
    market.stop();
  });

  it('reports how late the timer fired at each wake-up with events due, never a negative figure', async () => {
    const { sim, wakeups } = simulator();
    const bus = createMemoryBus();
    const late: number[] = [];
    let batches = 0;
    const off = bus.subscribe(channelFor('SOLUSDT'), () => batches++);
    const market = startMarket({ simulator: sim, bus, clock, onLateness: (us) => late.push(us) });
    stops.push(market.stop, off, () => void bus.close());
    await until(() => late.length >= 5, 10_000, 'five lateness reports');
    expect(late.every((us) => Number.isFinite(us) && us >= 0)).toBe(true);
    // At most one report a wake-up. (Not every due wake-up publishes: a due event can come to an
    // empty batch, so batches are not compared with reports.)
    expect(late.length).toBeLessThanOrEqual(wakeups());
    expect(batches).toBeGreaterThan(0);
  });
});
