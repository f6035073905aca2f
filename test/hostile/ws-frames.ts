// Client WebSocket frames built byte by byte, well-formed or not, and the hostile connection
// scripts the network suite sends: text the gateway must answer, and frames RFC 6455 says end a connection.
import fc from 'fast-check';
import { controlText } from './arbitraries.ts';

export const OP = { CONT: 0x0, TEXT: 0x1, BINARY: 0x2, CLOSE: 0x8, PING: 0x9, PONG: 0xa } as const;

export interface FrameSpec {
  readonly op: number;
  readonly payload: Buffer;
  readonly fin?: boolean;
  /** RSV1–3 as a 3-bit number. */
  readonly rsv?: number;
  /** Clients must mask; false sends the payload bare (RFC 6455 §5.1: the server must close). */
  readonly mask?: boolean;
  /** Announce this length instead of the payload's (a lie, or a 64-bit length where 7 bits would do). */
  readonly announce?: bigint;
  readonly maskKey?: number;
}

export function frame(f: FrameSpec): Buffer {
  const { op, payload, fin = true, rsv = 0, mask = true, maskKey = 0x37fa213d } = f;
  const len = f.announce ?? BigInt(payload.length);
  const head: number[] = [(fin ? 0x80 : 0) | ((rsv & 7) << 4) | (op & 0xf)];
  const m = mask ? 0x80 : 0;
  if (f.announce === undefined && len < 126n) head.push(m | Number(len));
  else if (f.announce === undefined && len < 65536n) head.push(m | 126, Number(len >> 8n), Number(len & 0xffn));
  else {
    head.push(m | 127);
    for (let i = 7; i >= 0; i--) head.push(Number((len >> BigInt(i * 8)) & 0xffn));
  }
  const out = Buffer.from(payload);
  if (mask) {
    const key = [maskKey >>> 24, (maskKey >>> 16) & 0xff, (maskKey >>> 8) & 0xff, maskKey & 0xff];
    head.push(...key);
    for (let i = 0; i < out.length; i++) out[i]! ^= key[i & 3]!;
  }
  return Buffer.concat([Buffer.from(head), out]);
}

/** A frame the gateway must answer with exactly one JSON reply (a result or the wire's error). */
export interface Answered {
  readonly kind: 'answered';
  readonly bytes: Buffer;
  /** Frames on the wire (a fragmented message is several). */
  readonly frames: number;
}
/** A frame answered by the protocol itself (ping → pong), no reply expected. */
export interface Quiet {
  readonly kind: 'quiet';
  readonly bytes: Buffer;
  readonly frames: number;
}
/** A frame RFC 6455 says must end the connection. `hole` names the ones this uWS build lets through. */
export interface Fatal {
  readonly kind: 'fatal';
  readonly name: string;
  readonly bytes: Buffer;
  readonly frames: number;
  readonly hole?: string;
  /** Set when the server may rightly wait for more bytes (a header announcing a payload not yet sent). */
  readonly mayWait?: boolean;
}
export type Step = Answered | Quiet | Fatal;

const text = (s: string) => Buffer.from(s, 'utf8');
const key = fc.integer({ min: 0, max: 0xffffffff });

/** Text frames of control messages, well-formed or not, maybe fragmented; binary frames. */
const answered: fc.Arbitrary<Answered> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(controlText, key).map(([t, k]) => ({ kind: 'answered' as const, bytes: frame({ op: OP.TEXT, payload: text(t), maskKey: k }), frames: 1 })) },
  {
    weight: 2,
    arbitrary: fc.tuple(controlText, fc.integer({ min: 2, max: 4 }), key).map(([t, parts, k]) => {
      const body = text(t);
      const cut = Array.from({ length: parts - 1 }, (_, i) => Math.floor(((i + 1) * body.length) / parts));
      const pieces = [0, ...cut, body.length].slice(1).map((end, i, ends) => body.subarray(i === 0 ? 0 : ends[i - 1]!, end));
      const bytes = Buffer.concat(pieces.map((p, i) => frame({ op: i === 0 ? OP.TEXT : OP.CONT, payload: p, fin: i === pieces.length - 1, maskKey: k + i })));
      return { kind: 'answered' as const, bytes, frames: pieces.length };
    }),
  },
  { weight: 1, arbitrary: fc.tuple(fc.uint8Array({ maxLength: 300 }), key).map(([b, k]) => ({ kind: 'answered' as const, bytes: frame({ op: OP.BINARY, payload: Buffer.from(b), maskKey: k }), frames: 1 })) },
);

const quiet: fc.Arbitrary<Quiet> = fc.tuple(fc.uint8Array({ maxLength: 125 }), fc.boolean(), key).map(([b, ping, k]) => ({
  kind: 'quiet' as const, bytes: frame({ op: ping ? OP.PING : OP.PONG, payload: Buffer.from(b), maskKey: k }), frames: 1,
}));

