// haproxy as a child of the fleet: find the binary, check and start a rendered configuration, ask its
// runtime API (a unix socket) which gateways it considers up, and stop it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderHaproxyConfig, type ProxyLayout } from './haproxy-config.ts';

/** Debian's haproxy, or the first `haproxy` on PATH; undefined when none is installed. */
export function findHaproxy(): string | undefined {
  if (existsSync('/usr/sbin/haproxy')) return '/usr/sbin/haproxy';
  const which = spawnSync('sh', ['-c', 'command -v haproxy'], { encoding: 'utf8' });
  return which.status === 0 && which.stdout.trim() ? which.stdout.trim() : undefined;
}

export interface HaproxyProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  /** The rendered configuration file. */
  readonly configPath: string;
  readonly statsSocket: string;
  readonly lines: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly alive: boolean;
  /** SIGTERM (haproxy stops at once, cutting tunnels); SIGKILL after 5 s. */
  stop(): Promise<void>;
}

/** One server's state as haproxy's runtime API reports it (`show stat`): UP, DOWN, MAINT, NOLB, "UP 1/2"… */
export interface ServerState {
  readonly name: string;
  readonly status: string;
  /** Sessions open now. */
  readonly sessions: number;
}

/**
 * Write the configuration for `layout` into a fresh temporary folder, check it with `haproxy -c`
 * (throws with haproxy's message when invalid) and start haproxy in the foreground (-db), in its own
 * process group. Resolves once its runtime socket answers.
 */
export async function startHaproxy(layout: Omit<ProxyLayout, 'statsSocket' | 'maxconn'>, opts: { onLine?: (line: string) => void; dir?: string } = {}): Promise<HaproxyProcess> {
  const bin = findHaproxy();
  if (!bin) throw new Error('haproxy is not installed (Debian: apt-get install haproxy)');
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'tickwire-haproxy-'));
  const statsSocket = join(dir, 'admin.sock');
  const configPath = join(dir, 'haproxy.cfg');
  writeFileSync(configPath, renderHaproxyConfig({ ...layout, statsSocket, maxconn: maxconnFor(openFilesLimit()) }));
  const check = spawnSync(bin, ['-c', '-q', '-f', configPath], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`haproxy -c refused ${configPath}:\n${check.stdout}${check.stderr}`);
  const child = spawn(bin, ['-db', '-f', configPath], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const lines: string[] = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      lines.push(line);
      if (lines.length > 500) lines.splice(0, 250);
      opts.onLine?.(line);
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const proc: HaproxyProcess = {
    pid: child.pid ?? -1,
    child,
    configPath,
    statsSocket,
    lines,
    exited,
    get alive() {
      return alive();
    },
    async stop() {
      if (!alive()) return;
      kill(child, 'SIGTERM');
      const timer = setTimeout(() => kill(child, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (!alive()) throw new Error(`haproxy exited at start:\n${lines.join('\n')}`);
    if (await runtimeCommand(statsSocket, 'show info').then(() => true, () => false)) return proc;
    if (Date.now() > deadline) {
      await proc.stop();
      throw new Error(`haproxy's runtime socket ${statsSocket} did not answer within 10 s:\n${lines.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 50)); // poll interval
  }
}

/** The hard limit of open files haproxy may raise itself to (ulimit -Hn); 1024 when unknown. */
export function openFilesLimit(): number {
  const r = spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' });
  const n = Number(r.stdout.trim());
  return r.stdout.trim() === 'unlimited' ? 1_048_576 : Number.isFinite(n) && n > 0 ? n : 1024;
}

/** haproxy holds two files per client (client side, gateway side) plus its own: stay below the limit. */
export function maxconnFor(openFiles: number): number {
  return Math.max(100, Math.min(60_000, Math.floor((openFiles - 200) / 2)));
}

function kill(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** Send one command to haproxy's runtime API and resolve with its whole answer. */
export function runtimeCommand(socketPath: string, command: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(socketPath);
    let out = '';
    const timer = setTimeout(() => sock.destroy(new Error(`haproxy runtime API: no answer to "${command}" within ${timeoutMs} ms`)), timeoutMs);
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.end(`${command}\n`));
    sock.on('data', (d: string) => (out += d));
    sock.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

/** The servers of `backend` (default "gateways") and their states, from `show stat`. */
export async function serverStates(socketPath: string, backend = 'gateways'): Promise<ServerState[]> {
  const csv = await runtimeCommand(socketPath, 'show stat');
  const [head, ...rows] = csv.split('\n').filter((l) => l.trim());
  const cols = head!.replace(/^# /, '').split(',');
  const at = (name: string) => cols.indexOf(name);
  return rows
    .map((r) => r.split(','))
    .filter((f) => f[at('pxname')] === backend && f[at('svname')] !== 'BACKEND' && f[at('svname')] !== 'FRONTEND')
    .map((f) => ({ name: f[at('svname')]!, status: f[at('status')]!, sessions: Number(f[at('scur')]) }));
}

