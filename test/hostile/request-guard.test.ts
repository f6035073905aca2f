// What uWS's parsers let through, over raw TCP: the requests tickwire's request guard refuses (a
// repeated Host or Content-Length: 400 in the wire's format, connection closed, nothing smuggled),
// and the ones only the parser could refuse, shown on bare uWS (docs/security.md; a proxy closes them).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { RestErrorCode } from '../../server/wire/errors.ts';
import { CASES, rawExchange, startBareUws, UPGRADE, unmaskedFrame } from '../../bench/uws-parser-holes.ts';
import net from 'node:net';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer(loadConfig(['--port', '0', '--symbols', 'SOLUSDT:1']), { runMarket: false, distDir: '/nonexistent/tickwire-dist' });
});
afterAll(async () => {
  await server?.close();
});

/** Everything the server sends on a connection until it closes it (or 3 s pass). */
function exchange(bytes: string): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(server.port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false });
    }, 3000);
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
    socket.write(bytes);
  });
}

const statuses = (text: string) => text.match(/HTTP\/1\.1 \d{3}/g) ?? [];
const body = (text: string) => JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { code: number; msg: string };
const SMUGGLED = 'GET /api/v3/time HTTP/1.1\r\nHost: x\r\n\r\n';

describe('the request guard', () => {
  it.each(['/api/v3/ping', '/healthz', '/metrics', '/', '/api/v3/nothing'])('refuses two Host headers on %s with 400 -1101 and closes the connection', async (path) => {
    const r = await exchange(`GET ${path} HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n`);
    expect(statuses(r.text)).toEqual(['HTTP/1.1 400']);
    expect(body(r.text)).toEqual({ code: RestErrorCode.TOO_MANY_PARAMETERS, msg: "Duplicate values for the header 'host' detected." });
    expect(r.closed).toBe(true);
  });

  it('refuses a WebSocket upgrade with two Host headers (no 101)', async () => {
    const r = await exchange(UPGRADE().replace('Host: x\r\n', 'Host: x\r\nHost: y\r\n'));
    expect(statuses(r.text)).toEqual(['HTTP/1.1 400']);
    expect(body(r.text).code).toBe(RestErrorCode.TOO_MANY_PARAMETERS);
  });

  it.each(['/api/v3/ping', '/healthz', '/ws'])('drops a request to %s with two Content-Length headers, and the request smuggled behind it is never answered', async (path) => {
    const r = await exchange(`GET ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`);
    expect(r.text).toBe('');
    expect(r.closed).toBe(true);
  });

  it('answers the request before a smuggled one when only Host is repeated: the lengths agree, nothing is smuggled', async () => {
    const r = await exchange(`GET /api/v3/ping HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n`);
    expect(statuses(r.text)).toEqual(['HTTP/1.1 400']);
    expect(r.text).toContain('Connection: close');
  });

  it('serves the same requests with each header once, two pipelined on one connection', async () => {
    const r = await exchange(`GET /api/v3/ping HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n${SMUGGLED}`);
    expect(statuses(r.text)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200']);
    expect(r.text).toContain('serverTime');
  });
});

describe('bare uWS (no tickwire code), the holes only its parser could close', () => {
  let bare: Awaited<ReturnType<typeof startBareUws>>;
  beforeAll(async () => {
    bare = await startBareUws();
  });
  afterAll(() => bare?.close());
  const bytesOf = (name: string) => CASES.find((c) => c.name === name)!.bytes;

  it.each(['HTTP/1.0 request', 'absolute-form target', 'no Host header'])('holds a %s unanswered, its handler never called', async (name) => {
    const before = bare.seen.length;
    expect(await rawExchange(bare.port, bytesOf(name), 1000)).toBe('no answer in 1 s');
    expect(bare.seen.length).toBe(before);
  });

  it('serves two Host headers and a request smuggled behind two Content-Length headers', async () => {
    expect(await rawExchange(bare.port, bytesOf('two Host headers'), 1000)).toBe('HTTP/1.1 200 OK');
    expect(await rawExchange(bare.port, bytesOf('two different Content-Length headers (smuggling)'), 1000)).toBe('HTTP/1.1 200 OK | HTTP/1.1 200 OK');
    expect(bare.seen.at(-1)!.url).toBe('/smuggled');
  });

  it('reads an unmasked client frame as if masked and keeps the connection open', async () => {
    const text = '{"method":"LIST_SUBSCRIPTIONS","id":1}';
    expect(await rawExchange(bare.port, UPGRADE(), 1000, unmaskedFrame(text))).toBe('HTTP/1.1 101 Switching Protocols');
    expect(bare.messages.at(-1)).toHaveLength(text.length);
    expect(bare.messages.at(-1)).not.toBe(text);
  });
});
