// The load generator's WebSocket client parts, on bytes: frame parsing across chunks and the field scanner.
import { describe, expect, it } from 'vitest';
import { clientFrame, createFrameParser, headEnd, KEY_E, KEY_T, OP_PING, OP_PONG, OP_TEXT, scanInt } from '../../bench/load/frames.ts';
import { encodeTrade } from '../../server/wire/encode.ts';

/** A server (unmasked) frame with the right length encoding for its size. */
function serverFrame(opcode: number, payload: Buffer): Buffer {
  const n = payload.length;
  const head = n < 126 ? Buffer.from([0x80 | opcode, n]) : n < 65536 ? Buffer.from([0x80 | opcode, 126, n >> 8, n & 0xff]) : (() => {
    const h = Buffer.alloc(10);
    h[0] = 0x80 | opcode;
    h[1] = 127;
    h.writeUInt32BE(0, 2);
    h.writeUInt32BE(n, 6);
    return h;
  })();
  return Buffer.concat([head, payload]);
}

const collect = () => {
  const frames: [number, string][] = [];
  const parser = createFrameParser((op, buf, s, e) => frames.push([op, buf.toString('utf8', s, e)]));
  return { frames, parser };
};

describe('frame parser', () => {
  it('reads a text frame given as bytes', () => {
    const { frames, parser } = collect();
    parser.push(Buffer.from('810548656c6c6f', 'hex'));
    expect(frames).toEqual([[OP_TEXT, 'Hello']]);
    expect(parser.pending).toBe(0);
  });

  it('reads 7-bit, 16-bit and 64-bit lengths, several frames per chunk', () => {
    const { frames, parser } = collect();
    const sizes = [3, 125, 126, 300, 65535, 70_000];
    const payloads = sizes.map((n, i) => String.fromCharCode(97 + i).repeat(n));
    parser.push(Buffer.concat(payloads.map((p) => serverFrame(OP_TEXT, Buffer.from(p)))));
    expect(frames.map((f) => f[1])).toEqual(payloads);
  });

  it('gives the same frames whatever the chunk boundaries, down to one byte at a time', () => {
    const payloads = ['{"a":1}', 'x'.repeat(200), 'y'.repeat(70_000), ''];
    const bytes = Buffer.concat(payloads.map((p) => serverFrame(OP_TEXT, Buffer.from(p))));
    for (const step of [1, 2, 3, 7, 1000]) {
      const { frames, parser } = collect();
      for (let i = 0; i < bytes.length; i += step) parser.push(bytes.subarray(i, i + step));
      expect(frames.map((f) => f[1])).toEqual(payloads);
      expect(parser.pending).toBe(0);
    }
  });

  it('keeps a partial frame back until the rest arrives', () => {
    const { frames, parser } = collect();
    const f = serverFrame(OP_PING, Buffer.from('hi'));
    parser.push(f.subarray(0, 3));
    expect(frames).toEqual([]);
    expect(parser.pending).toBe(3);
    parser.push(f.subarray(3));
    expect(frames).toEqual([[OP_PING, 'hi']]);
  });

  it('refuses a masked frame from a server', () => {
    const { parser } = collect();
    expect(() => parser.push(Buffer.from([0x81, 0x81, 1, 2, 3, 4, 0x41]))).toThrow(/masked/);
  });
});

describe('client frames', () => {
  it('masks with a zero key, so the payload bytes stay as they are', () => {
    const f = clientFrame(OP_PONG, Buffer.from('ab'));
    expect([...f]).toEqual([0x8a, 0x82, 0, 0, 0, 0, 0x61, 0x62]);
  });

  it('refuses payloads too big for the short form', () => {
    expect(() => clientFrame(OP_TEXT, Buffer.alloc(126))).toThrow(RangeError);
  });
});

describe('field scanner', () => {
  const trade = {
    symbol: 'SOLUSDT', id: 123_456, price: '142.35000000', qty: '3.20000000', quoteQty: '455.52000000',
    timeUs: 1_700_000_000_123_456, buyerMaker: true,
  };

  it('pulls the event time and trade id out of the server encoder output', () => {
    const body = Buffer.from(encodeTrade(trade, trade.timeUs + 7, 'us'));
    expect(scanInt(body, 0, body.length, KEY_E)).toBe(trade.timeUs + 7);
    expect(scanInt(body, 0, body.length, KEY_T)).toBe(123_456);
  });

  it('finds them inside a combined wrapper and a Socket.IO event', () => {
    const payload = encodeTrade(trade, trade.timeUs, 'us');
    for (const text of [`{"stream":"solusdt@trade","data":${payload}}`, `42["trade",${payload}]`]) {
      const b = Buffer.from(text);
      expect(scanInt(b, 0, b.length, KEY_E)).toBe(trade.timeUs);
      expect(scanInt(b, 0, b.length, KEY_T)).toBe(123_456);
    }
  });

  it('answers -1 for a message without the field, or with a non-number in it', () => {
    const a = Buffer.from('{"result":null,"id":1}');
    expect(scanInt(a, 0, a.length, KEY_E)).toBe(-1);
    const b = Buffer.from('{"E":"soon"}');
    expect(scanInt(b, 0, b.length, KEY_E)).toBe(-1);
  });

  it('does not read past the end it is given', () => {
    const b = Buffer.from('{"E":12345}');
    expect(scanInt(b, 0, 8, KEY_E)).toBe(123);
  });

  it('finds the end of an HTTP head', () => {
    const head = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n';
    expect(headEnd(Buffer.from(head + '\x81\x00', 'latin1'))).toBe(head.length);
    expect(headEnd(Buffer.from('HTTP/1.1 101 Switching'))).toBe(-1);
  });
});

describe('frame parser with a reused read buffer', () => {
  it('gives the right frames when the caller overwrites its buffer after every push', () => {
    const payloads = ['{"E":1,"t":1}', 'z'.repeat(300), '{"E":2,"t":2}'];
    const bytes = Buffer.concat(payloads.map((p) => serverFrame(OP_TEXT, Buffer.from(p))));
    const { frames, parser } = collect();
    const reused = Buffer.alloc(5);
    for (let i = 0; i < bytes.length; i += 5) {
      const n = bytes.copy(reused, 0, i, i + 5);
      parser.push(reused.subarray(0, n));
      reused.fill(0x21);
    }
    expect(frames.map((f) => f[1])).toEqual(payloads);
  });
});
