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
 * Size of the frame starting at buf[i] (header + payload), or -1 when its header is not complete.
 * Throws on a masked server frame or a 64-bit length beyond 2^53.
 */
export function frameSize(buf: Buffer, i: number): number {
  const avail = buf.length - i;
  if (avail < 2) return -1;
  const b1 = buf[i + 1]!;
  if (b1 & 0x80) throw new Error('websocket: server frame is masked');
  const len = b1 & 0x7f;
  if (len < 126) return 2 + len;
  if (len === 126) return avail < 4 ? -1 : 4 + buf.readUInt16BE(i + 2);
  if (avail < 10) return -1;
  const hi = buf.readUInt32BE(i + 2);
  if (hi > 0x1fffff) throw new Error('websocket: frame length beyond 2^53');
  return 10 + hi * 0x100000000 + buf.readUInt32BE(i + 6);
}

const headerLength = (b1: number): number => ((b1 & 0x7f) < 126 ? 2 : (b1 & 0x7f) === 126 ? 4 : 10);

/**
 * Frames from a server (unmasked). Frames wholly inside a chunk are handed out in place; a frame
 * split across chunks is gathered (its parts copied into a list and joined once, so a big frame in
 * many small chunks costs one copy, and a chunk is never copied just to finish the frame before it).
 * The parser never keeps a view of a chunk, so the caller may reuse its read buffer.
 */
export function createFrameParser(onFrame: FrameHandler): FrameParser {
  let parts: Buffer[] = [];
  let held = 0;
  /** Size of the held frame once its header is complete, else -1. */
  let need = -1;
  const emit = (buf: Buffer, i: number, size: number) => {
    const h = headerLength(buf[i + 1]!);
    onFrame(buf[i]! & 0x0f, buf, i + h, i + size);
  };
  return {
    get pending() {
      return held;
    },
    push(chunk) {
      let i = 0;
      if (held > 0) {
        if (need < 0) {
          // Complete the header first (it is at most 10 bytes).
          const head = Buffer.concat([...parts, chunk.subarray(0, 10)]);
          need = frameSize(head, 0);
          if (need < 0) {
            parts = [head];
            held = head.length;
            return;
          }
        }
        const missing = need - held;
        if (chunk.length < missing) {
          parts.push(Buffer.from(chunk));
          held += chunk.length;
          return;
        }
        parts.push(chunk.subarray(0, missing));
        const frame = Buffer.concat(parts);
        i = missing;
        parts = [];
        held = 0;
        emit(frame, 0, need);
        need = -1;
      }
      const n = chunk.length;
      while (i < n) {
        const size = frameSize(chunk, i);
        if (size < 0 || n - i < size) {
          parts = [Buffer.from(chunk.subarray(i))];
          held = n - i;
          need = size;
          return;
        }
        emit(chunk, i, size);
        i += size;
      }
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
