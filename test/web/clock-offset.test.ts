import { describe, expect, it } from 'vitest';
import { bestOffset, createClockOffset } from '../../web/src/state/clock-offset.ts';

describe('server clock offset', () => {
  it('trusts the sample with the shortest round trip', () => {
    const best = bestOffset([
      { sentMs: 0, receivedMs: 100, serverMs: 90 },
      { sentMs: 200, receivedMs: 210, serverMs: 705 },
      { sentMs: 300, receivedMs: 340, serverMs: 800 },
    ]);
    expect(best).toEqual({ offsetMs: 500, errorMs: 5 });
  });

  it('has no offset without a usable sample', () => {
    expect(bestOffset([])).toBeNull();
    expect(bestOffset([{ sentMs: 10, receivedMs: 5, serverMs: 0 }])).toBeNull();
  });

  it('recovers a known skew through asymmetric delays within half the best round trip', async () => {
    const skew = -1234.5;
    let local = 50_000;
    const delays = [[40, 5], [3, 30], [2, 2], [25, 1], [9, 9]];
    let i = 0;
    const clock = createClockOffset(async () => {
      const [up, down] = delays[i++ % delays.length]!;
      local += up!;
      const server = Math.floor(local + skew);
      local += down!;
      return server;
    }, () => local);
    await clock.sync(5);
    expect(Math.abs(clock.offsetMs.value - skew)).toBeLessThanOrEqual(clock.errorMs.value! + 1);
    expect(clock.errorMs.value).toBe(2);
  });
});
