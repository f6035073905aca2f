// Client side of RFC 6455 for the load generator: the upgrade request, a frame parser and the
// one field scanner the bench needs. Pure functions on bytes; tested in test/bench/frames.test.ts.
//
// Why hand-rolled instead of the `ws` client: the generator must not be the bottleneck on a
// 2-core machine with 10,000 sockets. `ws` builds a Receiver stream, an event and a decoded
// string (UTF-8 validation included) per message, then we would JSON.parse it. Here a socket's
// chunk is walked in place: read the 2–10 byte header, then pull the two numbers we need (event
// time `E`, trade id `t`) straight out of the bytes. No allocation per frame, no JSON.parse.
import { randomBytes } from 'node:crypto';

export const OP_CONT = 0x0;
export const OP_TEXT = 0x1;
export const OP_BINARY = 0x2;
export const OP_CLOSE = 0x8;
export const OP_PING = 0x9;
export const OP_PONG = 0xa;

export function upgradeRequest(host: string, port: number, path: string): string {
  const key = randomBytes(16).toString('base64');
  return (
    `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`
  );
}

/**
 * A masked client frame (clients must mask). The zero mask key leaves the payload as it is, which
 * RFC 6455 allows servers to accept; we only send pongs and tiny control replies with it.
 */
export function clientFrame(opcode: number, payload: Buffer): Buffer {
  if (payload.length > 125) throw new RangeError('clientFrame: only small frames (≤125 bytes) are sent by the bench');
  const out = Buffer.alloc(6 + payload.length);
  out[0] = 0x80 | opcode;
  out[1] = 0x80 | payload.length;
  payload.copy(out, 6);
  return out;
}

export type FrameHandler = (opcode: number, buf: Buffer, start: number, end: number) => void;

export interface FrameParser {
  /** Feed bytes as they arrive; calls the handler once per complete frame, in order. */
  push(chunk: Buffer): void;
  /** Bytes held back waiting for the rest of a frame. */
  readonly pending: number;
}

/**
 * Frames from a server (unmasked). A frame split across chunks is kept until complete; a masked
 * server frame or a 64-bit length beyond 2^53 is a protocol error and throws.
 */
export function createFrameParser(onFrame: FrameHandler): FrameParser {
  let rest: Buffer | null = null;
  return {
    get pending() {
      return rest ? rest.length : 0;
    },
    push(chunk) {
      const buf = rest ? Buffer.concat([rest, chunk]) : chunk;
      rest = null;
      let i = 0;
      const n = buf.length;
      while (i < n) {
        if (n - i < 2) break;
        const b0 = buf[i]!;
        const b1 = buf[i + 1]!;
        if (b1 & 0x80) throw new Error('websocket: server frame is masked');
        let len = b1 & 0x7f;
        let h = 2;
        if (len === 126) {
          if (n - i < 4) break;
          len = buf.readUInt16BE(i + 2);
          h = 4;
        } else if (len === 127) {
          if (n - i < 10) break;
          const hi = buf.readUInt32BE(i + 2);
          if (hi > 0x1fffff) throw new Error('websocket: frame length beyond 2^53');
          len = hi * 0x100000000 + buf.readUInt32BE(i + 6);
          h = 10;
        }
        if (n - i - h < len) break;
        onFrame(b0 & 0x0f, buf, i + h, i + h + len);
        i += h + len;
      }
      if (i < n) rest = buf.subarray(i);
    },
  };
}

const QUOTE = 0x22;
const COLON = 0x3a;

/** Where the last successful scanInt stopped (after the digits): the next scan can start there. */
export let scanEnd = 0;

/**
 * The integer value of the first `"<key>":` in buf[start, end), or -1 when absent or not a
 * non-negative integer. `key` is one ASCII byte (the wire's one-letter field names).
 */
export function scanInt(buf: Buffer, start: number, end: number, key: number): number {
  for (let i = start; i + 3 < end; i++) {
    if (buf[i] === QUOTE && buf[i + 1] === key && buf[i + 2] === QUOTE && buf[i + 3] === COLON) {
      let j = i + 4;
      let v = 0;
      let digits = 0;
      while (j < end) {
        const c = buf[j]! - 48;
        if (c < 0 || c > 9) break;
        v = v * 10 + c;
        digits++;
        j++;
      }
      scanEnd = j;
      return digits > 0 ? v : -1;
    }
  }
  return -1;
}

export const KEY_E = 0x45; // 'E'
export const KEY_T = 0x74; // 't'

/** Finds the end of the HTTP response head (index after \r\n\r\n), or -1. */
export function headEnd(buf: Buffer): number {
  const i = buf.indexOf('\r\n\r\n');
  return i < 0 ? -1 : i + 4;
}
