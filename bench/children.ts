// Child processes of the bench: each in its own process group (so stopping it stops whatever it
// started), pinned to a core where taskset exists, and all stopped on exit, Ctrl-C or failure.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';

const live = new Set<ChildProcess>();

/** Cores: the server runs on core 0 and the load on core 1 when taskset exists and there are two. */
export const PINNING = existsSync('/usr/bin/taskset') && availableParallelism() >= 2;
export const SERVER_CORES = PINNING ? 1 : availableParallelism();
export const LOAD_CORES = PINNING ? 1 : availableParallelism();

export interface Spawned {
  readonly child: ChildProcess;
  /** Pid of the measured process itself (taskset execs it, so it is the child's pid). */
  readonly pid: number;
  /** Everything the process wrote so far (kept short), for error messages. */
  output(): string;
}

/** Run `node --import tsx <script> ...args` pinned to `core`. With ipc, the child gets an IPC channel. */
export function spawnNode(script: string, args: readonly string[], core: 0 | 1, ipc = false): Spawned {
  return spawnPinned(process.execPath, ['--import', 'tsx', script, ...args], core, ipc);
}

export function spawnPinned(cmd: string, args: readonly string[], core: 0 | 1, ipc = false): Spawned {
  const [file, argv] = PINNING ? ['taskset', ['-c', String(core), cmd, ...args]] : [cmd, [...args]];
  const child = spawn(file, argv, {
    detached: true,
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  if (child.pid === undefined) throw new Error(`could not start ${cmd}`);
  live.add(child);
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('exit', () => live.delete(child));
  return { child, pid: child.pid, output: () => out };
}

/** Resolve with the first match of `re` in the child's stdout or stderr; reject on exit or timeout. */
export function waitForLine(s: Spawned, re: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const done = (err?: Error, m?: RegExpExecArray) => {
      clearTimeout(timer);
      s.child.stdout?.off('data', onData);
      s.child.stderr?.off('data', onData);
      s.child.off('exit', onExit);
      if (err) reject(err);
      else resolve(m!);
    };
    const onData = (d: Buffer) => {
      buf += d.toString();
      const m = re.exec(buf);
      if (m) done(undefined, m);
    };
    const onExit = (code: number | null) => done(new Error(`exited (code ${code}) before it was ready: ${s.output().trim().slice(-600)}`));
    const timer = setTimeout(() => done(new Error(`not ready after ${timeoutMs} ms: ${s.output().trim().slice(-600)}`)), timeoutMs);
    s.child.stdout?.on('data', onData);
    s.child.stderr?.on('data', onData);
    s.child.on('exit', onExit);
  });
}

/** Stop a child's whole process group: SIGTERM, then SIGKILL after `graceMs`. */
export async function stop(s: Spawned, graceMs = 1500): Promise<void> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return;
  const exited = new Promise<void>((r) => s.child.once('exit', () => r()));
  signalGroup(s.pid, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(s.pid, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  signalGroup(s.pid, 'SIGKILL'); // anything the child left behind in its group
}

function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // Already gone.
  }
}

/**
 * Processes a child started in process groups of their own (a fleet launcher's market, gateways,
 * redis-server and haproxy): killAll kills them too, so a Ctrl-C or a SIGKILLed launcher leaves
 * none behind. Returns a function that forgets the pid (once it is stopped).
 */
const adopted = new Set<number>();
export function adoptPid(pid: number): () => void {
  adopted.add(pid);
  return () => adopted.delete(pid);
}

/** Kill every child still running, at once (used on Ctrl-C, failure and exit). */
export function killAll(): void {
  for (const c of live) if (c.pid !== undefined) signalGroup(c.pid, 'SIGKILL');
  live.clear();
  for (const pid of adopted) killPid(pid);
  adopted.clear();
}

/** SIGKILL a process's group (when it leads one) and the process itself. */
export function killPid(pid: number): void {
  signalGroup(pid, 'SIGKILL');
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

let installed = false;
/** Make sure nothing the bench started outlives it. */
export function installCleanup(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      killAll();
      process.stderr.write(`\nbench: ${sig}, stopped everything it started\n`);
      process.exit(130);
    });
  }
  process.on('uncaughtException', (err) => {
    killAll();
    process.stderr.write(`bench: failed: ${err.stack ?? err}\n`);
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    killAll();
    process.stderr.write(`bench: failed: ${(err as Error)?.stack ?? err}\n`);
    process.exit(1);
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
