// The WebSocket connection both WebSocket clients stand on (ws-client.ts for streams,
// ws-api-requester.ts for API requests): connect, upgrade, then hand over the data frames;
// pings are answered and a close frame ends the socket here.
import type net from 'node:net';
import { clientFrame, createFrameParser, headEnd, upgradeRequest, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG, OP_TEXT } from './frames.ts';
import type { StartMsg } from './protocol.ts';
import type { LoadContext } from './context.ts';
import { connectRaw, markClosed } from './connect.ts';
import { nowUs, type Client } from './window.ts';

/** A data frame (text or binary) whose payload is buf[s, e), in a read that arrived at `recv` µs. */
export type MessageHandler = (op: number, buf: Buffer, s: number, e: number, recv: number) => void;

/**
 * Connect `c` and send the upgrade. Once the server answers 101, `c` is open, the socket is on
 * ctx.sockets and `opened` resolves with `c`; then every data frame goes to `onMessage`. `opened`
 * rejects (and the socket is destroyed) when the upgrade is refused, on an error or a close before
 * it, or after start.connectTimeoutMs. Later errors count in the window.
 */
export function openUpgraded<C extends Client>(
  start: StartMsg, ctx: LoadContext, c: C, onMessage: MessageHandler,
): { socket: net.Socket; opened: Promise<C> } {
  const w = ctx.window;
  let head: Buffer | null = Buffer.alloc(0);
  let recv = 0;
  let resolve!: (c: C) => void;
  let reject!: (err: Error) => void;
  const opened = new Promise<C>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const parser = createFrameParser((op, buf, s, e) => {
    if (op === OP_TEXT || op === OP_BINARY) {
      onMessage(op, buf, s, e, recv);
    } else if (op === OP_PING) {
      socket.write(clientFrame(OP_PONG, Buffer.from(buf.subarray(s, e))));
    } else if (op === OP_CLOSE) {
      socket.end();
    }
  });
  const fail = (err: Error) => {
    clearTimeout(timer);
    socket.destroy();
    reject(err);
  };
  const socket = connectRaw(start, ctx, (chunk) => {
    if (head !== null) {
      head = Buffer.concat([head, chunk]);
      const end = headEnd(head);
      if (end < 0) return true;
      const status = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
      if (!/^HTTP\/1\.1 101/.test(status)) {
        fail(new Error(`upgrade refused: ${status}`));
        return false;
      }
      chunk = head.subarray(end);
      head = null;
      clearTimeout(timer);
      c.open = true;
      ctx.sockets.add(socket);
      resolve(c);
      if (chunk.length === 0) return true;
    }
    recv = nowUs();
    parser.push(chunk);
    return true;
  });
  const timer = setTimeout(() => fail(new Error(`upgrade timed out after ${start.connectTimeoutMs} ms`)), start.connectTimeoutMs);
  socket.on('connect', () => socket.write(upgradeRequest(start.host, start.port, start.path)));
  socket.on('error', (err) => {
    if (head !== null) fail(err);
    else w.errors++;
  });
  socket.on('close', () => {
    markClosed(ctx, c, socket);
    if (head !== null) fail(new Error('closed before the upgrade'));
  });
  return { socket, opened };
}
