// The fleet's edge over TLS (npm run fleet -- --tls, a local CA made on first use): what haproxy
// refuses before a gateway's parser sees it, which gateway answered, and Binance's own connector
// over https:// and wss:// with only its base URLs and the CA.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { get } from 'node:https';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../server/fleet/role-process.ts';
import { FLEET_SKIP_REASON } from '../fleet/capability.ts';
import { HAPROXY, startEdgeFleet, type EdgeFleet } from './edge-fleet.ts';

const skip = FLEET_SKIP_REASON || (HAPROXY ? '' : 'haproxy is not installed (.ci/run installs it)');

describe.skipIf(skip)('the fleet behind haproxy with TLS', { timeout: 60_000 }, () => {
  let edge: EdgeFleet;
  let ca: Buffer;
  let port: number;

  beforeAll(async () => {
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
});
