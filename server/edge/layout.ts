// Where each gateway of a proxied fleet listens on this machine: its own loopback address (127.0.0.2,
// .3, … as if on separate hosts), a public port and an admin port (its /healthz for haproxy's check).
import { freePort } from '../fleet/redis-server.ts';
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
    out.push({ name: `gw${i}`, host, port: await freePort(host), checkPort: await freePort(host) });
  }
  return out;
}