const closePayload = (code: number, reason = '') => Buffer.concat([Buffer.from([code >> 8, code & 0xff]), text(reason)]);

/** Protocol violations, each a frame (or two) RFC 6455 answers by failing the connection. */
const fatal: fc.Arbitrary<Fatal> = fc.oneof(
  fc.tuple(fc.constantFrom(3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf), fc.uint8Array({ maxLength: 40 })).map(([op, b]) => ({ name: `reserved opcode ${op}`, bytes: frame({ op, payload: Buffer.from(b) }) })),
  fc.tuple(fc.integer({ min: 1, max: 7 }), controlText).map(([rsv, t]) => ({ name: `RSV bits ${rsv} without an extension`, bytes: frame({ op: OP.TEXT, payload: text(t), rsv }) })),
  fc.uint8Array({ maxLength: 40 }).map((b) => ({ name: 'fragmented ping', bytes: frame({ op: OP.PING, payload: Buffer.from(b), fin: false }) })),
  fc.uint8Array({ minLength: 126, maxLength: 400 }).map((b) => ({ name: 'ping over 125 bytes', bytes: frame({ op: OP.PING, payload: Buffer.from(b) }) })),
  controlText.map((t) => ({ name: 'continuation with nothing to continue', bytes: frame({ op: OP.CONT, payload: text(t) }) })),
  fc.tuple(controlText, controlText).map(([a, b]) => ({
    name: 'a new text frame inside a fragmented message',
    bytes: Buffer.concat([frame({ op: OP.TEXT, payload: text(a), fin: false }), frame({ op: OP.TEXT, payload: text(b) })]),
  })),
  fc.constantFrom([0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xff], [0xe2, 0x82]).map((b) => ({
    name: 'text that is not UTF-8', bytes: frame({ op: OP.TEXT, payload: Buffer.from([0x7b, ...b, 0x7d]) }),
  })),
  fc.constantFrom(0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535).map((code) => ({ name: `close code ${code}`, bytes: frame({ op: OP.CLOSE, payload: closePayload(code) }) })),
  fc.constant({ name: 'close payload of one byte', bytes: frame({ op: OP.CLOSE, payload: Buffer.from([3]) }) }),
  fc.constant({ name: 'close reason that is not UTF-8', bytes: frame({ op: OP.CLOSE, payload: Buffer.concat([closePayload(1000), Buffer.from([0xff, 0xfe])]) }) }),
  fc.tuple(fc.bigInt({ min: 2n ** 20n, max: 2n ** 63n - 1n }), fc.uint8Array({ maxLength: 64 })).map(([n, b]) => ({
    name: 'a length far over the payload limit', bytes: frame({ op: OP.TEXT, payload: Buffer.from(b), announce: n }),
  })),
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((b) => ({ name: 'random bytes', bytes: Buffer.from(b), mayWait: true })),
  controlText.map((t) => ({ name: 'unmasked text frame', bytes: frame({ op: OP.TEXT, payload: text(t), mask: false }), hole: 'uWS reads an unmasked client frame as if masked (RFC 6455 §5.1 says close)' })),
).map((f) => ({ kind: 'fatal' as const, frames: f.name === 'a new text frame inside a fragmented message' ? 2 : 1, ...f }));

/** How a connection ends: a polite close frame (every reply must have come first), a violation, or a vanishing client. */
export type Ending = { readonly kind: 'close'; readonly bytes: Buffer } | Fatal | { readonly kind: 'vanish' };

export interface Script {
  readonly steps: readonly (Answered | Quiet)[];
  readonly ending: Ending;
  /** Where to cut the bytes into TCP writes (fractions of the whole). */
  readonly cuts: readonly number[];
}

export const script: fc.Arbitrary<Script> = fc.record({
  steps: fc.array(fc.oneof({ weight: 8, arbitrary: answered }, { weight: 1, arbitrary: quiet }), { minLength: 0, maxLength: 40 }),
  ending: fc.oneof(
    { weight: 4, arbitrary: fc.constant({ kind: 'close' as const, bytes: frame({ op: OP.CLOSE, payload: closePayload(1000, 'bye') }) }) },
    { weight: 4, arbitrary: fatal },
    { weight: 1, arbitrary: fc.constant({ kind: 'vanish' as const }) },
  ),
  cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }),
});

/** Frames a script puts on the wire. */
export const framesOf = (s: Script): number =>
  s.steps.reduce((n, st) => n + st.frames, 0) + (s.ending.kind === 'fatal' ? s.ending.frames : s.ending.kind === 'close' ? 1 : 0);
