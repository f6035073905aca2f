// Finds a Redis to run a fleet on: asks a URL whether Redis answers there, or starts a private,
// memory-only redis-server on a free loopback port (for `npm run fleet` and the fleet tests).
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface RedisAddress {
  readonly host: string;
  readonly port: number;
  /** From the URL's user info, for AUTH (user optional: Redis 6 ACL or the default user). */
  readonly username?: string;
  readonly password?: string;
}

/** `redis://[user:pass@]host[:port][/db]` → host and port (6379 when absent). Throws on anything else. */
export function redisAddress(url: string): RedisAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${JSON.stringify(url)} is not a Redis URL (redis://host:port)`);
  }
  if (parsed.protocol !== 'redis:') throw new Error(`${JSON.stringify(url)} is not a Redis URL: the scheme must be redis:// (no TLS here)`);
  const host = parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const password = parsed.password === '' ? undefined : decodeURIComponent(parsed.password);
  const username = parsed.username === '' ? undefined : decodeURIComponent(parsed.username);
  return { host, port: parsed.port === '' ? 6379 : Number(parsed.port), ...(password === undefined ? {} : { password, ...(username === undefined ? {} : { username }) }) };
}

export type PingResult =
  | { readonly answered: true; readonly reply: string }
  | { readonly answered: false; readonly reason: string };

/** One command as a RESP array of bulk strings (any bytes in the arguments, unlike inline commands). */
const resp = (args: readonly string[]) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

/**
 * AUTH (when the URL carries a password), then PING; resolve with the last reply line. `answered`
 * means a Redis (or something speaking RESP) replied at all: `+PONG`, or an error such as `-NOAUTH`
 * or `-WRONGPASS` that the caller should show as it is.
 */
export function pingRedis(url: string, timeoutMs = 1000): Promise<PingResult> {
  const { host, port, username, password } = redisAddress(url);
  const auth = password === undefined ? [] : [['AUTH', ...(username === undefined ? [] : [username]), password]];
  const expected = auth.length + 1;
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    let buffered = '';
    const done = (result: PingResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done({ answered: false, reason: `no reply within ${timeoutMs} ms` }), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write([...auth, ['PING']].map(resp).join('')));
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\r\n').slice(0, -1);
      const bad = lines.find((line) => !/^[+\-:$*]/.test(line));
      if (bad !== undefined) return done({ answered: false, reason: `not Redis: ${JSON.stringify(bad.slice(0, 60))}` });
      const failed = lines.find((line) => line.startsWith('-'));
      if (failed !== undefined) return done({ answered: true, reply: failed });
      if (lines.length >= expected) done({ answered: true, reply: lines[expected - 1]! });
    });
    socket.on('error', (err: NodeJS.ErrnoException) => done({ answered: false, reason: err.code ?? err.message }));
    socket.on('close', () => done({ answered: false, reason: 'connection closed without a reply' }));
  });
}

/** A TCP port nothing listens on right now (the kernel's pick; another process could take it before we do). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Absolute path of `redis-server` on PATH (or /usr/sbin, /usr/bin), or undefined. */
export function findRedisServer(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of [...path.split(delimiter), '/usr/bin', '/usr/sbin', '/usr/local/bin']) {
    if (!dir) continue;
    const candidate = join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  /** Current server process id (changes after `restart`). */
  readonly pid: number;
  /** True while the current server process runs. */
  readonly running: boolean;
  /** Kill the server (default SIGKILL: it keeps nothing, so everything in it is lost). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Start a fresh, empty server on the same port and wait until it answers PING. */
  restart(): Promise<void>;
  /** Stop it for good (SIGTERM, then SIGKILL after 3 s) and remove its directory. Idempotent. */
  stop(): Promise<void>;
}

export interface PrivateRedisOptions {
  /** Port to listen on (default: a free one). */
  readonly port?: number;
  /** How long to wait for the first PONG (default 10 s). */
  readonly readyTimeoutMs?: number;
  /** Start it in its own process group (so a test's cleanup can kill the group). Default true. */
  readonly detached?: boolean;
  /** More redis-server arguments (e.g. `--requirepass`, `--maxmemory`). */
  readonly args?: readonly string[];
}

/**
 * Start `redis-server` on 127.0.0.1 with nothing on disk (`--save "" --appendonly no`, its own
 * temporary --dir) and wait until it answers PING. Throws when redis-server is not installed or
 * does not answer in time (the message carries what it printed).
 */
export async function startPrivateRedis(opts: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  const binary = findRedisServer();
  if (!binary) throw new Error('redis-server is not installed (Debian: apt-get install redis-server)');
  const port = opts.port ?? (await freePort());
  const url = `redis://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'tickwire-redis-'));
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let stopped = false;

  const launch = async () => {
    const output: string[] = [];
    const proc = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...(opts.args ?? [])], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: opts.detached ?? true,
    });
    child = proc;
    const keep = (d: Buffer) => output.push(d.toString());
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 10_000);
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(`redis-server on port ${port} exited (${proc.exitCode ?? proc.signalCode}): ${output.join('').trim().slice(-400)}`);
      }
      const ping = await pingRedis(url, 500);
      if (ping.answered) return; // up (a server with --requirepass answers PING with -NOAUTH)
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`redis-server on port ${port} did not answer PING: ${output.join('').trim().slice(-400)}`);
      }
      await new Promise((r) => setTimeout(r, 25)); // poll interval while it starts, not a wait for an outcome
    }
  };

  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill(signal);
    await exited;
  };

  await launch();
  return {
    url,
    port,
    get pid() {
      return child?.pid ?? -1;
    },
    get running() {
      return !!child && child.exitCode === null && child.signalCode === null;
    },
    kill,
    async restart() {
      if (stopped) throw new Error('this redis-server was stopped for good');
      await kill('SIGKILL');
      await launch();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      const proc = child;
      if (proc && proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
