// A load process: opens many WebSocket (or polling HTTP) clients from one source address, measures
// what they receive in the runner's window, and reports counts and a latency histogram over IPC.
// A probe process is the same with a few connections, each measured in its own window.
// This file wires the parts: ws-client.ts, poller.ts, window.ts, ipc.ts.
import type { ResultMsg, StartMsg } from './protocol.ts';
import type { LoadContext } from './context.ts';
import { onRunner, send } from './ipc.ts';
import { startPoller } from './poller.ts';
import { createWindow, type Client } from './window.ts';
import { openWs, type WsClient } from './ws-client.ts';

const ctx: LoadContext = { window: createWindow(), sockets: new Set(), readBuffer: Buffer.allocUnsafe(256 * 1024), running: true };
const clients: Client[] = [];
const wsClients: WsClient[] = [];
/** Probe processes: one context (own window) per connection, same index as wsClients. */
const probeContexts: LoadContext[] = [];
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
  if (start.probe) {
    // In order, one at a time: index i is the i-th probe to subscribe.
    for (let i = 0; i < start.connections; i++) {
      const own: LoadContext = { ...ctx, window: createWindow() };
      try {
        const c = await openWs(start, start.kind === 'sio', own);
        clients.push(c);
        wsClients.push(c);
        probeContexts.push(own);
      } catch (err) {
        failed++;
        firstError ??= (err as Error).message;
      }
    }
    send({ type: 'ready', open: clients.length, failed, ...(firstError ? { firstError } : {}) });
    return;
  }
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
  subscribe(m) {
    // After every connection is up, in the slices the runner asks for: no stream runs during the
    // ramp, every arm starts its window from the same state, and the probes' slices go in between
    // the bulk's so they are among the first, the middle and the last to subscribe.
    const slice = wsClients.slice(m.from ?? 0, m.to ?? wsClients.length).filter((c) => c.open);
    let waiting = slice.length;
    if (waiting === 0) return send({ type: 'subscribed', count: 0 });
    for (const c of slice) c.subscribe(() => --waiting === 0 && send({ type: 'subscribed', count: slice.length }));
  },
  measure() {
    if (start?.probe) for (const [i, own] of probeContexts.entries()) own.window.begin([clients[i]!], false);
    else ctx.window.begin(clients, start?.kind === 'poll');
  },
  stop() {
    if (start?.probe) {
      const positions: ResultMsg[] = probeContexts.map((own, i) => own.window.end([clients[i]!], false));
      send({ type: 'probe-result', positions });
    } else {
      send(ctx.window.end(clients, start?.kind === 'poll'));
    }
    ctx.running = false;
    for (const s of ctx.sockets) s.destroy();
  },
});
