// The fleet's edge: haproxy on the public port in front of the gateways (each on its own address),
// restarted when it dies, with the runtime API to wait for a gateway to leave or join the pool.
import type { ProxyServer } from './haproxy-config.ts';
import { serverStates, startHaproxy, type HaproxyProcess, type ServerState } from './haproxy-process.ts';
import { tlsMaterial, trustHelp } from './tls.ts';

export interface EdgeOptions {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly tlsCert?: string;
  readonly servers: readonly ProxyServer[];
  readonly log: (line: string) => void;
}

export interface Edge {
  readonly publicUrl: string;
  readonly wsUrl: string;
  readonly caCert: string | undefined;
  /** With TLS, the PEM haproxy serves (certificate chain and key). */
  readonly tlsPem: string | undefined;
  readonly pid: number;
  readonly alive: boolean;
  states(): Promise<ServerState[]>;
  /** Wait until haproxy counts server `name` as up (`true`) or out of the pool (`false`). */
  waitServer(name: string, up: boolean, timeoutMs?: number): Promise<void>;
  /** Stop haproxy and start it again with the same configuration (its tunnels are cut). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Restarts of a dead haproxy within a minute before the edge gives up on it. */
const MAX_RESTARTS_PER_MINUTE = 5;

export async function startEdge(opts: EdgeOptions): Promise<Edge> {
  const tls = opts.tls ? tlsMaterial({ certPem: opts.tlsCert, host: opts.host }) : undefined;
  if (tls?.caCert) for (const line of trustHelp(tls.caCert)) opts.log(line);
  const layout = { host: opts.host, port: opts.port, tlsPem: tls?.pem, servers: opts.servers };
  const onLine = (line: string) => opts.log(`[haproxy] ${line}`);
  let proc: HaproxyProcess = await startHaproxy(layout, { onLine });
  let stopping = false;
  let restarting: Promise<void> | undefined;
  let crashes: number[] = [];

  const watch = (p: HaproxyProcess) => {
    void p.exited.then((exit) => {
      if (stopping || restarting || p !== proc) return;
      const now = Date.now();
      crashes = [...crashes.filter((t) => now - t < 60_000), now];
      if (crashes.length > MAX_RESTARTS_PER_MINUTE) {
        opts.log(`haproxy (pid ${p.pid}) exited (${exit.signal ?? exit.code}) ${crashes.length} times in a minute: not restarting it`);
        return;
      }
      opts.log(`haproxy (pid ${p.pid}) exited (${exit.signal ?? exit.code}); restarting it`);
      restarting = startHaproxy(layout, { onLine }).then(
        (fresh) => {
          proc = fresh;
          watch(fresh);
          opts.log(`haproxy restarted (pid ${fresh.pid})`);
        },
        (err: Error) => opts.log(`haproxy restart failed: ${err.message}`),
      ).finally(() => (restarting = undefined));
    });
  };
  watch(proc);

  const scheme = tls ? 'https' : 'http';
  const shown = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
  const states = async () => {
    await restarting;
    return serverStates(proc.statsSocket);
  };
  return {
    publicUrl: `${scheme}://${shown}:${opts.port}`,
    wsUrl: `${tls ? 'wss' : 'ws'}://${shown}:${opts.port}`,
    caCert: tls?.caCert,
    tlsPem: tls?.pem,
    get pid() {
      return proc.pid;
    },
    get alive() {
      return proc.alive;
    },
    states,
    async waitServer(name, up, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let why = '';
      for (;;) {
        const all = await states().catch((err: Error) => {
          why = `runtime API: ${err.message}`;
          return [];
        });
        const s = all.find((x) => x.name === name);
        if (s) why = s.status;
        // "UP 1/2" is still up (one check failed); "DOWN 1/2" is still down.
        if (s && (up ? s.status === 'UP' : !s.status.startsWith('UP'))) return;
        if (Date.now() > deadline) throw new Error(`haproxy: server ${name} not ${up ? 'up' : 'out of the pool'} within ${timeoutMs} ms (${why || 'not listed'})`);
        await new Promise((r) => setTimeout(r, 100)); // poll interval
      }
    },
    async restart() {
      restarting ??= (async () => {
        await proc.stop();
        proc = await startHaproxy(layout, { onLine });
        watch(proc);
      })().finally(() => (restarting = undefined));
      await restarting;
    },
    async stop() {
      stopping = true;
      await restarting?.catch(() => {});
      await proc.stop();
    },
  };
}
