import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createRest, headBytes, RestFailure } from '../../web/src/state/rest.ts';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** A tiny HTTP server on port 0 answering like the wire's REST side. */
async function serve(): Promise<string> {
  server = createServer((req, res) => {
    if (req.url === '/api/v3/time') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"serverTime":1700000000000}');
    } else if (req.url?.startsWith('/api/v3/bad')) {
      res.writeHead(400, { 'Content-Type': 'application/json' }).end('{"code":-1121,"msg":"Invalid symbol."}');
    } else {
      res.writeHead(502, { 'Content-Type': 'text/html' }).end('<html>bad gateway</html>');
    }
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server!.address() as { port: number }).port}`;
}

describe('REST client', () => {
  it('counts the status line, the headers and the blank line of a response head', () => {
    expect(headBytes(200, 'OK', [['a', 'b']])).toBe('HTTP/1.1 200 OK\r\na: b\r\n\r\n'.length);
  });

  it('returns the data with the bytes it cost, at least the body and the head', async () => {
    const rest = createRest(await serve());
    const deltas: number[] = [];
    const r = await rest.get<{ serverTime: number }>('/api/v3/time', { onBytes: (n) => deltas.push(n) });
    expect(r.data.serverTime).toBe(1700000000000);
    expect(r.bytes).toBeGreaterThan('{"serverTime":1700000000000}'.length + 'HTTP/1.1 200 OK\r\n'.length);
    expect(deltas[0]).toBe(r.bytes);
    rest.close();
  });

  it('turns a wire error into a RestFailure with its code', async () => {
    const rest = createRest(await serve());
    const err = await rest.get('/api/v3/bad?symbol=X').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RestFailure);
    expect(err).toMatchObject({ status: 400, code: -1121 });
    rest.close();
  });

  it('rejects a body that is not JSON without crashing', async () => {
    const rest = createRest(await serve());
    const err = await rest.get('/elsewhere').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'RestFailure', status: 502, code: null });
    rest.close();
  });
});
