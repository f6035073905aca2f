// Renders deploy/haproxy.cfg for a fleet on this machine: the same file a user takes to real hosts,
// with the lines between its `# >>> NAME` / `# <<< NAME` markers (bind, servers, runtime) replaced.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** deploy/haproxy.cfg of this checkout. */
export const HAPROXY_TEMPLATE = fileURLToPath(new URL('../../deploy/haproxy.cfg', import.meta.url));

export interface ProxyServer {
  /** haproxy's server name: also what X-Tickwire-Gateway says and the gateway's --gateway-id. */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** Where its /healthz is checked (the gateway's --admin-port); its public port when absent. */
  readonly checkPort?: number;
}

export interface ProxyLayout {
  readonly host: string;
  readonly port: number;
  /** A PEM with certificate chain and key: the public port speaks TLS (https://, wss://). */
  readonly tlsPem?: string;
  readonly servers: readonly ProxyServer[];
  /** The runtime API's unix socket (show stat, set server … state). */
  readonly statsSocket: string;
  /** Concurrent client connections haproxy accepts (global maxconn). */
  readonly maxconn: number;
}

/** Replace the body of each marked block of `template`; throws naming a marker that is missing. */
export function renderHaproxyConfig(layout: ProxyLayout, template = readFileSync(HAPROXY_TEMPLATE, 'utf8')): string {
  const bindAddr = `${layout.host.includes(':') ? `[${layout.host}]` : layout.host}:${layout.port}`;
  const blocks: Record<string, string[]> = {
    limits: [`maxconn ${layout.maxconn}`],
    runtime: [`stats socket ${layout.statsSocket} mode 600 level admin`],
    bind: [layout.tlsPem ? `bind ${bindAddr} ssl crt ${layout.tlsPem} alpn http/1.1` : `bind ${bindAddr}`],
    servers: layout.servers.map((s) => `server ${s.name} ${s.host}:${s.port}${s.checkPort === undefined ? '' : ` check port ${s.checkPort}`}`),
  };
  let out = template;
  for (const [name, lines] of Object.entries(blocks)) {
    const re = new RegExp(`^([ \\t]*)# >>> ${name}\\b.*\\n[\\s\\S]*?^[ \\t]*# <<< ${name}\\b.*$`, 'm');
    const m = re.exec(out);
    if (!m) throw new Error(`${HAPROXY_TEMPLATE}: no "# >>> ${name}" … "# <<< ${name}" block to render`);
    const indent = m[1]!;
    const body = [`${indent}# >>> ${name} (rendered by npm run fleet -- --proxy)`, ...lines.map((l) => indent + l), `${indent}# <<< ${name}`].join('\n');
    out = out.slice(0, m.index) + body + out.slice(m.index + m[0].length);
  }
  return out;
}
