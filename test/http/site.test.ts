// The site routes over real sockets: /metrics, /healthz, the dashboard's files, and what is not there.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REST_ENDPOINT_DOCS } from '../../server/http/rest-catalog.ts';
import { inlineHtml } from '../../server/http/site.ts';
import { startHarness, type Harness } from './harness.ts';

describe('/metrics and /healthz', () => {
  let h: Harness;
  let connections = 0;
  beforeAll(async () => {
    h = await startHarness({ connections: () => connections });
  });
  afterAll(() => h.close());

  it('renders the registry as Prometheus text, REST counters included', async () => {
    await h.get('/api/v3/ping');
    const r = await h.get('/metrics');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(r.text).toContain('# TYPE tickwire_rest_requests_total counter');
    expect(r.text).toContain('tickwire_rest_requests_total{endpoint="/api/v3/ping",status="200"} 1');
  });

  it('says ok with the gateway connection count read at request time', async () => {
    connections = 3;
    const r = await h.get('/healthz');
    expect(r.status).toBe(200);
    expect(r.json()).toMatchObject({ status: 'ok', connections: 3, dashboard: false });
    connections = 5;
    expect((await h.get('/healthz')).json().connections).toBe(5);
  });

  it('answers 503 while the process is not ready and 404 while it drains (haproxy: no new clients, keep the open ones)', async () => {
    let health = { ok: false, draining: false, body: { role: 'gateway', state: 'catching up' } };
    const g = await startHarness({ health: () => health });
    try {
      const notReady = await g.get('/healthz');
      expect(notReady.status).toBe(503);
      expect(notReady.json()).toMatchObject({ status: 'unavailable', state: 'catching up' });
      health = { ok: false, draining: true, body: { role: 'gateway', state: 'draining' } };
      const draining = await g.get('/healthz');
      expect(draining.status).toBe(404);
      expect(draining.json()).toMatchObject({ status: 'unavailable', state: 'draining' });
      health = { ok: true, draining: false, body: { role: 'gateway', state: 'live' } };
      expect((await g.get('/healthz')).status).toBe(200);
    } finally {
      g.close();
    }
  });

  it('answers 500 and logs when a route throws, and keeps serving', async () => {
    const logged: string[] = [];
    const original = console.error;
    console.error = (line: string) => void logged.push(line);
    const broken = await startHarness({
      connections: () => {
        throw new Error('gateway gone');
      },
    });
    try {
      const r = await broken.get('/healthz');
      expect(r.status).toBe(500);
      expect((await broken.get('/metrics')).status).toBe(200);
    } finally {
      console.error = original;
      broken.close();
    }
    expect(JSON.parse(logged[0]!)).toMatchObject({ level: 'error', route: '/healthz', url: '/healthz', error: 'gateway gone' });
  });
});

