// Binance's "manage a local order book" procedure, run against the whole server on a manual clock:
// a REST depth snapshot plus the diff stream rebuilds exactly the book REST serves later.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireDepthUpdate } from '../../server/wire/payloads.ts';
import { httpGet } from '../http/harness.ts';
import { startManualServer, type ManualServer } from './manual-server.ts';

interface RestDepth {
  lastUpdateId: number;
  bids: [string, string][];
  asks: [string, string][];
}

describe('a local order book from REST depth and the diff stream', () => {
  let m: ManualServer;
  const events = () => m.messages as WireDepthUpdate[];
  const step = (us: number) => m.step(us);
  const restDepth = async (): Promise<RestDepth> => (await httpGet(m.server.port, '/api/v3/depth?symbol=SOLUSDT&limit=5000')).json();

  beforeAll(async () => {
    m = await startManualServer(['--symbols', 'SOLUSDT:20'], '/ws/solusdt@depth@100ms');
  });
  afterAll(() => m.close());

  it('syncs by the update ids and then matches every later snapshot level for level', async () => {
    await step(1_000_000);
    const snapshot = await restDepth();
    await step(2_000_000);

    // Drop what the snapshot already holds; the first event kept must straddle lastUpdateId + 1.
    const fresh = events().filter((e) => e.u > snapshot.lastUpdateId);
    expect(fresh.length, 'diff events after the snapshot').toBeGreaterThan(0);
    expect(fresh[0]!.U).toBeLessThanOrEqual(snapshot.lastUpdateId + 1);
    expect(fresh[0]!.u).toBeGreaterThanOrEqual(snapshot.lastUpdateId + 1);

    const bids = new Map(snapshot.bids.map(([p, q]) => [p, q]));
    const asks = new Map(snapshot.asks.map(([p, q]) => [p, q]));
    let lastU = snapshot.lastUpdateId;
    const apply = (list: WireDepthUpdate[]) => {
      for (const e of list) {
        if (e.u <= lastU) continue;
        expect(e.U, 'each event starts where the last ended').toBe(lastU + 1);
        for (const [side, changes] of [[bids, e.b], [asks, e.a]] as const) {
          for (const [p, q] of changes) {
            if (Number(q) === 0) side.delete(p);
            else side.set(p, q);
          }
        }
        lastU = e.u;
      }
    };

    let compared = 0;
    for (let round = 0; round < 30 && compared < 3; round++) {
      apply(events());
      const later = await restDepth();
      // REST is ahead while a 100 ms diff is still to come; compare only at the same update id.
      if (later.lastUpdateId === lastU) {
        const sorted = (m: Map<string, string>, dir: number) => [...m].sort((a, b) => dir * (Number(a[0]) - Number(b[0])));
        expect(sorted(bids, -1)).toEqual(later.bids);
        expect(sorted(asks, 1)).toEqual(later.asks);
        compared++;
      }
      await step(700_000);
    }
    expect(compared, 'rounds where REST and the local book stood at the same update id').toBe(3);
  });
});
