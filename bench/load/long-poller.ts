// One long-polling client on its own keep-alive HTTP/1.1 connection: when told to subscribe it
// asks `/poll` for the cursor of now, then asks again with the answer's cursor as soon as each
// answer comes (the server holds the request until there is a trade). Every trade of an answer is
// recorded like a pushed one: latency from its event time, loss by trade id.
import net from 'node:net';
import type { StartMsg } from './protocol.ts';
import type { LoadContext } from './context.ts';
import { KEY_E, KEY_T, scanEnd, scanInt } from './frames.ts';
import { createResponseParser, getRequest } from './http1.ts';
import { newClient, nowUs } from './window.ts';
import type { WsClient } from './ws-client.ts';

/** How long the server may hold one request, ms (docs/protocol.md#long-polling). */
export const LONG_POLL_WAIT_MS = 20_000;

const CURSOR_KEY = Buffer.from('"cursor":"');

/** The `cursor` of a /poll answer, or null when the body has none. */
export function answerCursor(body: Buffer): string | null {
  const at = body.indexOf(CURSOR_KEY);
  if (at < 0) return null;
  const from = at + CURSOR_KEY.length;
  const to = body.indexOf(0x22, from);
  return to < 0 ? null : body.toString('latin1', from, to);
}

export function openLongPoll(start: StartMsg, ctx: LoadContext): Promise<WsClient> {
  const w = ctx.window;
  return new Promise((resolve, reject) => {
    let cursor: string | null = null;
    let onFirst: (() => void) | undefined;
    const ask = () => {
      if (!ctx.running || socket.destroyed) return;
      const path = cursor === null ? start.path : `${start.path}&cursor=${cursor}&waitMs=${LONG_POLL_WAIT_MS}`;
      const req = getRequest(start.host, start.port, path);
      if (w.measuring) w.bytes += req.length;
      socket.write(req);
    };
    const c: WsClient = {
      ...newClient(false),
      subscribe(onFirstFrame) {
        onFirst = onFirstFrame;
        ask();
      },
    };
    const parser = createResponseParser((status, body) => {
      const recv = nowUs();
      if (w.measuring) w.requests++;
      if (status !== 200) {
        if (w.measuring) w.errors++;
      } else {
        cursor = answerCursor(body) ?? cursor;
        if (w.measuring) {
          for (let i = 0; ; ) {
            const E = scanInt(body, i, body.length, KEY_E);
            if (E < 0) break;
            const t = scanInt(body, scanEnd, body.length, KEY_T);
            i = scanEnd;
            w.record(E, t, recv);
            if (t > 0) c.seq.see(t);
          }
        }
      }
      if (onFirst) {
        const f = onFirst;
        onFirst = undefined;
        f();
      }
      ask();
    });
    const socket = net.connect({
      host: start.host, port: start.port, localAddress: start.localAddress,
      onread: {
        buffer: ctx.readBuffer,
        callback: (n, buf) => {
          if (w.measuring) w.bytes += n;
          try {
            parser.push(Buffer.from(buf.buffer, buf.byteOffset, n));
          } catch {
            w.errors++;
            socket.destroy();
          }
          return true;
        },
      },
    });
    socket.setNoDelay(true);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connect timed out after ${start.connectTimeoutMs} ms`));
    }, start.connectTimeoutMs);
    socket.on('connect', () => {
      clearTimeout(timer);
      c.open = true;
      ctx.sockets.add(socket);
      resolve(c);
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      if (!c.open) reject(err);
      else w.errors++;
    });
    socket.on('close', () => {
      ctx.sockets.delete(socket);
      if (c.open && w.measuring) c.closedInWindow = true;
      c.open = false;
    });
  });
}
