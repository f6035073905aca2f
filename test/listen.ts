// A uWS app listening on 127.0.0.1 on a port the kernel picks: for tests that host one piece of
// the server (a transport, the REST routes, a guard) on an app of their own.
import type { TemplatedApp } from 'uWebSockets.js';
import { loadUws } from '../server/uws.ts';

export interface Listening {
  readonly port: number;
  /** Stop listening (connections already open stay open). */
  close(): void;
}

export async function listenLocal(app: TemplatedApp): Promise<Listening> {
  const { uws } = loadUws();
  const socket = await new Promise<unknown>((resolve) => app.listen('127.0.0.1', 0, resolve));
  if (!socket) throw new Error('test server could not listen on 127.0.0.1');
  return { port: uws.us_socket_local_port(socket as never), close: () => uws.us_listen_socket_close(socket as never) };
}