describe('dashboard files', () => {
  let root: string;
  let dist: string;
  let h: Harness | undefined;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'tickwire-site-'));
    dist = join(root, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>tickwire dashboard</title>');
    writeFileSync(join(dist, 'assets', 'index-a1B2c3D4.js'), 'console.log("app")');
    writeFileSync(join(dist, 'assets', 'index-e5F6g7H8.css'), 'body{}');
    writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(root, 'secret.txt'), 'not for the web');
    symlinkSync(join(root, 'secret.txt'), join(dist, 'link.txt'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  afterEach(() => h?.close());

  it('serves index.html at / without caching it, and hashed assets as immutable', async () => {
    h = await startHarness({ distDir: dist });
    const index = await h.get('/');
    expect(index.status).toBe(200);
    expect(index.text).toContain('tickwire dashboard');
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['cache-control']).toBe('no-cache');
    const js = await h.get('/assets/index-a1B2c3D4.js');
    expect(js.text).toBe('console.log("app")');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await h.get('/assets/index-e5F6g7H8.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await h.get('/favicon.svg')).headers['content-type']).toBe('image/svg+xml');
    expect((await h.get('/healthz')).json().dashboard).toBe(true);
  });

  it('answers a matching If-None-Match with 304 and no body', async () => {
    h = await startHarness({ distDir: dist });
    const first = await h.get('/');
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^".+"$/);
    const again = await h.get('/', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect((await h.get('/', { 'if-none-match': '"other"' })).status).toBe(200);
  });

  it('never serves a file outside the directory, by dots, escapes or symlinks', async () => {
    h = await startHarness({ distDir: dist });
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/%2e%2e%2fsecret.txt', '/link.txt', '/..%5csecret.txt']) {
      const r = await h.get(path);
      expect(r.status, path).toBe(404);
      expect(r.text, path).not.toContain('not for the web');
    }
  });

  it('answers unknown paths with a plain 404, and unknown /api/ paths with a JSON one', async () => {
    h = await startHarness({ distDir: dist });
    const page = await h.get('/nothing-here');
    expect(page.status).toBe(404);
    expect(page.headers['content-type']).toBe('text/plain; charset=utf-8');
    const api = await h.get('/api/v9/nothing');
    expect(api.status).toBe(404);
    expect(api.json()).toMatchObject({ code: -1 });
  });

  it('tells a plain GET on a stream path to upgrade, with 426', async () => {
    h = await startHarness({ distDir: dist });
    for (const path of ['/ws', '/ws/solusdt@trade', '/stream']) {
      const r = await h.get(path);
      expect(r.status, path).toBe(426);
      expect(r.headers.upgrade).toBe('websocket');
      expect(r.text).toContain('WebSocket');
    }
  });

  it('answers HEAD with the length and no body, and other methods with 405', async () => {
    h = await startHarness({ distDir: dist });
    const head = await h.get('/assets/index-a1B2c3D4.js', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String('console.log("app")'.length));
    expect(head.text).toBe('');
    expect((await h.get('/', {}, 'POST')).status).toBe(405);
  });

  it('picks up a rebuild made while it runs: the new index and its new assets', async () => {
    const site = join(root, 'rebuilt');
    mkdirSync(join(site, 'assets'), { recursive: true });
    writeFileSync(join(site, 'index.html'), '<script src="/assets/app-00000001.js"></script>');
    writeFileSync(join(site, 'assets', 'app-00000001.js'), 'one');
    h = await startHarness({ distDir: site });
    expect((await h.get('/')).text).toContain('app-00000001');
    writeFileSync(join(site, 'assets', 'app-00000002.js'), 'two');
    writeFileSync(join(site, 'index.html'), '<script src="/assets/app-00000002.js"></script>');
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(site, 'index.html'), later, later);
    expect((await h.get('/')).text).toContain('app-00000002');
    expect((await h.get('/assets/app-00000002.js')).text).toBe('two');
  });

  it('escapes HTML in catalog text and turns backquoted spans into code elements', () => {
    expect(inlineHtml('`a<b>` & "c"')).toBe('<code>a&lt;b&gt;</code> &amp; &quot;c&quot;');
  });

  it('shows how to build the dashboard and every REST endpoint of the catalog when there is none, and serves it once built', async () => {
    const later = join(root, 'later');
    h = await startHarness({ distDir: later });
    const help = await h.get('/');
    expect(help.status).toBe(200);
    expect(help.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(help.text).toContain('npm run build');
    for (const endpoint of ['/metrics', '/healthz', '/stream?streams=&lt;', '/ws/&lt;stream&gt;']) expect(help.text).toContain(endpoint);
    for (const d of REST_ENDPOINT_DOCS) {
      expect(help.text, d.path).toContain(`<td><code>${d.path}</code></td><td>${inlineHtml(d.summary)}</td>`);
      expect(help.text, d.path).toContain(inlineHtml(d.weight));
    }
    mkdirSync(later);
    writeFileSync(join(later, 'index.html'), '<title>built later</title>');
    expect((await h.get('/')).text).toContain('built later');
  });
});
