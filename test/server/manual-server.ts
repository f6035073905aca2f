// The whole server on a manual clock with the market unstepped: tests move time and publish themselves.
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../../server/app.ts';
import { channelFor } from '../../server/bus/bus.ts';
import { loadConfig } from '../../server/config.ts';
import { createManualClock, type ManualClock } from '../../server/market/clock.ts';

/** 2026-11-21T12:00:00Z in µs. */
export const START_US = Date.UTC(2026, 10, 21, 12, 0, 0) * 1000;

export interface ManualServer {
  readonly server: RunningServer;
  readonly clock: ManualClock;
  readonly ws: WebSocket;
  /** Every message the socket received, parsed, in order. */
  readonly messages: unknown[];
  /** Move the market on by `us`, publish what happened, and wait until the socket has read all of it. */
  step(us: number): Promise<void>;
  close(): Promise<void>;
}

/** Each step pings once: the message limit is raised so that stepping fast is not flooding. */
export async function startManualServer(args: string[], wsPath: string): Promise<ManualServer> {
  const clock = createManualClock(START_US);
  const server = await startServer(loadConfig(['--port', '0', '--ws-max-messages-per-sec', '100000', ...args]), { clock, runMarket: false, distDir: '/nonexistent/tickwire-dist' });
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}${wsPath}`);
  const messages: unknown[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(data.toString())));
  try {
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  } catch (err) {
    await server.close();
    throw err;
  }
  return {
    server,
    clock,
    ws,
    messages,
    async step(us) {
      clock.advance(us);
      server.simulator!.advanceTo(clock.nowUs(), (symbol, batch) => server.bus.publish(channelFor(symbol), batch)); // a single-role server always has one
      // A pong comes back after every frame sent before it: then the socket has read everything.
      await new Promise<void>((resolve, reject) => {
        const closed = (code: number) => reject(new Error(`the server closed the socket (${code}) during a step`));
        ws.once('close', closed);
        ws.once('pong', () => {
          ws.off('close', closed);
          resolve();
        });
        ws.ping();
      });
    },
    async close() {
      ws.terminate();
      await server.close();
    },
  };
}
