// One tickwire server process of a fleet (market or gateway) as a child: started with
// `node --import tsx server/main.ts --role …`, its address read from its start line, its /healthz polled.
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';

export type Role = 'market' | 'gateway';

/** The checkout this module belongs to: children run its server/main.ts. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export interface RoleProcess {
  readonly role: Role;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly args: readonly string[];
  /** Everything it printed (stdout and stderr interleaved, as lines), for error messages and tests. */
  readonly lines: string[];
  /** Resolves with the address of its `listening on http://H:P` line; rejects if it exits first. */
  readonly listening: Promise<Endpoint>;
  /**
   * Where to read its own /healthz and /metrics: the `admin on http://H:P` line when it was started
   * with --admin-port (needed behind a shared --reuse-port port), else the `listening` address.
   */
  readonly admin: Promise<Endpoint>;
  /** Resolves when it has exited, with its code or signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly alive: boolean;
}

export interface SpawnRoleOptions {
  readonly role: Role;
  /** Flags after `--role R` (e.g. --redis, --port, --host, --reuse-port, --symbols). */
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Own process group, so that a kill of the group takes anything it started. Default true. */
  readonly detached?: boolean;
  /** Called with each line it prints (stdout and stderr). */
  readonly onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

const LISTENING = /listening on http:\/\/([^\s/]+):(\d+)/;
const ADMIN = /admin on http:\/\/([^\s/]+):(\d+)/;

const endpointOf = (m: RegExpExecArray): Endpoint => ({ host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) });

/** Start `node --import tsx server/main.ts --role R …args` in the checkout. */
export function spawnRole(opts: SpawnRoleOptions): RoleProcess {
  const args = ['--role', opts.role, ...opts.args];
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', ...args], {
    cwd: ROOT,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: opts.detached ?? true,
  });
  const lines: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let onListening: (e: Endpoint) => void = () => {};
  let onAdmin: (e: Endpoint) => void = () => {};
  const listening = new Promise<Endpoint>((resolve, reject) => {
    onListening = resolve;
    void exited.then(({ code, signal }) =>
      reject(new Error(`${opts.role} (pid ${child.pid}) exited (${signal ?? code}) before listening:\n${lines.slice(-20).join('\n')}`)),
    );
  });
  const expectsAdmin = opts.args.some((a) => a === '--admin-port' || a.startsWith('--admin-port='));
  const admin = expectsAdmin
    ? new Promise<Endpoint>((resolve, reject) => {
        onAdmin = resolve;
        void exited.then(({ code, signal }) =>
          reject(new Error(`${opts.role} (pid ${child.pid}) exited (${signal ?? code}) before printing its admin address:\n${lines.slice(-20).join('\n')}`)),
        );
      })
    : listening;
  // Avoid unhandled rejections when nobody awaits these.
  listening.catch(() => {});
  admin.catch(() => {});

  const reader = (stream: 'stdout' | 'stderr') => {
    let partial = '';
    return (chunk: Buffer) => {
      partial += chunk.toString();
      const parts = partial.split('\n');
      partial = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (lines.length > 2000) lines.splice(0, 1000);
        const admins = ADMIN.exec(line);
        if (admins) onAdmin(endpointOf(admins));
        else {
          const listens = LISTENING.exec(line);
          if (listens) onListening(endpointOf(listens));
        }
        opts.onLine?.(line, stream);
      }
    };
  };
  child.stdout!.on('data', reader('stdout'));
  child.stderr!.on('data', reader('stderr'));

  return {
    role: opts.role,
    child,
    pid: child.pid ?? -1,
    args,
    lines,
    listening,
    admin,
    exited,
    get alive() {
      return child.exitCode === null && child.signalCode === null;
    },
  };
}

export interface Health {
  /** HTTP status, or 0 when nothing answered. */
  readonly status: number;
  /** The JSON body, or undefined when it was not JSON. */
  readonly body: Record<string, unknown> | undefined;
  /** Why nothing answered (connection error), when status is 0. */
  readonly error?: string;
}

/** GET /healthz once, on its own connection, with a timeout. Never throws. */
export function readHealth(endpoint: Endpoint, timeoutMs = 2000): Promise<Health> {
  const host = ['0.0.0.0', '::', 'localhost'].includes(endpoint.host) ? '127.0.0.1' : endpoint.host;
  return new Promise((resolve) => {
    const req = request({ host, port: endpoint.port, path: '/healthz', agent: false, headers: { connection: 'close' }, timeout: timeoutMs }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        let body: Record<string, unknown> | undefined;
        try {
          body = JSON.parse(text) as Record<string, unknown>;
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', (err) => resolve({ status: 0, body: undefined, error: err.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ status: 0, body: undefined, error: err.code ?? err.message }));
    req.end();
  });
}

/**
 * Poll /healthz (every `intervalMs`) until `accept` says yes; resolve with that answer. Rejects after
 * `timeoutMs` with the last answer, or as soon as `stillAlive` says the process is gone.
 */
export async function waitForHealth(
  endpoint: Endpoint,
  accept: (h: Health) => boolean,
  opts: { timeoutMs: number; intervalMs?: number; stillAlive?: () => boolean; what?: string; onPoll?: (h: Health) => void },
): Promise<Health> {
  const deadline = Date.now() + opts.timeoutMs;
  let last: Health | undefined;
  for (;;) {
    if (opts.stillAlive && !opts.stillAlive()) throw new Error(`${opts.what ?? 'process'} exited while waiting for its /healthz`);
    last = await readHealth(endpoint);
    opts.onPoll?.(last);
    if (accept(last)) return last;
    if (Date.now() > deadline) {
      throw new Error(
        `${opts.what ?? `${endpoint.host}:${endpoint.port}`}: /healthz not as expected within ${opts.timeoutMs} ms; ` +
          `last answer ${last.status || last.error} ${JSON.stringify(last.body)}`,
      );
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100)); // poll interval, not a wait for an outcome
  }
}

/** Send `signal` to the child's process group when it has one, else to the child. Never throws. */
export function signalProcess(proc: RoleProcess | ChildProcess, signal: NodeJS.Signals): void {
  const child = 'child' in proc ? proc.child : proc;
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}
