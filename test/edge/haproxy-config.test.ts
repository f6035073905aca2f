// deploy/haproxy.cfg as the launcher renders it (haproxy -c accepts it), and the launcher's edge flags.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAPROXY_TEMPLATE, renderHaproxyConfig } from '../../server/edge/haproxy-config.ts';
import { findHaproxy, maxconnFor } from '../../server/edge/haproxy-process.ts';
import { readLaunchCommand } from '../../server/fleet/launch-flags.ts';

const parseLaunchFlags = (argv: string[], env: Record<string, string>) => {
  const cmd = readLaunchCommand(argv, env);
  if (cmd.action !== 'start') throw new Error('expected a start command');
  return cmd.options;
};

const layout = {
  host: '127.0.0.1', port: 8443, statsSocket: '/tmp/tickwire-test.sock', maxconn: 9000,
  servers: [{ name: 'gw1', host: '127.0.0.2', port: 20001, checkPort: 20002 }, { name: 'gw2', host: '127.0.0.3', port: 20003 }],
};

describe('the haproxy configuration', () => {
  it('renders the bind, server, runtime and limits blocks of deploy/haproxy.cfg and keeps every other line', () => {
    const out = renderHaproxyConfig(layout);
    expect(out).toContain('  bind 127.0.0.1:8443\n');
    expect(out).toContain('  server gw1 127.0.0.2:20001 check port 20002\n');
    expect(out).toContain('  server gw2 127.0.0.3:20003\n');
    expect(out).toContain('  stats socket /tmp/tickwire-test.sock mode 600 level admin\n');
    expect(out).toContain('  maxconn 9000\n');
    expect(out).not.toContain('10.0.0.21');
    const kept = (text: string) => text.split('\n').filter((l) => /^\s*(balance|timeout|http-request|http-check|option|retry-on)/.test(l));
    expect(kept(out)).toEqual(kept(readFileSync(HAPROXY_TEMPLATE, 'utf8')));
  });

  it('binds with TLS when given a PEM', () => {
    expect(renderHaproxyConfig({ ...layout, tlsPem: '/etc/tw.pem' })).toContain('  bind 127.0.0.1:8443 ssl crt /etc/tw.pem alpn http/1.1\n');
  });

  it('names the block it cannot find in a template', () => {
    expect(() => renderHaproxyConfig(layout, 'global\n')).toThrow(/# >>> limits/);
  });

  it('keeps haproxy below the open-files limit: two files per client', () => {
    expect(maxconnFor(20_000)).toBe(9900);
    expect(maxconnFor(1_048_576)).toBe(60_000);
  });

  it.skipIf(!findHaproxy())('is accepted by haproxy -c, as shipped and as rendered', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tickwire-cfg-'));
    const shipped = join(dir, 'shipped.cfg');
    // As shipped it names /run/haproxy for its runtime socket; haproxy -c does not create it.
    writeFileSync(shipped, readFileSync(HAPROXY_TEMPLATE, 'utf8'));
    const rendered = join(dir, 'rendered.cfg');
    writeFileSync(rendered, renderHaproxyConfig({ ...layout, statsSocket: join(dir, 'admin.sock') }));
    for (const file of [shipped, rendered]) {
      const r = spawnSync(findHaproxy()!, ['-c', '-f', file], { encoding: 'utf8' });
      expect(`${r.status} ${r.stdout}${r.stderr}`).toMatch(/^0 .*valid/s);
    }
  });
});

describe('npm run fleet edge flags', () => {
  it('--proxy and --tls are bare switches; --tls implies --proxy; --tls-cert needs --tls', () => {
    expect(parseLaunchFlags(['--proxy'], {})).toMatchObject({ proxy: true, tls: false });
    expect(parseLaunchFlags(['--tls', '--tls-cert', '/x.pem'], {})).toMatchObject({ proxy: true, tls: true, tlsCert: '/x.pem' });
    expect(parseLaunchFlags([], { PROXY: '1' })).toMatchObject({ proxy: true });
    expect(() => parseLaunchFlags(['--tls-cert', '/x.pem'], {})).toThrow(/needs --tls/);
  });
});
