// Opening handshakes RFC 6455 requires a server to refuse, sent byte for byte over raw TCP sockets.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useGateway, type TestServer } from './harness.ts';

const { start: startGateway, client } = useGateway();

interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const VALID = { Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Key': KEY, 'Sec-WebSocket-Version': '13' };

/**
 * Send `GET path` with exactly `headers` (plus Host) and read the reply's head and, unless it is
 * a 101, its Content-Length body. The socket is destroyed once the reply is read.
 */
function handshake(s: TestServer, headers: Readonly<Record<string, string | undefined>>, path = '/ws'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    let raw = Buffer.alloc(0);
    const sock = connect(s.port, '127.0.0.1', () => {
      const lines = Object.entries(headers).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}: ${v}\r\n`);
      sock.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${lines.join('')}\r\n`);
    });
    const done = (reply: Reply) => {
      sock.destroy();
      resolve(reply);
    };
    sock.on('data', (d) => {
      raw = Buffer.concat([raw, d]);
      const end = raw.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [statusLine, ...fields] = raw.subarray(0, end).toString('latin1').split('\r\n');
      const head = Object.fromEntries(fields.map((f) => [f.slice(0, f.indexOf(':')).toLowerCase(), f.slice(f.indexOf(':') + 1).trim()]));
      const status = Number(statusLine!.split(' ')[1]);
      const length = Number(head['content-length'] ?? 0);
      if (status === 101) return done({ status, headers: head, body: '' });
      if (raw.length >= end + 4 + length) done({ status, headers: head, body: raw.subarray(end + 4, end + 4 + length).toString() });
    });
    sock.once('close', () => reject(new Error(`connection closed before a full reply: ${JSON.stringify(raw.toString('latin1'))}`)));
    sock.once('error', reject);
  });
}

describe('opening handshake', () => {
  it('accepts a valid handshake, with header names and tokens in any case and Connection as a list', async () => {
    const s = await startGateway();
    expect((await handshake(s, VALID)).status).toBe(101);
    expect((await handshake(s, { ...VALID, Upgrade: 'WebSocket', Connection: 'keep-alive, UPGRADE' })).status).toBe(101);
    expect((await handshake(s, { ...VALID, Connection: 'upgrade,keep-alive' }, '/stream?streams=solusdt@trade')).status).toBe(101);
  });

  it.each([
    ['no Sec-WebSocket-Version', undefined],
    ['Sec-WebSocket-Version: 8', '8'],
    ['Sec-WebSocket-Version: 14', '14'],
  ])('answers %s with 426 naming version 13, in the wire error format', async (_what, version) => {
    const s = await startGateway();
    const reply = await handshake(s, { ...VALID, 'Sec-WebSocket-Version': version });
    expect(reply.status).toBe(426);
    expect(reply.headers['sec-websocket-version']).toBe('13');
    expect(JSON.parse(reply.body)).toEqual({ code: -1102, msg: expect.stringContaining('13') });
  });

  it.each([
    ['no Upgrade header', { Upgrade: undefined }, 'Upgrade'],
    ['Upgrade: h2c', { Upgrade: 'h2c' }, 'Upgrade'],
    ['no Connection header', { Connection: undefined }, 'Connection'],
    ['Connection: keep-alive', { Connection: 'keep-alive' }, 'Connection'],
    ['Connection: upgrades (not the token)', { Connection: 'upgrades' }, 'Connection'],
    ['no Sec-WebSocket-Key', { 'Sec-WebSocket-Key': undefined }, 'Sec-WebSocket-Key'],
    ['a short key', { 'Sec-WebSocket-Key': 'short' }, 'Sec-WebSocket-Key'],
    ['a key of 24 characters outside base64', { 'Sec-WebSocket-Key': '!!!!!!!!!!!!!!!!!!!!!!==' }, 'Sec-WebSocket-Key'],
    ['a key of 17 bytes', { 'Sec-WebSocket-Key': Buffer.alloc(17, 7).toString('base64') }, 'Sec-WebSocket-Key'],
    ['a key of 18 bytes', { 'Sec-WebSocket-Key': Buffer.alloc(18, 7).toString('base64') }, 'Sec-WebSocket-Key'],
    ['a key of 15 bytes', { 'Sec-WebSocket-Key': Buffer.alloc(15, 7).toString('base64') }, 'Sec-WebSocket-Key'],
  ])('answers a handshake with %s with 400, in the wire error format', async (_what, change, header) => {
    const s = await startGateway();
    const reply = await handshake(s, { ...VALID, ...change });
    expect(reply.status).toBe(400);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(JSON.parse(reply.body)).toEqual({ code: -1102, msg: expect.stringContaining(header) });
    expect(s.metrics.read('tickwire_ws_handshakes_refused_total')).toBe(1);
  });

  it('answers a plain GET on a stream path with 426 and Upgrade: websocket', async () => {
    const s = await startGateway();
    const reply = await handshake(s, {}, '/ws/solusdt@trade');
    expect(reply.status).toBe(426);
    expect(reply.headers.upgrade).toBe('websocket');
    expect(JSON.parse(reply.body)).toMatchObject({ code: -1102 });
  });

  it('keeps serving after refusals, and opens no connection for them', async () => {
    const s = await startGateway();
    for (const change of [{ Upgrade: undefined }, { 'Sec-WebSocket-Key': 'short' }, { 'Sec-WebSocket-Version': '7' }]) {
      await handshake(s, { ...VALID, ...change });
    }
    expect(s.gateway.connections).toBe(0);
    const c = await client(s, '/ws');
    expect(await c.request({ method: 'LIST_SUBSCRIPTIONS', id: 1 })).toEqual({ result: [], id: 1 });
  });
});
