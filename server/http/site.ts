// The site around the feed: /metrics, /healthz, the dashboard's built files, and 404s for the rest.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import type { Metrics } from '../metrics.ts';
import { REST_ENDPOINT_DOCS } from './rest-catalog.ts';
import { loadStaticFiles, staticKey, type StaticFile } from './static-files.ts';
import { guardRequest } from './request-guard.ts';

export const DEFAULT_DIST_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));

export interface SiteOptions {
  readonly metrics: Metrics;
  /** The dashboard's build output (default web/dist of this checkout). */
  readonly distDir?: string | undefined;
  /** Open WebSocket connections, reported by /healthz. */
  readonly gatewayConnections: () => number;
  /**
   * The process's own health (a fleet gateway: caught up with the market or not): /healthz answers
   * 503 while `ok` is false, and its fields join the body. Default: always healthy, role "single".
   * A draining process answers 404 instead: to haproxy (`http-check disable-on-404`) that means
   * "no new clients, but leave the open ones to me", where a 503 would have it cut them.
   */
  readonly health?: () => { readonly ok: boolean; readonly draining?: boolean; readonly body: Readonly<Record<string, unknown>> };
}

export function attachSite(app: TemplatedApp, opts: SiteOptions): void {
  const distDir = opts.distDir ?? DEFAULT_DIST_DIR;
  const indexPath = join(distDir, 'index.html');
  const startedMs = Date.now();
  let files = loadStaticFiles(distDir);
  let indexMtime = mtimeOf(indexPath);
  let scannedMs = Date.now();

  /**
   * Read the directory again after a rebuild (`npm run build` while the server runs): when index.html
   * changed, or a file was asked for that the last scan did not see. At most once a second, so
   * requests for missing files cannot keep the server scanning.
   */
  const refresh = (force: boolean) => {
    const now = Date.now();
    if (!force && now - scannedMs < 1000) return;
    scannedMs = now;
    files = loadStaticFiles(distDir);
    indexMtime = mtimeOf(indexPath);
  };

  // GET and HEAD (same status and headers, no body: a `curl -I` health check works).
  const metrics = (res: HttpResponse, head: boolean) => {
    const body = opts.metrics.render();
    res.writeHeader('Content-Type', 'text/plain; version=0.0.4; charset=utf-8').writeHeader('Cache-Control', 'no-store');
    finish(res, body, head);
  };
  app.get('/metrics', guarded('/metrics', (res) => metrics(res, false)));
  app.head('/metrics', guarded('/metrics', (res) => metrics(res, true)));

  const healthz = (res: HttpResponse, head: boolean) => {
    const own = opts.health?.() ?? { ok: true, body: { role: 'single', pid: process.pid } };
    const body = JSON.stringify({
      status: own.ok ? 'ok' : 'unavailable',
      ...own.body,
      uptimeSec: Math.floor((Date.now() - startedMs) / 1000),
      connections: opts.gatewayConnections(),
      dashboard: files.has('/index.html'),
    });
    if (own.draining) res.writeStatus('404 Not Found');
    else if (!own.ok) res.writeStatus('503 Service Unavailable');
    res.writeHeader('Content-Type', 'application/json').writeHeader('Cache-Control', 'no-store');
    finish(res, body, head);
  };
  app.get('/healthz', guarded('/healthz', (res) => healthz(res, false)));
  app.head('/healthz', guarded('/healthz', (res) => healthz(res, true)));

  const serve = (res: HttpResponse, url: string, ifNoneMatch: string, head: boolean) => {
    if (url.startsWith('/api/')) return notFound(res, url, head);
    if (url === '/ws' || url.startsWith('/ws/') || url === '/stream') return upgradeRequired(res, head);
    const key = staticKey(url);
    if (key === undefined) return notFound(res, url, head);
    if (key === '/index.html' && mtimeOf(indexPath) !== indexMtime) refresh(true);
    let file = files.get(key);
    if (!file) {
      refresh(false);
      file = files.get(key);
    }
    if (!file) {
      if (key === '/index.html') return sendHelp(res, head);
      return notFound(res, url, head);
    }
    sendFile(res, file, ifNoneMatch, head);
  };

  app.get('/', guarded('/', (res, req) => serve(res, req.getUrl(), req.getHeader('if-none-match'), false)));
  app.get('/*', guarded('/*', (res, req) => serve(res, req.getUrl(), req.getHeader('if-none-match'), false)));
  app.any('/*', guarded('/*', (res, req) => {
    const url = req.getUrl();
    if (req.getMethod() === 'head') return serve(res, url, req.getHeader('if-none-match'), true);
    if (url.startsWith('/api/')) return notFound(res, url, false);
    // In the REST error format, like every other refusal.
    const body = JSON.stringify({ code: -1, msg: `Method ${req.getMethod().toUpperCase().slice(0, 20)} is not allowed on ${url.slice(0, 200)}; use GET or HEAD.` });
    res.writeStatus('405 Method Not Allowed').writeHeader('Allow', 'GET, HEAD').writeHeader('Content-Type', 'application/json').end(body);
  }));
}

/** Modification time of a file, NaN when it is missing (NaN never equals itself: a missing index always rescans). */
function mtimeOf(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return Number.NaN;
  }
}

