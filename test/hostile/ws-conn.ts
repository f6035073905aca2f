// One raw-TCP WebSocket connection that plays a hostile Script and reports what came back.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { Script } from './ws-frames.ts';

export interface Outcome {
  /** HTTP status of the upgrade (101 when it opened). */
  readonly status: number;
  /** JSON replies to control messages (objects with `result` or `error`), in order. */
  readonly replies: readonly Record<string, unknown>[];
  /** The server's close frame code, if one came. */
  readonly closeCode: number | undefined;
  /** The server ended or reset the TCP connection. */
  readonly ended: boolean;
}

/** Server-to-client frames (unmasked) out of a byte stream. */
function frameReader(onFrame: (op: number, payload: Buffer) => void) {
  let buf: Buffer = Buffer.alloc(0);
  return (chunk: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    for (;;) {
      if (buf.length < 2) return;
      let len = buf[1]! & 0x7f;
      let at = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        len = Number(buf.readBigUInt64BE(2));
        at = 10;
      }
      if (buf.length < at + len) return;
      onFrame(buf[0]! & 0x0f, buf.subarray(at, at + len));
      buf = buf.subarray(at + len);
    }
  };
}

/**
 * Open `path`, write the script's bytes cut at its cut points, then wait for the server's answer to
 * the ending: the close frame (polite close), the connection's end (a violation), or `settleMs`.
 */
export function play(port: number, path: string, s: Script, settleMs: number, waitMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    let status = 0;
    let head = Buffer.alloc(0);
    const replies: Record<string, unknown>[] = [];
    let closeCode: number | undefined;
    let ended = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ status, replies, closeCode, ended });
    };
    const read = frameReader((op, payload) => {
      if (op === 0x1) {
        try {
          const m = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
          if (m !== null && typeof m === 'object' && ('result' in m || 'error' in m)) replies.push(m);
        } catch {
          replies.push({ unparsable: payload.toString('utf8').slice(0, 200) });
        }
      } else if (op === 0x8) {
        closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        if (s.ending.kind === 'close') finish();
      }
    });
    socket.on('data', (chunk: Buffer) => {
      if (status === 0) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head.toString('latin1', 0, end))?.[1] ?? -1);
        if (status !== 101) return finish();
        read(head.subarray(end + 4));
        send();
        return;
      }
      read(chunk);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      ended = true;
      finish();
    });
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );

    const send = () => {
      const all = Buffer.concat([...s.steps.map((st) => st.bytes), s.ending.kind === 'vanish' ? Buffer.alloc(0) : s.ending.bytes]);
      const at = [...new Set(s.cuts.map((c) => Math.floor(c * all.length)))].sort((a, b) => a - b);
      let from = 0;
      for (const to of [...at, all.length]) {
        if (to > from) socket.write(all.subarray(from, to));
        from = to;
      }
      if (s.ending.kind === 'vanish') return finish();
      timer = setTimeout(finish, s.ending.kind === 'fatal' && (s.ending.hole || s.ending.mayWait) ? settleMs : waitMs);
    };
  });
}
