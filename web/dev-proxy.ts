// The dev server's proxy to the feed server, and what it says when nothing answers there: one
// "start the server with npm start" per outage, in the terminal and in the page, instead of a
// stack trace per request (the page polls several times a second).
import type { Logger, ProxyOptions } from 'vite';
import { NO_FEED_SERVER_HEADER } from './src/state/rest.ts';

/** The one line said when the feed server is missing. */
export function noServerText(target: string): string {
  return `no feed server at ${target}: start the server with npm start (or point TICKWIRE_URL at one)`;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT']);

/**
 * True for the errors of a target that is not there. Node reports a refused `localhost` (tried
 * on ::1 and 127.0.0.1) as an AggregateError whose parts carry the codes.
 */
export function isUnreachable(err: unknown): boolean {
  if (err === null || typeof err !== 'object') return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && UNREACHABLE.has(code)) return true;
  const parts = (err as { errors?: unknown }).errors;
  return Array.isArray(parts) && parts.length > 0 && parts.every(isUnreachable);
}

type HttpProxy = Parameters<NonNullable<ProxyOptions['configure']>>[0];

export interface DevProxy {
  /** For `server.proxy`: the REST paths and both WebSocket endpoints. */
  readonly proxy: Record<string, ProxyOptions>;
  /** For `customLogger`: `base` without Vite's per-request stack trace for an absent target. */
  readonly logger: Logger;
}

export function devProxy(target: string, base: Logger): DevProxy {
  const wsTarget = target.replace(/^http/, 'ws');
  let down = false;
  const wentDown = () => {
    if (down) return;
    down = true;
    base.warn(`tickwire: ${noServerText(target)}`, { timestamp: true });
  };
  const cameBack = () => {
    if (!down) return;
    down = false;
    base.info(`tickwire: the feed server at ${target} answers again`, { timestamp: true });
  };
  // Registered before Vite's own error handler (configure runs first), so the page gets a body
  // that says what to do; Vite's handler then only logs, which `logger` below filters.
  const configure = (proxy: HttpProxy) => {
    proxy.on('error', (err, _req, res) => {
      if (!isUnreachable(err)) return;
      wentDown();
      if ('writeHead' in res && !res.headersSent && !res.writableEnded) {
        res.writeHead(502, { 'Content-Type': 'text/plain; charset=utf-8', [NO_FEED_SERVER_HEADER]: '1' }).end(noServerText(target));
      }
    });
    proxy.on('proxyRes', cameBack);
    proxy.on('open', cameBack);
  };
  const logger: Logger = Object.create(base, {
    error: {
      value: (msg: string, opts?: Parameters<Logger['error']>[1]) => {
        if (isUnreachable(opts?.error)) return; // said once by wentDown
        base.error(msg, opts);
      },
    },
  });
  return {
    proxy: {
      '/api': { target, changeOrigin: true, configure },
      '/ws': { target: wsTarget, ws: true, changeOrigin: true, configure },
      '/stream': { target: wsTarget, ws: true, changeOrigin: true, configure },
      // '/ws' above also covers the WebSocket API at /ws-api/v3.
      '/sse': { target, changeOrigin: true, configure },
      '/poll': { target, changeOrigin: true, configure },
    },
    logger,
  };
}
