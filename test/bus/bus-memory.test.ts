// The in-memory bus passes the shared Bus conformance cases, plus its own synchronous-delivery contract.
import { describe, expect, it } from 'vitest';
import { createMemoryBus } from '../../server/bus/bus-memory.ts';
import { runBusCases } from './bus.case.ts';

describe('memory bus', () => {
  runBusCases({ create: async () => ({ bus: createMemoryBus(), settle: async () => {} }) });

  it('delivers before publish returns, so a gateway can publish a batch in one synchronous block', () => {
    const bus = createMemoryBus();
    let seen = 0;
    bus.subscribe('c', (events) => (seen += events.length));
    bus.publish('c', [{ type: 'ticker', timeUs: 1 } as never, { type: 'ticker', timeUs: 2 } as never]);
    expect(seen).toBe(2);
  });

  it('serves every subscriber even when one throws, then reports the error', () => {
    const bus = createMemoryBus();
    let served = 0;
    bus.subscribe('c', () => {
      throw new Error('boom');
    });
    bus.subscribe('c', () => served++);
    expect(() => bus.publish('c', [{ type: 'ticker', timeUs: 1 } as never])).toThrow('boom');
    expect(served).toBe(1);
  });
});
