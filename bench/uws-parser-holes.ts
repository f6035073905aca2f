// Shows what this uWS build's HTTP and WebSocket parsers let through, on a bare uWS app (no
// tickwire code): `npx tsx bench/uws-parser-holes.ts`. docs/security.md explains each line and
// where it is closed (in tickwire's request guard, or at a proxy in front).
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { loadUws } from '../server/uws.ts';

export interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: readonly (readonly [string, string])[];
}

export interface Probe {
  /** Raw bytes of the first status line, or what happened instead. */
  readonly answer: string;
  /** Every request the handler saw on the connection. */
  readonly seen: readonly Seen[];
  /** WebSocket text messages the handler received (the unmasked-frame case). */
  readonly messages: readonly string[];
}

/** A bare uWS app that answers every request with what its handler saw. */
export async function startBareUws(): Promise<{ port: number; seen: Seen[]; messages: string[]; close(): void }> {
  const { uws } = loadUws();
  const app = uws.App();
  const seen: Seen[] = [];
  const messages: string[] = [];
  app.ws('/ws', {
    message: (_ws, data) => void messages.push(Buffer.from(data).toString('latin1')),
  });
  app.any('/*', (res, req) => {
    const headers: [string, string][] = [];
    req.forEach((k, v) => headers.push([k, v]));
    const s = { method: req.getMethod(), url: req.getUrl(), headers };
    seen.push(s);
    res.end(JSON.stringify(s));
  });
  const listen = await new Promise<unknown>((resolve) => app.listen('127.0.0.1', 0, resolve));
  if (!listen) throw new Error('bare uWS could not listen');
  return {
    port: uws.us_socket_local_port(listen as never),
    seen,
    messages,
    close: () => uws.us_listen_socket_close(listen as never),
  };
}

/**
 * Send `bytes` on a new connection (and `after`, once the first answer has come: uWS drops bytes
 * that arrive with the upgrade request itself); the status lines that came back within `waitMs`,
 * or "no answer", or "closed without an answer".
 */
export function rawExchange(port: number, bytes: string | Buffer, waitMs: number, after?: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let got = '';
    const done = (why?: string) => {
      clearTimeout(timer);
      socket.destroy();
      const lines = got.match(/HTTP\/1\.[01] \d{3}[^\r]*/g) ?? [];
      resolve(lines.length ? `${lines.join(' | ')}${why ? ', then closed' : ''}` : why ?? `no answer in ${waitMs / 1000} s`);
    };
    const timer = setTimeout(() => done(), waitMs);
    socket.on('data', (d: Buffer) => {
      if (got === '' && after) socket.write(after);
      got += d.toString('latin1');
    });
    socket.on('close', () => done('closed without an answer'));
    socket.on('error', () => undefined);
    socket.write(bytes);
  });
}

export const UPGRADE = () =>
  `GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`;

/**
 * One text frame sent unmasked (RFC 6455 §5.1: the server must close), then 4 bytes more: uWS
 * takes the payload's first 4 bytes as a mask key and those 4 as the payload's end.
 */
export function unmaskedFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  return Buffer.concat([Buffer.from([0x81, payload.length]), payload, Buffer.from('....')]);
}

export const SMUGGLED = 'GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n';

/** The parser holes, each as the raw bytes a client sends. */
export const CASES: readonly { readonly name: string; readonly bytes: string | Buffer; readonly after?: Buffer }[] = [
  { name: 'HTTP/1.0 request', bytes: 'GET /x HTTP/1.0\r\nHost: x\r\n\r\n' },
  { name: 'absolute-form target', bytes: 'GET http://x/x HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'no Host header', bytes: 'GET /x HTTP/1.1\r\n\r\n' },
  { name: 'two Host headers', bytes: 'GET /x HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n' },
  { name: 'two different Content-Length headers (smuggling)', bytes: `POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}` },
  { name: 'Content-Length and Transfer-Encoding: chunked', bytes: `POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: ${SMUGGLED.length + 5}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}` },
  { name: 'lower-case method', bytes: 'get /x HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'unmasked client frame', bytes: UPGRADE(), after: unmaskedFrame('{"method":"LIST_SUBSCRIPTIONS","id":1}') },
];

async function main(): Promise<void> {
  const bare = await startBareUws();
  const waitMs = Number(process.argv[2] ?? 2000);
  console.log(`bare uWS on 127.0.0.1:${bare.port} (each case on its own connection, ${waitMs / 1000} s to answer)`);
  for (const c of CASES) {
    const before = bare.seen.length;
    const beforeMsgs = bare.messages.length;
    const answer = await rawExchange(bare.port, c.bytes, waitMs, c.after);
    const seen = bare.seen.slice(before).map((s) => `${s.method.toUpperCase()} ${s.url} [${s.headers.map(([k, v]) => `${k}: ${v}`).join(', ')}]`);
    const msgs = bare.messages.slice(beforeMsgs).map((m) => JSON.stringify(m));
    console.log(`- ${c.name}: ${answer}${seen.length ? `; handler saw ${seen.join(' then ')}` : '; handler not called'}${msgs.length ? `; message handler got ${msgs.join(', ')}` : ''}`);
  }
  bare.close();
  process.exit(0);
}

if (import.meta.url === `file://${process.argv[1]}`) void main();
