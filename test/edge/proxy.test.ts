// The fleet's edge over TLS (npm run fleet -- --tls, a local CA made on first use): what haproxy
// refuses before a gateway's parser sees it, which gateway answered, Binance's own connector
// over https:// and wss:// with only its base URLs and the CA, and the dashboard in chromium over
// https:// and wss:// living through the death of the gateway that serves it.
import { spawn } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { get } from 'node:https';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../server/fleet/role-process.ts';
import { browserRequired, buildDashboard, CHROMIUM, hasBrowser, launchBrowser } from '../e2e/harness.ts';
import { FLEET_SKIP_REASON } from '../fleet/capability.ts';
import { HAPROXY, startEdgeFleet, type EdgeFleet } from './edge-fleet.ts';

const skip = FLEET_SKIP_REASON || (HAPROXY ? '' : 'haproxy is not installed (.ci/run installs it)');
const browser = hasBrowser();
/** What the dashboard test records in the page: tape rows by aggregate id ([first, last] trade id), and the lines it showed. */
interface Watched { seen: Record<number, [number, number]>; dividers: number; statuses: string[]; gateways: string[] }
if (!skip && !browser) {
  const msg = `edge dashboard test: no browser at ${CHROMIUM} (apt-get install -y chromium)`;
  if (browserRequired) throw new Error(`${msg}; CI or TICKWIRE_E2E=required makes this test mandatory`);
  console.warn(`${msg}: skipping it`);
}

