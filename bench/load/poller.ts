// One polling client: GET start.path every interval on its own keep-alive connection, recording
// the trades that are new since its last poll and how stale each answer was.
import net from 'node:net';
import type { StartMsg } from './protocol.ts';
import type { LoadContext } from './context.ts';
import { createResponseParser, getRequest } from './http1.ts';
import { newTrades } from './rest-scan.ts';
import { newClient, nowUs, US_STAMP_MIN, type Client } from './window.ts';

/** Start one poller; its first request goes out after `phaseMs` (pollers are spread over the interval). */
export function startPoller(start: StartMsg, phaseMs: number, ctx: LoadContext): Client {
  const w = ctx.window;
  const c = newClient(true);
  /** Newest trade time this poller holds, µs: a poll with nothing new is as stale as that. */
  let lastTime: number | undefined;
  const interval = start.pollIntervalMs ?? 1000;
  const request = getRequest(start.host, start.port, start.path, { 'X-MBX-TIME-UNIT': 'MICROSECOND' });
  let next = performance.now() + phaseMs;
  let socket: net.Socket | null = null;
  let inFlight = false;

  const takeTrades = (body: Buffer, recv: number): void => {
    const fresh = newTrades(body, c.seq.last);
    if (fresh === null) {
      if (w.measuring) w.errors++;
      return;
    }
    if (fresh.length === 0) {
      if (w.measuring && c.seq.last > 0 && lastTime !== undefined) w.recordStaleness(recv - lastTime);
      return;
    }
    const scale = fresh[0]![1] < US_STAMP_MIN ? 1000 : 1;
    if (scale !== 1) w.msStamps = true;
    const newest = fresh[fresh.length - 1]!;
    if (!w.measuring) {
      c.seq.see(newest[0]); // baseline before the window
      lastTime = newest[1] * scale;
      return;
    }
    for (const [id, time] of fresh) {
      c.seq.see(id);
      w.record(time * scale, id, recv);
    }
    lastTime = newest[1] * scale;
    w.recordStaleness(recv - lastTime);
  };
  const schedule = () => {
    inFlight = false;
    next += interval;
    const now = performance.now();
    if (next < now) next = now; // late: go at once, never two requests at a time
    setTimeout(tick, next - now);
  };
  const connect = (): net.Socket => {
    const parser = createResponseParser((status, body) => {
      const recv = nowUs();
      if (w.measuring) w.requests++;
      if (status !== 200) {
        if (w.measuring) w.errors++;
      } else {
        takeTrades(body, recv);
      }
      schedule();
    });
    const s = net.connect({
      host: start.host, port: start.port, localAddress: start.localAddress,
      onread: {
        buffer: ctx.readBuffer,
        callback: (n, buf) => {
          if (w.measuring) w.bytes += n;
          try {
            parser.push(Buffer.from(buf.buffer, buf.byteOffset, n));
          } catch {
            w.errors++;
            s.destroy();
          }
          return true;
        },
      },
    });
    s.setNoDelay(true);
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
  const tick = () => {
    if (!ctx.running) return;
    socket ??= connect();
    inFlight = true;
    if (w.measuring) w.bytes += request.length;
    socket.write(request);
  };
  socket = connect();
  setTimeout(tick, phaseMs);
  return c;
}
