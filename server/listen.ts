// Opens the server's listening socket: exclusively by default, shared (SO_REUSEPORT) only on request.
// uWS listens with SO_REUSEPORT unless given LIBUS_LISTEN_EXCLUSIVE_PORT, so without that option a
// second server on a busy port would start anyway and the two would answer requests at random.
// uWS reports a failed listen as `false` with no reason; we find the reason by trying the same
// address once with Node's own socket, and say it in one line (ListenError).
import { createServer } from 'node:net';
import type { TemplatedApp, us_listen_socket } from 'uWebSockets.js';
import type { Uws } from './uws.ts';

export class ListenError extends Error {
  override readonly name = 'ListenError';
}

/** The typings lack the native `listen(host, port, options, cb)` form (host first, options before the callback). */
type ListenWithOptions = (host: string, port: number, options: number, cb: (socket: us_listen_socket | false) => void) => void;

/** Listen on host:port; throws ListenError saying why not and what to do. */
export async function listenOn(uws: Uws, app: TemplatedApp, host: string, port: number, reusePort: boolean): Promise<us_listen_socket> {
  const exclusive = (uws as unknown as { LIBUS_LISTEN_EXCLUSIVE_PORT?: unknown }).LIBUS_LISTEN_EXCLUSIVE_PORT;
  if (typeof exclusive !== 'number') throw new Error('uWebSockets.js exports no LIBUS_LISTEN_EXCLUSIVE_PORT: this build cannot listen exclusively');
  const options = reusePort ? 0 /* LIBUS_LISTEN_DEFAULT: SO_REUSEPORT */ : exclusive;
  const socket = await new Promise<us_listen_socket | false>((resolve) => {
    (app.listen as unknown as ListenWithOptions).call(app, host, port, options, resolve);
  });
  if (socket) return socket;
  throw new ListenError(await whyNot(host, port, reusePort));
}

/** Try host:port with Node's socket (exclusive) to learn the errno uWS does not report. */
async function whyNot(host: string, port: number, reusePort: boolean): Promise<string> {
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const code = await new Promise<string | undefined>((resolve) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(undefined)));
  });
  switch (code) {
    case 'EADDRINUSE':
      return reusePort
        ? `cannot listen on ${where}: address in use by a process that does not share it (--reuse-port shares a port only among processes that all pass it); stop that process or choose another --port`
        : `cannot listen on ${where}: address in use (another process holds it); stop that process, or choose another --port (--port 0 picks a free one)`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot listen on ${where}: ${host} is not an address of this machine (${code}); give --host 127.0.0.1, 0.0.0.0 or one of this machine's addresses`;
    case 'EACCES':
      return `cannot listen on ${where}: permission denied (ports below 1024 need privileges); choose --port 1024 or above`;
    case undefined:
      return `cannot listen on ${where}: uWS refused it and gave no reason, though the address was free when tried again; try again or choose another --port`;
    default:
      return `cannot listen on ${where}: ${code}`;
  }
}
