// One WebSocket client on a raw TCP socket (Binance streams, or Socket.IO over its websocket
// transport): upgrades, subscribes when told, and records every trade frame in the window.
import net from 'node:net';
import {
  createFrameParser, clientFrame, headEnd, scanInt, scanEnd, upgradeRequest,
  KEY_E, KEY_T, OP_CLOSE, OP_PING, OP_PONG, OP_TEXT, OP_BINARY,
} from './frames.ts';
import type { StartMsg } from './protocol.ts';
import type { LoadContext } from './context.ts';
import { newClient, nowUs, type Client } from './window.ts';

export interface WsClient extends Client {
  /**
   * Send the subscription (or, for Socket.IO, once its namespace is joined); `onFirstFrame` runs
   * once, at the first frame that arrives after it (the reply, or a first update).
   */
  subscribe(onFirstFrame?: () => void): void;
}

const SIO_PING = Buffer.from('3');
const SIO_CONNECT = Buffer.from('40');

/** Open one client. Resolves when upgraded, rejects on failure or after start.connectTimeoutMs. */
export function openWs(start: StartMsg, sio: boolean, ctx: LoadContext): Promise<WsClient> {
  const w = ctx.window;
  return new Promise((resolve, reject) => {
    let head: Buffer | null = Buffer.alloc(0);
    let recv = 0;
    let sioJoined = false;
    let wantSubscribe = false;
    let onFirst: (() => void) | undefined;
    const subscribeFrame = clientFrame(OP_TEXT, Buffer.from(start.subscribe));
    const c: WsClient = {
      ...newClient(false),
      subscribe(onFirstFrame) {
        onFirst = onFirstFrame;
        if (sio && !sioJoined) wantSubscribe = true;
        else socket.write(subscribeFrame);
      },
    };
    const onSioText = (buf: Buffer, s: number, e: number) => {
      const first = buf[s];
      if (first === 0x30 /* '0' open */ && e - s > 1 && buf[s + 1] === 0x7b /* '{' */) {
        socket.write(clientFrame(OP_TEXT, SIO_CONNECT));
      } else if (first === 0x34 /* '4' */ && buf[s + 1] === 0x30 /* '0' connected */) {
        sioJoined = true;
        if (wantSubscribe) socket.write(subscribeFrame);
      } else if (first === 0x32 /* '2' ping */ && e - s === 1) {
        socket.write(clientFrame(OP_TEXT, SIO_PING));
      }
    };
    const parser = createFrameParser((op, buf, s, e) => {
      if (op === OP_TEXT || op === OP_BINARY) {
        if (onFirst !== undefined && (!sio || sioJoined)) {
          const f = onFirst;
          onFirst = undefined;
          f();
        }
        const E = w.measuring ? scanInt(buf, s, e, KEY_E) : -1;
        if (E < 0) {
          if (w.measuring) w.other++;
          if (sio) onSioText(buf, s, e);
          return;
        }
        const t = scanInt(buf, scanEnd, e, KEY_T);
        w.record(E, t, recv);
        if (t > 0) c.seq.see(t);
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
    const onRead = (n: number, buf: Uint8Array): boolean => {
      if (w.measuring) w.bytes += n;
      let chunk = Buffer.from(buf.buffer, buf.byteOffset, n);
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
      try {
        parser.push(chunk);
      } catch (err) {
        w.errors++;
        socket.destroy(err as Error);
        return false;
      }
      return true;
    };
    const socket = net.connect({
      host: start.host, port: start.port, localAddress: start.localAddress,
      onread: { buffer: ctx.readBuffer, callback: onRead },
    });
    socket.setNoDelay(true);
    const timer = setTimeout(() => fail(new Error(`upgrade timed out after ${start.connectTimeoutMs} ms`)), start.connectTimeoutMs);
    socket.on('connect', () => socket.write(upgradeRequest(start.host, start.port, start.path)));
    socket.on('error', (err) => {
      if (head !== null) fail(err);
      else w.errors++;
    });
    socket.on('close', () => {
      ctx.sockets.delete(socket);
      if (head !== null) return fail(new Error('closed before the upgrade'));
      if (c.open && w.measuring) c.closedInWindow = true;
      c.open = false;
    });
  });
}
