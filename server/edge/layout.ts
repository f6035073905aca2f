// Where each gateway of a proxied fleet listens on this machine: its own loopback address (127.0.0.2,
// .3, … as if on separate hosts), a public port and an admin port (its /healthz for haproxy's check).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { ProxyServer } from './haproxy-config.ts';

/** Gateway `i` (1-based) listens on 127.0.0.(i+1); up to 253 of them. */
export function gatewayHost(i: number): string {
  if (i < 1 || i > 253) throw new Error(`a proxied fleet on one machine holds 1 to 253 gateways, not ${i}`);
  return `127.0.0.${i + 1}`;
}

/** Names gw1…gwN, addresses and free ports (picked now, so that a restarted gateway gets the same ones). */
export async function proxiedGateways(n: number): Promise<Array<ProxyServer & { checkPort: number }>> {
  const out: Array<ProxyServer & { checkPort: number }> = [];
  for (let i = 1; i <= n; i++) {
    const host = gatewayHost(i);
    const port = await stablePort(host);
    let checkPort = await stablePort(host);
    while (checkPort === port) checkPort = await stablePort(host);
    out.push({ name: `gw${i}`, host, port, checkPort });
  }
  return out;
}

/** The kernel's ephemeral port range (outgoing connections take their local ports from it). */
function ephemeralRange(): [number, number] {
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (lo && hi) return [lo, hi];
  } catch {
    // not Linux: the IANA range
  }
  return [49152, 65535];
}

/**
 * A free port OUTSIDE the ephemeral range, for a process the fleet restarts on the same port: a
 * port the kernel picked (port 0) comes from that range, and once the process dies any outgoing
 * connection may take it as its local port, so the restart could not listen there ("address in use").
 */
export async function stablePort(host: string): Promise<number> {
  const [lo, hi] = ephemeralRange();
  // Prefer 20000 up to the range's start; if the range starts too low, above its end.
  const [from, to] = lo > 21000 ? [20000, lo - 1] : [Math.min(hi + 1, 65000), 65535];
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = from + Math.floor(Math.random() * (to - from + 1));
    if (await canListen(host, port)) return port;
  }
  throw new Error(`no free port on ${host} between ${from} and ${to}`);
}

function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