describe.skipIf(skip)('the fleet behind haproxy with TLS', { timeout: 60_000 }, () => {
  let edge: EdgeFleet;
  let ca: Buffer;
  let port: number;

  beforeAll(async () => {
    buildDashboard(); // the gateways serve web/dist
    edge = await startEdgeFleet({ gateways: 2, tls: true });
    ca = readFileSync(edge.fleet.edge!.caCert!);
    port = Number(new URL(edge.restUrl).port);
  }, 240_000);
  afterAll(async () => {
    await edge?.close();
  }, 60_000);

  /** Send raw bytes over TLS; resolve with the status line and headers of the first answer. */
  const raw = (request: string) =>
    new Promise<{ status: number; head: string }>((resolve, reject) => {
      const sock = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' });
      let out = '';
      const timer = setTimeout(() => sock.destroy(new Error(`no answer within 8 s to ${JSON.stringify(request.slice(0, 60))}`)), 8000);
      sock.setEncoding('utf8');
      sock.on('secureConnect', () => sock.write(request));
      sock.on('data', (d: string) => {
        out += d;
        const end = out.indexOf('\r\n\r\n');
        if (end >= 0) {
          clearTimeout(timer);
          sock.destroy();
          resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(out)?.[1] ?? 0), head: out.slice(0, end) });
        }
      });
      sock.on('error', reject);
    });

  const httpsGet = (path: string) =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
      get({ host: '127.0.0.1', port, path, ca, servername: 'localhost', agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      }).on('error', reject);
    });

  it('answers https:// REST and the dashboard, every response naming the gateway that served it', async () => {
    const ping = await httpsGet('/api/v3/ping');
    expect(ping.status).toBe(200);
    expect(ping.body).toBe('{}');
    expect(['gw1', 'gw2']).toContain(ping.headers['x-tickwire-gateway']);
    const site = await httpsGet('/');
    expect(site.status).toBeLessThan(500);
    expect(['gw1', 'gw2']).toContain(site.headers['x-tickwire-gateway']);
  });

  it('refuses what the gateways\' parser would hold or misread: HTTP/1.0, no Host, two Hosts, two Content-Lengths', async () => {
    expect((await raw('GET /api/v3/ping HTTP/1.0\r\n\r\n')).status).toBe(400);
    expect((await raw('GET /api/v3/ping HTTP/1.0\r\nHost: localhost\r\n\r\n')).status).toBe(400);
    expect((await raw('GET /api/v3/ping HTTP/1.1\r\n\r\n')).status).toBe(400);
    expect((await raw('GET /api/v3/ping HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n')).status).toBe(400);
    const smuggle = 'GET /api/v3/ping HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nContent-Length: 30\r\n\r\nGET /api/v3/time HTTP/1.1\r\n\r\n';
    expect((await raw(smuggle)).status).toBe(400);
    expect((await raw('GET /api/v3/ping HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\nabc')).status).toBe(413);
  });

  it('passes an absolute-form target on as origin-form, and refuses one whose authority is not the Host', async () => {
    const ok = await raw(`GET https://localhost:${port}/api/v3/ping HTTP/1.1\r\nHost: localhost:${port}\r\n\r\n`);
    expect(ok.status).toBe(200);
    expect(ok.head).toMatch(/x-tickwire-gateway: gw[12]/i);
    expect((await raw(`GET https://elsewhere/api/v3/ping HTTP/1.1\r\nHost: localhost:${port}\r\n\r\n`)).status).toBe(400);
  });

  const runClient = (env: NodeJS.ProcessEnv) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/edge/tls-binance-client.ts', edge.restUrl, edge.fleet.edge!.wsUrl], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', () => {
        clearTimeout(timer);
        try {
          resolve(JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>);
        } catch {
          reject(new Error(`the client printed no result: ${out}`));
        }
      });
    });

  it('@binance/connector reads REST over https:// and trades over wss:// with only its base URLs and the CA', async () => {
    const out = await runClient({ ...process.env, NODE_EXTRA_CA_CERTS: edge.fleet.edge!.caCert });
    expect(out.error).toBeUndefined();
    expect(out.symbols).toEqual(['SOLUSDT']);
    expect(['gw1', 'gw2']).toContain(out.restGateway);
    expect(['gw1', 'gw2']).toContain(out.wsGateway);
    const ids = out.tradeIds as number[];
    expect(ids.length).toBeGreaterThanOrEqual(5);
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBe(ids[i - 1]! + 1);
  }, 60_000);

  it('@binance/connector without the CA refuses the certificate', async () => {
    const env = { ...process.env };
    delete env.NODE_EXTRA_CA_CERTS;
    const out = await runClient(env);
    expect(String(out.error)).toMatch(/certificate|CERT/i);
  }, 60_000);

  // Last in this file: it kills a gateway (the launcher starts it again).
  it.skipIf(!browser)('the dashboard over https:// and wss:// names its gateway and lives through its kill -9: reconnecting, then live on the other, the tape with no gap', async () => {
    // Chromium trusts exactly this certificate: the hash of its public key, not every certificate.
    const spki = createHash('sha256').update(new X509Certificate(readFileSync(edge.fleet.edge!.tlsPem!)).publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
    const chromium = await launchBrowser(undefined, [`--ignore-certificate-errors-spki-list=${spki}`]);
    try {
      const page = await chromium.context.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(String(e)));
      await page.goto(edge.restUrl);
      // A page served over https:// may only open wss://: live means the socket is on wss://.
      await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.textContent === 'live' && document.querySelector<HTMLElement>('[data-testid="gateways"]')?.dataset.socket, undefined, { timeout: 20_000 });
      await page.waitForFunction(() => Number(document.querySelector('[data-testid="push-trades"]')?.getAttribute('data-value')) >= 5, undefined, { timeout: 10_000 });
      // From here on, every tape row the page shows, every status line and every gateway line it
      // passes through, read after each change of the page.
      await page.evaluate(() => {
        const w = window as unknown as Watched;
        w.seen = {};
        w.dividers = 0;
        w.statuses = [];
        w.gateways = [];
        const note = (list: string[], text: string | null | undefined) => {
          if (text && list[list.length - 1] !== text) list.push(text);
        };
        const read = () => {
          for (const tr of document.querySelectorAll<HTMLElement>('[data-testid="push-tape"] tbody tr')) {
            if (tr.dataset.divider) w.dividers++;
            else w.seen[Number(tr.dataset.a)] = [Number(tr.dataset.f), Number(tr.dataset.l)];
          }
          note(w.statuses, document.querySelector('[data-testid="status"]')?.textContent);
          note(w.gateways, document.querySelector('[data-testid="gateways"]')?.textContent);
        };
        new MutationObserver(read).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
        read();
      });
      const gw = (await page.getAttribute('[data-testid="gateways"]', 'data-socket'))!;
      expect(['gw1', 'gw2']).toContain(gw);
      const rest = Number(await page.getAttribute('[data-testid="push-rest"]', 'data-value'));
      const lastBefore = await page.evaluate(() => Math.max(...Object.keys((window as unknown as Watched).seen).map(Number)));

      process.kill(edge.pid(`gateway ${gw.replace(/^gw/, '')}`), 'SIGKILL');
      await page.waitForFunction(
        (dead) => {
          const badge = document.querySelector<HTMLElement>('[data-testid="gateways"]');
          return document.querySelector('[data-testid="status"]')?.textContent === 'live' && !!badge?.dataset.socket && badge.dataset.socket !== dead;
        },
        gw,
        { timeout: 20_000 },
      );
      const now = (await page.getAttribute('[data-testid="gateways"]', 'data-socket'))!;
      // It backfilled the gap from REST, and live trades follow.
      await page.waitForFunction(
        ([n, a]) => Number(document.querySelector('[data-testid="push-rest"]')?.getAttribute('data-value')) > n
          && Math.max(...Object.keys((window as unknown as Watched).seen).map(Number)) >= a + 10,
        [rest, lastBefore] as const,
        { timeout: 15_000 },
      );
      const seen = await page.evaluate(() => {
        const w = window as unknown as Watched;
        return { seen: w.seen, dividers: w.dividers, statuses: w.statuses, gateways: w.gateways };
      });
      // Visibly: reconnecting, naming the gateway it lost, then live on the other one.
      expect(seen.statuses.some((t) => /reconnecting/.test(t)), JSON.stringify(seen.statuses)).toBe(true);
      // (Each line goes on with where the polls went: " · polls on gw2".)
      const shown = JSON.stringify(seen.gateways);
      expect(seen.gateways.some((t) => t.startsWith(`socket reconnecting (was ${gw})`)), shown).toBe(true);
      expect(seen.gateways.some((t) => t.startsWith(`socket on ${now} (was ${gw})`)), shown).toBe(true);
      // The tape: every row shown from before the kill to after it, one run of aggregate and trade ids.
      expect(seen.dividers).toBe(0);
      const ids = Object.keys(seen.seen).map(Number).sort((a, b) => a - b);
      expect(ids[0]).toBeLessThan(lastBefore);
      for (let i = 1; i < ids.length; i++) {
        expect(ids[i], `aggregate ids ${ids[i - 1]} → ${ids[i]}`).toBe(ids[i - 1]! + 1);
        expect(seen.seen[ids[i]!]![0], `trade ids at aggregate ${ids[i]}`).toBe(seen.seen[ids[i - 1]!]![1] + 1);
      }
      expect(await page.getAttribute('[data-testid="push-missed"]', 'data-value')).toBe('0');
      expect(pageErrors).toEqual([]);
      mkdirSync(`${ROOT}/test/artifacts`, { recursive: true });
      await page.screenshot({ path: `${ROOT}/test/artifacts/dashboard-after-gateway-kill.png` });
    } finally {
      await chromium.close();
    }
  }, 90_000);
});
