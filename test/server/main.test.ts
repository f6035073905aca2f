// The command-line server as `npm start` runs it (server/main.ts under tsx): start, serve, SIGTERM,
// --help, --version, unknown flags, port ownership and exit codes.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { httpGet } from '../http/harness.ts';
import { FLAGS } from '../../server/config.ts';
import { envName } from '../../server/flags.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const children: ChildProcess[] = [];
/** Servers that start several processes use one symbol: less history to build, same listening code. */
const ONE = ['--symbols', 'SOLUSDT:10'];

function spawnMain(args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

/** Run `node --import tsx server/main.ts args…` to its exit. */
function runMain(args: string[], env?: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawnMain(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

/** Start `node --import tsx server/main.ts args…` and resolve with the port from its "listening on" line. */
function startMain(args: string[], env?: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number; line: string; exited: Promise<number | null> }> {
  const child = spawnMain(args, env);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^tickwire listening on http:\/\/[^\s:]+:(\d+) .*$/m.exec(out);
      if (m) resolve({ child, port: Number(m[1]), line: m[0], exited });
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before listening; stdout: ${out} stderr: ${err}`)));
  });
}

/** A port that was free a moment ago (the kernel's pick for port 0 cannot itself be shared with SO_REUSEPORT). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Open a WebSocket and record what it receives until it closes. */
function openSocket(url: string) {
  const ws = new WebSocket(url);
  const messages: unknown[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(data.toString())));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const closed = new Promise<{ code: number; at: number }>((resolve) => ws.on('close', (code) => resolve({ code, at: messages.length })));
  return { ws, messages, opened, closed };
}

describe('server/main.ts', () => {
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('starts on the port it prints, serves, and on SIGTERM tells clients and exits 0', async () => {
    const { child, port, exited } = await startMain(['--port', '0']);
    expect(port).toBeGreaterThan(0);
    const health = await httpGet(port, '/healthz');
    expect(health.json()).toMatchObject({ status: 'ok' });

    const combined = openSocket(`ws://127.0.0.1:${port}/stream?streams=solusdt@trade`);
    const raw = openSocket(`ws://127.0.0.1:${port}/ws/solusdt@trade`);
    await Promise.all([combined.opened, raw.opened]);
    expect((await httpGet(port, '/healthz')).json().connections).toBe(2);

    child.kill('SIGTERM');
    const [c, r, code] = await Promise.all([combined.closed, raw.closed, exited]);
    expect(code).toBe(0);
    expect(c.code).toBe(1001);
    expect(r.code).toBe(1001);
    // The shutdown notice is the last thing each client got before the close.
    expect(combined.messages.at(-1)).toMatchObject({ stream: '!serverShutdown', data: { e: 'serverShutdown' } });
    expect(raw.messages.at(-1)).toMatchObject({ e: 'serverShutdown' });
    expect(typeof (raw.messages.at(-1) as { E: unknown }).E).toBe('number');
  });

  it('refuses the pure-JS uWS fallback and exits 2, saying why', async () => {
    const run = await runMain(['--port', '0'], { ...process.env, UWS_USE_FALLBACK: '1' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('UWS_USE_FALLBACK=1 asks uWebSockets.js for its slow pure-JS fallback; tickwire runs only on the native binary.');
  });

  it.each([
    [['--port', '99999'], 'tickwire: --port (PORT) must be an integer from 0 to 65535, got "99999"\n'],
    [['--symbols', 'solusdt'], 'tickwire: --symbols (SYMBOLS): "solusdt" is not SYMBOL[:tradesPerSec] with an uppercase symbol quoted in USDT, e.g. SOLUSDT:10\n'],
    [['--port'], 'tickwire: flag --port needs a value\n'],
    [['--prot', '9000'], 'tickwire: unknown flag --prot; did you mean --port?\n'],
    [['--ws-max-stream', '10'], 'tickwire: unknown flag --ws-max-stream; did you mean --ws-max-streams?\n'],
    [['--colour', 'blue'], 'tickwire: unknown flag --colour; --help lists the flags\n'],
  ])('exits 2 on bad configuration %j with an exact message and no stack', async (args, message) => {
    const run = await runMain(args);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(message);
    expect(run.stdout).toBe('');
  });

  it('ignores environment variables it does not know, since the environment is shared', async () => {
    const { port, line } = await startMain(['--port', '0'], { ...process.env, PROT: '9000', TICKWIRE_COLOUR: 'blue' });
    expect(line).toContain('port exclusive');
    expect((await httpGet(port, '/healthz')).json()).toMatchObject({ status: 'ok' });
  });

  it.each([[['--help']], [['-h']], [['--port', '1', '--help']], [['--prot', '9000', '-h']]])(
    '%j prints help listing every flag with its env twin, default and meaning, and exits 0 without starting',
    async (args) => {
      const run = await runMain(args);
      expect(run.status).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(/^Usage: npm start -- \[flags\]/);
      expect(run.stdout).not.toContain('listening');
      for (const [name, flag] of Object.entries(FLAGS)) {
        expect(run.stdout).toContain(`--${name}`);
        expect(run.stdout).toContain(`env ${envName(name)} · ${flag.accepts} · default ${flag.shown}`);
        expect(run.stdout).toContain(flag.meaning);
      }
      expect(run.stdout).toContain('--version');
    },
  );

  it('--version prints the package version, the uWS package and Node, and exits 0 without starting', async () => {
    const { version } = (await import('../../package.json', { with: { type: 'json' } })).default;
    const run = await runMain(['--version']);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(`tickwire ${version} · uWebSockets.js @trufflesuite/uws-js-unofficial 20.30.0-unofficial.0 · Node ${process.version}\n`);
  });

  it('owns its port: a second server on it exits 3 with one "address in use" line, and the first keeps serving', async () => {
    const first = await startMain(['--port', '0', ...ONE]);
    const second = await runMain(['--port', String(first.port), ...ONE]);
    expect(second.status).toBe(3);
    expect(second.stderr).toBe(
      `tickwire: cannot listen on 127.0.0.1:${first.port}: address in use (another process holds it); stop that process, or choose another --port (--port 0 picks a free one)\n`,
    );
    expect(second.stdout).toBe('');
    // Asking to share does not get in either: the owner did not agree to share.
    const sharer = await runMain(['--port', String(first.port), '--reuse-port', ...ONE]);
    expect(sharer.status).toBe(3);
    expect(sharer.stderr).toContain('address in use by a process that does not share it');
    expect((await httpGet(first.port, '/healthz')).json()).toMatchObject({ status: 'ok' });
  }, 120_000);

  it('shares a port between servers that both pass --reuse-port (REUSE_PORT=1 for the second), and a lone one cannot join', async () => {
    const port = await freePort();
    const a = await startMain(['--port', String(port), '--reuse-port', ...ONE]);
    const b = await startMain(['--port', String(port), ...ONE], { ...process.env, REUSE_PORT: '1' });
    expect(a.port).toBe(port);
    expect(b.port).toBe(port);
    expect(a.line).toContain('port shared (--reuse-port)');
    expect(b.line).toContain('port shared (--reuse-port)');
    const lone = await runMain(['--port', String(port), ...ONE]);
    expect(lone.status).toBe(3);
    expect(lone.stderr).toContain(`cannot listen on 127.0.0.1:${port}: address in use`);
    expect((await httpGet(port, '/healthz')).json()).toMatchObject({ status: 'ok' });
  }, 120_000);
});
