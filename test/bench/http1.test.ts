// The polling clients' HTTP/1.1 response parser, on bytes.
import { describe, expect, it } from 'vitest';
import { createResponseParser, getRequest } from '../../bench/load/http1.ts';

const response = (status: number, body: string, extra = '') =>
  Buffer.from(`HTTP/1.1 ${status} X\r\nContent-Type: application/json\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);

const collect = () => {
  const got: [number, string][] = [];
  const parser = createResponseParser((status, body) => got.push([status, body.toString()]));
  return { got, parser };
};

describe('HTTP/1.1 response parser', () => {
  it('reads pipelined responses in one chunk, whatever their status', () => {
    const { got, parser } = collect();
    parser.push(Buffer.concat([response(200, '[{"id":1}]'), response(429, '{"code":-1003}'), response(200, '')]));
    expect(got).toEqual([[200, '[{"id":1}]'], [429, '{"code":-1003}'], [200, '']]);
  });

  it('gives the same responses byte by byte, from a buffer the caller reuses', () => {
    const bytes = Buffer.concat([response(200, 'x'.repeat(3000), 'uWebSockets: 20\r\n'), response(200, '[]')]);
    const { got, parser } = collect();
    const reused = Buffer.alloc(1);
    for (const b of bytes) {
      reused[0] = b;
      parser.push(reused);
    }
    expect(got).toEqual([[200, 'x'.repeat(3000)], [200, '[]']]);
  });

  it('reads the length header in any letter case', () => {
    const { got, parser } = collect();
    parser.push(Buffer.from('HTTP/1.1 200 OK\r\ncontent-LENGTH: 2\r\n\r\n{}'));
    expect(got).toEqual([[200, '{}']]);
  });

  it('refuses what is not a Content-Length response', () => {
    expect(() => collect().parser.push(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'))).toThrow(/Content-Length/);
    expect(() => collect().parser.push(Buffer.from('SSH-2.0-OpenSSH\r\n\r\n'))).toThrow(/not a response/);
  });

  it('builds a keep-alive GET with the extra headers', () => {
    expect(getRequest('127.0.0.1', 8080, '/api/v3/ping', { 'X-MBX-TIME-UNIT': 'MICROSECOND' }).toString())
      .toBe('GET /api/v3/ping HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nX-MBX-TIME-UNIT: MICROSECOND\r\n\r\n');
  });
});