/**
 * A route that answers 500 and logs instead of throwing into uWS (which would abort the process
 * for a response left unanswered). Handlers here are synchronous and write before they return.
 */
function guarded(route: string, handler: (res: HttpResponse, req: HttpRequest) => void) {
  return guardRequest((res: HttpResponse, req: HttpRequest) => {
    const url = req.getUrl();
    try {
      handler(res, req);
    } catch (err) {
      console.error(JSON.stringify({
        level: 'error', msg: 'site handler failed', route, url,
        error: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined,
      }));
      // Only when nothing was written yet can a status still go out; otherwise the connection is dropped.
      try {
        res.writeStatus('500 Internal Server Error').writeHeader('Content-Type', 'text/plain; charset=utf-8').end('Internal Server Error\n');
      } catch {
        res.close();
      }
    }
  });
}

function sendFile(res: HttpResponse, file: StaticFile, ifNoneMatch: string, head: boolean): void {
  if (ifNoneMatch !== '' && ifNoneMatch === file.etag) {
    res.writeStatus('304 Not Modified').writeHeader('ETag', file.etag).writeHeader('Cache-Control', file.cacheControl).endWithoutBody();
    return;
  }
  res
    .writeHeader('Content-Type', file.contentType)
    .writeHeader('Cache-Control', file.cacheControl)
    .writeHeader('ETag', file.etag)
    .writeHeader('X-Content-Type-Options', 'nosniff');
  finish(res, file.body, head);
}

/**
 * End with `body`, or for HEAD with only its length. (This uWS build's endWithoutBody(length)
 * aborts the process, so the length is written as a header and endWithoutBody() called bare.)
 */
function finish(res: HttpResponse, body: string | Buffer, head: boolean): void {
  if (head) res.writeHeader('Content-Length', String(Buffer.byteLength(body))).endWithoutBody();
  else res.end(body);
}

/** A plain GET on a stream path: say what the path is for rather than a bare 404. */
function upgradeRequired(res: HttpResponse, head: boolean): void {
  res
    .writeStatus('426 Upgrade Required')
    .writeHeader('Upgrade', 'websocket')
    .writeHeader('Content-Type', 'text/plain; charset=utf-8');
  finish(res, 'This path serves WebSocket streams: connect with a WebSocket client, e.g. ws://<host>/ws/solusdt@trade\n', head);
}

function notFound(res: HttpResponse, url: string, head: boolean): void {
  const shown = url.length > 200 ? `${url.slice(0, 200)}…` : url;
  if (url.startsWith('/api/')) {
    res
      .writeStatus('404 Not Found')
      .writeHeader('Content-Type', 'application/json;charset=UTF-8');
    finish(res, JSON.stringify({ code: -1, msg: `Unknown endpoint ${shown}.` }), head);
    return;
  }
  res.writeStatus('404 Not Found').writeHeader('Content-Type', 'text/plain; charset=utf-8');
  finish(res, `Not found: ${shown}\n`, head);
}

/** HTML-escape `text` and turn its `code` spans into <code> elements. */
export function inlineHtml(text: string): string {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return escaped.replace(/`([^`]*)`/g, '<code>$1</code>');
}

/** The page served at / while the dashboard is not built: how to build it, and what the server answers. */
export function renderHelp(): string {
  const rows = REST_ENDPOINT_DOCS.map(
    (d) => `<tr><td><code>${inlineHtml(d.path)}</code></td><td>${inlineHtml(d.summary)}</td><td>${inlineHtml(d.params || '—')}</td><td>${inlineHtml(d.weight)}</td></tr>`,
  ).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tickwire</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:3rem auto;padding:0 1rem}code{background:#eee;padding:0 .25em}table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.3em .6em;text-align:left;vertical-align:top}</style>
</head><body>
<h1>tickwire</h1>
<p>The dashboard has not been built. Run <code>npm run build</code> (it writes <code>web/dist</code>), then reload this page.</p>
<p>The server speaks Binance Spot's public market-data protocol; <code>docs/protocol.md</code> in the repository describes all of it.</p>
<h2>WebSocket streams</h2>
<ul>
<li><code>/ws/&lt;stream&gt;</code>, <code>/ws/&lt;s1&gt;/&lt;s2&gt;</code>, <code>/ws</code>: raw payloads (e.g. <code>/ws/solusdt@trade</code>)</li>
<li><code>/stream?streams=&lt;s1&gt;/&lt;s2&gt;</code>, <code>/stream</code>: each payload wrapped as <code>{"stream":…,"data":…}</code></li>
</ul>
<h2>REST</h2>
<table><thead><tr><th>path</th><th>answers</th><th>parameters (* required, default in brackets)</th><th>weight</th></tr></thead><tbody>
${rows}
</tbody></table>
<h2>Operations</h2>
<ul>
<li><a href="/metrics"><code>/metrics</code></a>: Prometheus text</li>
<li><a href="/healthz"><code>/healthz</code></a>: status, uptime, open connections, whether the dashboard is built</li>
</ul>
</body></html>
`;
}

const HELP = renderHelp();

function sendHelp(res: HttpResponse, head: boolean): void {
  res.writeHeader('Content-Type', 'text/html; charset=utf-8').writeHeader('Cache-Control', 'no-cache');
  finish(res, HELP, head);
}
