// HEAD and the other methods on every path that answers GET: HEAD mirrors GET without a body,
// anything else is 405 with Allow, in the REST error format.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoints } from '../../server/http/rest-endpoints.ts';
import { startHarness, type Harness, type Reply } from './harness.ts';

/** One valid request per REST endpoint. */
const REQUESTS: Readonly<Record<string, string>> = {
  '/api/v3/ping': '',
  '/api/v3/time': '',
  '/api/v3/exchangeInfo': '',
  '/api/v3/depth': '?symbol=SOLUSDT',
  '/api/v3/trades': '?symbol=SOLUSDT',
  '/api/v3/historicalTrades': '?symbol=SOLUSDT',
  '/api/v3/aggTrades': '?symbol=SOLUSDT',
  '/api/v3/klines': '?symbol=SOLUSDT&interval=1m',
  '/api/v3/uiKlines': '?symbol=SOLUSDT&interval=1m',
  '/api/v3/ticker': '?symbol=SOLUSDT',
  '/api/v3/ticker/24hr': '?symbol=SOLUSDT',
  '/api/v3/ticker/price': '?symbol=SOLUSDT',
  '/api/v3/ticker/bookTicker': '?symbol=SOLUSDT',
  '/api/v3/avgPrice': '?symbol=SOLUSDT',
};

/** Headers that legitimately differ between two requests in a row. */
const VOLATILE = new Set(['date', 'x-mbx-used-weight', 'x-mbx-used-weight-1m', 'content-length']);
const stable = (r: Reply) => Object.fromEntries(Object.entries(r.headers).filter(([k]) => !VOLATILE.has(k)));

describe('HTTP methods', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ weightPerMinute: 1_000_000 });
  });
  afterAll(() => h.close());

  it('covers every REST endpoint in these tests', () => {
    const paths = createEndpoints(h.market, { weightPerMinute: 1 }).map((e) => e.path);
    expect(Object.keys(REQUESTS).sort()).toEqual([...paths].sort());
  });

  it.each(Object.entries(REQUESTS))('answers HEAD %s with the status and headers of GET and no body', async (path, query) => {
    const get = await h.get(path + query);
    const head = await h.get(path + query, {}, 'HEAD');
    expect(get.status).toBe(200);
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(stable(head)).toEqual(stable(get));
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(get.text)));
    expect(Number(head.headers['x-mbx-used-weight'])).toBeGreaterThan(0);
  });

  it('answers HEAD with the same refusal as GET when the request is bad', async () => {
    const get = await h.get('/api/v3/depth');
    const head = await h.get('/api/v3/depth', {}, 'HEAD');
    expect(get.status).toBe(400);
    expect(head.status).toBe(400);
    expect(head.text).toBe('');
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(get.text)));
  });

  it.each(['/healthz', '/metrics'])('answers HEAD %s with 200, the headers of GET and no body', async (path) => {
    const get = await h.get(path);
    const head = await h.get(path, {}, 'HEAD');
    expect(get.status).toBe(200);
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(stable(head)).toEqual(stable(get));
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
  });

  it.each([
    ['POST', '/api/v3/ping', 'GET, HEAD, OPTIONS'],
    ['DELETE', '/api/v3/klines?symbol=SOLUSDT&interval=1m', 'GET, HEAD, OPTIONS'],
    ['PUT', '/api/v3/ticker/price', 'GET, HEAD, OPTIONS'],
    ['POST', '/healthz', 'GET, HEAD'],
    ['PATCH', '/metrics', 'GET, HEAD'],
  ])('answers %s %s with 405, Allow and a REST error body', async (method, path, allow) => {
    const r = await h.get(path, {}, method);
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe(allow);
    expect(r.json()).toEqual({ code: -1, msg: expect.stringContaining(method) });
  });

  it('still answers the CORS preflight on an endpoint, and 404 on a path that is none', async () => {
    const pre = await h.get('/api/v3/ticker/price', { Origin: 'http://x', 'Access-Control-Request-Method': 'GET' }, 'OPTIONS');
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-methods']).toContain('GET');
    const none = await h.get('/api/v3/nothing', {}, 'POST');
    expect(none.status).toBe(404);
    expect(none.json()).toMatchObject({ code: -1 });
  });
});
