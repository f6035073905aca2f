// Incoming frame sizes at and around the limits, written byte for byte on raw TCP sockets: up to
// ws.maxPayloadBytes a frame is read, above it the close is 1009, and above uWS's ceiling
// (frameCeilingBytes) the connection is dropped on the frame's header (docs/security.md).
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { frameCeilingBytes } from '../../server/gateway/limits.ts';
import { CloseCode, CloseReason } from '../../server/wire/errors.ts';
import { until, useGateway, type TestServer } from './harness.ts';

const { start: startGateway, client } = useGateway();

const LIMIT = 64 * 1024;
const CEILING = frameCeilingBytes(LIMIT);

/** A masked client frame (the mask key is zero, so the payload goes as is). `length` may announce more than is sent. */
function frame(opcode: number, payload: Buffer, { fin = true, length = BigInt(payload.length) } = {}): Buffer {
  let head: Buffer;
  if (length < 126n) head = Buffer.from([0, 0x80 | Number(length)]);
  else if (length < 65536n) (head = Buffer.alloc(4)).writeUInt16BE(Number(length), 2), (head[1] = 0x80 | 126);
  else (head = Buffer.alloc(10)).writeBigUInt64BE(length, 2), (head[1] = 0x80 | 127);
  head[0] = (fin ? 0x80 : 0) | opcode;
  return Buffer.concat([head, Buffer.alloc(4), payload]);
}

/** A text frame of exactly `size` bytes holding a LIST_SUBSCRIPTIONS request (padded with a field). */
function request(size: number): Buffer {
  const bare = '{"method":"LIST_SUBSCRIPTIONS","id":7,"pad":""}';
  return Buffer.from(bare.replace('""', `"${'x'.repeat(size - bare.length)}"`));
}

interface ServerFrame {
  readonly opcode: number;
  readonly payload: Buffer;
}

interface Raw {
  readonly sock: Socket;
  /** Frames the server sent after the 101, and whether the TCP connection has ended. */
  readonly frames: ServerFrame[];
  readonly ended: Promise<void>;
}

/** Upgrade a raw socket on /ws and parse what the server sends from then on. */
function openRaw(s: TestServer): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const sock = connect(s.port, '127.0.0.1', () =>
      sock.write('GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n'),
    );
    const frames: ServerFrame[] = [];
    const ended = new Promise<void>((r) => sock.once('close', () => r()));
    let buf = Buffer.alloc(0);
    let upgraded = false;
    sock.on('error', () => {}); // a reset after our bytes is one of the outcomes under test
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!buf.subarray(0, 12).toString().includes('101')) return reject(new Error(buf.toString()));
        upgraded = true;
        buf = buf.subarray(end + 4);
        resolve({ sock, frames, ended });
      }
      for (;;) {
        if (buf.length < 2) return;
        let len = buf[1]! & 0x7f;
        let at = 2;
        if (len === 126) (len = buf.readUInt16BE(2)), (at = 4);
        else if (len === 127) (len = Number(buf.readBigUInt64BE(2))), (at = 10);
        if (buf.length < at + len) return;
        frames.push({ opcode: buf[0]! & 0x0f, payload: buf.subarray(at, at + len) });
        buf = buf.subarray(at + len);
      }
    });
  });
}

/** The close frame's code and reason, if the server sent one. */
function closeOf(raw: Raw): { code: number; reason: string } | undefined {
  const f = raw.frames.find((x) => x.opcode === 8);
  return f && { code: f.payload.readUInt16BE(0), reason: f.payload.subarray(2).toString() };
}

describe('frame size', () => {
  it(`reads a frame of exactly ws.maxPayloadBytes (${LIMIT})`, async () => {
    const s = await startGateway();
    const raw = await openRaw(s);
    raw.sock.write(frame(1, request(LIMIT)));
    await until(() => raw.frames.length > 0, 5000, 'the reply');
    expect(JSON.parse(raw.frames[0]!.payload.toString())).toEqual({ result: [], id: 7 });
    raw.sock.destroy();
  });

  it.each([LIMIT + 1, 200_000, CEILING])('closes with 1009 on a frame of %i bytes', async (size) => {
    const s = await startGateway();
    const raw = await openRaw(s);
    raw.sock.write(frame(1, request(size)));
    await raw.ended;
    expect(closeOf(raw)).toEqual({ code: CloseCode.TOO_BIG, reason: CloseReason.TOO_BIG });
    expect(s.metrics.read('tickwire_ws_server_closes_total', { reason: 'too_big' })).toBe(1);
  });

  it('closes with 1009 on a message whose fragments are each under the limit but not together', async () => {
    const s = await startGateway();
    const raw = await openRaw(s);
    const body = request(LIMIT + 30_000);
    const parts = [body.subarray(0, 40_000), body.subarray(40_000, 80_000), body.subarray(80_000)];
    raw.sock.write(Buffer.concat([frame(1, parts[0]!, { fin: false }), frame(0, parts[1]!, { fin: false }), frame(0, parts[2]!)]));
    await raw.ended;
    expect(closeOf(raw)?.code).toBe(CloseCode.TOO_BIG);
  });

  it.each([
    ['one byte over the ceiling', BigInt(CEILING + 1)],
    ['2^63 - 1', 2n ** 63n - 1n],
    ['2^63 (a length RFC 6455 forbids)', 2n ** 63n],
  ])('drops the connection at once, without a close frame, on a header announcing %s', async (_what, length) => {
    const s = await startGateway();
    const raw = await openRaw(s);
    const other = await client(s, '/ws');
    // Only the header and a few bytes: uWS refuses on the header, before any payload is read.
    raw.sock.write(frame(1, Buffer.from('{"method"'), { length }));
    await raw.ended;
    expect(raw.frames).toEqual([]);
    await until(() => s.gateway.connections === 1, 3000, 'the gateway to let the connection go');
    expect(s.metrics.read('tickwire_ws_server_closes_total', { reason: 'too_big_dropped' })).toBe(1);
    expect(await other.request({ method: 'LIST_SUBSCRIPTIONS', id: 1 })).toEqual({ result: [], id: 1 });
  });

  it('follows a raised limit: the ceiling stays twice ws.maxPayloadBytes when that is over 1 MiB', () => {
    expect(frameCeilingBytes(64 * 1024)).toBe(1024 * 1024);
    expect(frameCeilingBytes(4 * 1024 * 1024)).toBe(8 * 1024 * 1024);
  });
});
