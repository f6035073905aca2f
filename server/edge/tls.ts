// TLS for the fleet's edge: the user's PEM (--tls-cert), or a local CA and a server certificate for
// localhost/127.0.0.1 made with openssl on first use into .tickwire/tls/ (git-ignored), reused later.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../fleet/role-process.ts';

export const LOCAL_TLS_DIR = join(ROOT, '.tickwire', 'tls');

export interface TlsMaterial {
  /** What haproxy loads: certificate chain and key in one PEM. */
  readonly pem: string;
  /** The CA a client must trust (only for a local CA). */
  readonly caCert?: string;
  /** True when this call made the CA and certificate. */
  readonly created: boolean;
}

/** Names the local certificate is valid for (besides any --host given). */
const LOCAL_NAMES = ['localhost', '127.0.0.1', '::1'];

/** The user's PEM when given (it must hold a certificate and a private key), else the local CA's. */
export function tlsMaterial(opts: { certPem?: string; host: string; dir?: string }): TlsMaterial {
  if (opts.certPem) {
    const text = readFileSync(opts.certPem, 'utf8');
    if (!/-----BEGIN CERTIFICATE-----/.test(text) || !/-----BEGIN (?:RSA |EC )?PRIVATE KEY-----/.test(text)) {
      throw new Error(`--tls-cert ${opts.certPem}: haproxy needs one PEM file with the certificate (chain) and its private key`);
    }
    return { pem: opts.certPem, created: false };
  }
  return localCertificate(opts.dir ?? LOCAL_TLS_DIR, opts.host);
}

/** A local CA (ca.pem, ca.key) and a server certificate signed by it (server.pem: cert + key), made once. */
export function localCertificate(dir: string, host: string): TlsMaterial {
  const caCert = join(dir, 'ca.pem');
  const caKey = join(dir, 'ca.key');
  const pem = join(dir, 'server.pem');
  if (existsSync(caCert) && existsSync(pem)) return { pem, caCert, created: false };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const names = [...new Set([...LOCAL_NAMES, host].filter((h) => h && h !== '0.0.0.0' && h !== '::'))];
  const san = names.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  const run = (args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.error) throw new Error(`openssl is needed to make a local certificate (Debian: apt-get install openssl): ${r.error.message}`);
    if (r.status !== 0) throw new Error(`openssl ${args.slice(0, 2).join(' ')} failed: ${r.stderr}`);
  };
  run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', caKey, '-out', caCert, '-days', '825', '-subj', '/CN=tickwire local CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  writeFileSync(join(dir, 'server.ext'), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n`);
  run(['x509', '-req', '-in', 'server.csr', '-CA', caCert, '-CAkey', caKey, '-CAcreateserial', '-out', 'server.crt', '-days', '825', '-extfile', 'server.ext']);
  writeFileSync(pem, readFileSync(join(dir, 'server.crt'), 'utf8') + readFileSync(join(dir, 'server.key'), 'utf8'), { mode: 0o600 });
  return { pem, caCert, created: true };
}

/** How to make a browser, curl or Node trust the local CA. */
export function trustHelp(caCert: string): string[] {
  return [
    `TLS with a local CA: ${caCert} (made once, kept in ${LOCAL_TLS_DIR}, git-ignored). To trust it:`,
    `  curl:     curl --cacert ${caCert} https://…`,
    `  Node:     NODE_EXTRA_CA_CERTS=${caCert} node your-client.js`,
    `  Debian:   cp ${caCert} /usr/local/share/ca-certificates/tickwire.crt && update-ca-certificates`,
    `  Chromium/Firefox: Settings → Certificates → Authorities → Import ${caCert} (trust for websites)`,
  ];
}
