// One polling client: GET start.path every interval on its own keep-alive connection, recording
// the trades that are new since its last poll and how stale each answer was.
import type net from 'node:net';
import type { StartMsg } from './protocol.ts';
import type { LoadContext } from './context.ts';
import { connectRaw } from './connect.ts';
import { createResponseParser, getRequest } from './http1.ts';
import { answerHandler, createRounds, createTradeTaker } from './polling.ts';
import { newClient, type Client } from './window.ts';

/** Start one poller; its first request goes out after `phaseMs` (pollers are spread over the interval). */
export function startPoller(start: StartMsg, phaseMs: number, ctx: LoadContext): Client {
  const w = ctx.window;
  const c = newClient(true);
  const request = getRequest(start.host, start.port, start.path, { 'X-MBX-TIME-UNIT': 'MICROSECOND' });
  let socket: net.Socket | null = null;
  let inFlight = false;

  const takeTrades = createTradeTaker(c, w);
  const tick = () => {
    if (!ctx.running) return;
    socket ??= connect();
    inFlight = true;
    if (w.measuring) w.bytes += request.length;
    socket.write(request);
  };
  const rounds = createRounds(start.pollIntervalMs ?? 1000, tick);
  const schedule = () => {
    inFlight = false;
    rounds.next();
  };
  const connect = (): net.Socket => {
    const parser = createResponseParser(answerHandler(w, takeTrades, schedule));
    const s = connectRaw(start, ctx, (chunk) => parser.push(chunk));
    s.on('error', () => {
      if (w.measuring) w.errors++;
    });
    s.on('close', () => {
      ctx.sockets.delete(s);
      if (socket === s) socket = null;
      if (inFlight) schedule(); // the answer will not come: try again on a new connection
    });
    ctx.sockets.add(s);
    return s;
  };
  socket = connect();
  rounds.start(phaseMs);
  return c;
}
