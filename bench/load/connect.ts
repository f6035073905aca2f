// How a load client gets its socket: a raw TCP connection that reads into the process's one buffer
// and counts its bytes in the window (every client), and the open/close bookkeeping of a client
// whose life is its connection (sse-reader.ts and long-poller.ts here; the WebSocket clients in
// ws-upgrade.ts; the REST poller reconnects on its own).
import net from 'node:net';
import type { StartMsg } from './protocol.ts';
import type { LoadContext } from './context.ts';
import type { Client } from './window.ts';

/**
 * Connect to start's host and port from start.localAddress, Nagle off. Each read goes to `onChunk`
 * as a view of ctx.readBuffer, valid only during the call (parsers copy what they keep); its bytes
 * count in the window. `onChunk` returns false to stop reading. When it throws (a parser refused
 * the bytes), the read counts as an error and the socket is destroyed.
 */
export function connectRaw(start: StartMsg, ctx: LoadContext, onChunk: (chunk: Buffer) => boolean | void): net.Socket {
  const w = ctx.window;
  const socket = net.connect({
    host: start.host, port: start.port, localAddress: start.localAddress,
    onread: {
      buffer: ctx.readBuffer,
      callback: (n, buf) => {
        if (w.measuring) w.bytes += n;
        try {
          return onChunk(Buffer.from(buf.buffer, buf.byteOffset, n)) !== false;
        } catch {
          w.errors++;
          socket.destroy();
          return false;
        }
      },
    },
  });
  socket.setNoDelay(true);
  return socket;
}

/** `c`'s connection closed: off the list to destroy at stop, and shut (in the window: its tail counts as lost). */
export function markClosed(ctx: LoadContext, c: Client, socket: net.Socket): void {
  ctx.sockets.delete(socket);
  if (c.open && ctx.window.measuring) c.closedInWindow = true;
  c.open = false;
}

/**
 * `c` is open while `socket` is connected: resolves with it once the connection is up (`c` open,
 * the socket on ctx.sockets), rejects on an error before that or after start.connectTimeoutMs.
 * Later errors count in the window.
 */
export function openOnConnect<C extends Client>(socket: net.Socket, start: StartMsg, ctx: LoadContext, c: C): Promise<C> {
  return new Promise((resolve, reject) => {
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
      else ctx.window.errors++;
    });
    socket.on('close', () => markClosed(ctx, c, socket));
  });
}
