// `npm run dev` with no feed server behind it: the page is told to start one, the terminal
// says so once per outage, and no stack trace is printed per request.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createServer, type Logger, type ViteDevServer } from 'vite';
import { afterEach, describe, expect, it } from 'vitest';
import { devProxy, isUnreachable } from '../../web/dev-proxy.ts';
import { createRest, describeFailure, RestFailure } from '../../web/src/state/rest.ts';

const WEB = fileURLToPath(new URL('../../web', import.meta.url));

/** A logger that records what the dev server would print. */
function recorder() {
  const lines: { level: string; msg: string }[] = [];
  const rec = (level: string) => (msg: string) => void lines.push({ level, msg });
  const logger: Logger = {
    hasWarned: false,
    info: rec('info'),
    warn: rec('warn'),
    warnOnce: rec('warn'),
    error: rec('error'),
    clearScreen: () => {},
    hasErrorLogged: () => false,
  };
  return { logger, lines };
}

async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

let vite: ViteDevServer | undefined;
let backend: Server | undefined;
afterEach(async () => {
  await vite?.close();
  await new Promise<void>((r) => (backend ? backend.close(() => r()) : r()));
  vite = backend = undefined;
});

async function startVite(target: string, logger: Logger): Promise<string> {
  const dev = devProxy(target, logger);
  vite = await createServer({
    configFile: false,
    root: WEB,
    customLogger: dev.logger,
    optimizeDeps: { noDiscovery: true, include: [] },
    server: { host: '127.0.0.1', port: 0, strictPort: false, proxy: dev.proxy, watch: null, ws: false },
  });
  await vite.listen();
  return `http://127.0.0.1:${(vite.httpServer!.address() as { port: number }).port}`;
}

describe('dev server without a feed server', () => {
  it('answers the page with what to do and says it once in the terminal, again only after a comeback', async () => {
    const port = await freePort();
    const target = `http://127.0.0.1:${port}`;
    const { logger, lines } = recorder();
    const base = await startVite(target, logger);
    const rest = createRest(base);

    const failures: unknown[] = [];
    for (let i = 0; i < 4; i++) await rest.get('/api/v3/time').catch((e: unknown) => failures.push(e));
    expect(failures).toHaveLength(4);
    for (const f of failures) {
      expect(f).toBeInstanceOf(RestFailure);
      expect((f as RestFailure).status).toBe(502);
      expect(describeFailure(f)).toBe(`no feed server at ${target}: start the server with npm start (or point TICKWIRE_URL at one)`);
    }
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual([`tickwire: no feed server at ${target}: start the server with npm start (or point TICKWIRE_URL at one)`]);
    expect(lines.some((l) => /\n\s+at /.test(l.msg))).toBe(false);

    // The server comes up: requests pass, and the terminal says so.
    backend = createHttpServer((_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"serverTime":1}'));
    await new Promise<void>((r) => backend!.listen(port, '127.0.0.1', () => r()));
    await expect(rest.get<{ serverTime: number }>('/api/v3/time')).resolves.toMatchObject({ data: { serverTime: 1 } });
    expect(lines.at(-1)).toEqual({ level: 'info', msg: `tickwire: the feed server at ${target} answers again` });

    // And goes away again: said once more.
    await new Promise<void>((r) => backend!.close(() => r()));
    backend = undefined;
    for (let i = 0; i < 3; i++) await rest.get('/api/v3/time').catch(() => {});
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(2);
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    rest.close();
  });

  it('passes other proxy errors through to the log', () => {
    expect(isUnreachable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8080'), { code: 'ECONNREFUSED' }))).toBe(true);
    const both = new AggregateError([
      Object.assign(new Error('connect ECONNREFUSED ::1:8080'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8080'), { code: 'ECONNREFUSED' }),
    ]);
    expect(isUnreachable(both)).toBe(true);
    expect(isUnreachable(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(false);
    expect(isUnreachable(undefined)).toBe(false);
  });

  it('tells the page to start the server when a request gets no response at all', () => {
    expect(describeFailure(new TypeError('fetch failed'))).toBe('the server does not answer (fetch failed): start it with npm start');
    expect(describeFailure(new RestFailure(400, -1121, '/api/v3/x: HTTP 400 Invalid symbol.'))).toBe('/api/v3/x: HTTP 400 Invalid symbol.');
  });
});
