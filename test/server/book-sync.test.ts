// Binance's "manage a local order book" procedure, run against the whole server on a manual clock:
// a REST depth snapshot plus the diff stream rebuilds exactly the book REST serves later.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../../server/app.ts';
import { channelFor } from '../../server/bus/bus.ts';
import { loadConfig } from '../../server/config.ts';
import { createManualClock, type ManualClock } from '../../server/market/clock.ts';
import type { WireDepthUpdate } from '../../server/wire/payloads.ts';
import { httpGet } from '../http/harness.ts';

const START_US = Date.UTC(2026, 10, 21, 12, 0, 0) * 1000;

interface RestDepth {
  lastUpdateId: number;
  bids: [string, string][];
  asks: [string, string][];
}

describe('a local order book from REST depth and the diff stream', () => {
  let server: RunningServer;
  let clock: ManualClock;
  let ws: WebSocket;
  const events: WireDepthUpdate[] = [];

  /** Move the market on by `us`, publishing what happens, and wait until the socket has read it all. */
  async function step(us: number): Promise<void> {
    clock.advance(us);
    server.simulator.advanceTo(clock.nowUs(), (symbol, batch) => server.bus.publish(channelFor(symbol), batch));
    // A pong comes back after every frame sent before it: then the buffered events are complete.
    await new Promise<void>((resolve) => {
      ws.once('pong', () => resolve());
      ws.ping();
    });
  }
  const restDepth = async (): Promise<RestDepth> => (await httpGet(server.port, '/api/v3/depth?symbol=SOLUSDT&limit=5000')).json();

  beforeAll(async () => {
    clock = createManualClock(START_US);
    server = await startServer(loadConfig(['--port', '0', '--symbols', 'SOLUSDT:20']), {
      clock, runMarket: false, distDir: '/nonexistent/tickwire-dist',
    });
    ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws/solusdt@depth@100ms`);
    ws.on('message', (data) => events.push(JSON.parse(data.toString())));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  });
  afterAll(async () => {
    ws.terminate();
    await server.close();
  });

  it('syncs by the update ids and then matches every later snapshot level for level', async () => {
    await step(1_000_000);
    const snapshot = await restDepth();
    await step(2_000_000);

    // Drop what the snapshot already holds; the first event kept must straddle lastUpdateId + 1.
    const fresh = events.filter((e) => e.u > snapshot.lastUpdateId);
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
      apply(events);
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
