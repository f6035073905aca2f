// A load process: opens many WebSocket (or polling HTTP) clients from one source address, measures
// what they receive in the runner's window, and reports counts and a latency histogram over IPC.
// This file wires the parts: ws-client.ts, poller.ts, window.ts, ipc.ts.
import type { StartMsg } from './protocol.ts';
import type { LoadContext } from './context.ts';
import { onRunner, send } from './ipc.ts';
import { startPoller } from './poller.ts';
import { createWindow, type Client } from './window.ts';
import { openWs, type WsClient } from './ws-client.ts';

const ctx: LoadContext = { window: createWindow(), sockets: new Set(), readBuffer: Buffer.allocUnsafe(256 * 1024), running: true };
const clients: Client[] = [];
const wsClients: WsClient[] = [];
let start: StartMsg | undefined;

async function connectAll(start: StartMsg): Promise<void> {
  if (start.kind === 'poll') {
    const interval = start.pollIntervalMs ?? 1000;
    for (let i = 0; i < start.connections; i++) clients.push(startPoller(start, (interval * i) / start.connections, ctx));
    send({ type: 'ready', open: start.connections, failed: 0 });
    return;
  }
  let failed = 0;
  let firstError: string | undefined;
  let nextIndex = 0;
  const lane = async () => {
    while (nextIndex < start.connections) {
      nextIndex++;
      try {
        const c = await openWs(start, start.kind === 'sio', ctx);
        clients.push(c);
        wsClients.push(c);
      } catch (err) {
        failed++;
        firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(start.rampConcurrency, start.connections) }, lane));
  send({ type: 'ready', open: clients.length, failed, ...(firstError ? { firstError } : {}) });
}

onRunner({
  start(m) {
    start = m;
    connectAll(m).catch((err: unknown) => send({ type: 'error', message: String((err as Error)?.message ?? err) }));
  },
  subscribe() {
    // All at once, after every connection is up: no stream runs during the ramp, and every arm
    // starts its window from the same state.
    for (const c of wsClients) if (c.open) c.subscribe();
  },
  measure() {
    ctx.window.begin(clients, start?.kind === 'poll');
  },
  stop() {
    send(ctx.window.end(clients, start?.kind === 'poll'));
    ctx.running = false;
    for (const s of ctx.sockets) s.destroy();
  },
});
