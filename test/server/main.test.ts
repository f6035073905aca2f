// The command-line server as `npm start` runs it (tsx server/main.ts): start, serve, SIGTERM, exit codes.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { httpGet } from '../http/harness.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = `${root}node_modules/.bin/tsx`;

/** Start `tsx server/main.ts args…` and resolve with the port from its "listening on" line. */
function startMain(args: string[]): Promise<{ child: ChildProcess; port: number; exited: Promise<number | null> }> {
  const child = spawn(tsx, ['server/main.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no "listening" line within 20 s; stdout: ${out} stderr: ${err}`)), 20_000);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /tickwire listening on http:\/\/[^\s:]+:(\d+) /.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), exited });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before listening; stdout: ${out} stderr: ${err}`));
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
  let running: ChildProcess | undefined;
  afterEach(() => {
    if (running && running.exitCode === null && running.signalCode === null) running.kill('SIGKILL');
    running = undefined;
  });

  it('starts on the port it prints, serves, and on SIGTERM tells clients and exits 0', async () => {
    const { child, port, exited } = await startMain(['--port', '0']);
    running = child;
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

  it('refuses the pure-JS uWS fallback and exits non-zero, saying why', () => {
    const run = spawnSync(tsx, ['server/main.ts', '--port', '0'], {
      cwd: root, env: { ...process.env, UWS_USE_FALLBACK: '1' }, encoding: 'utf8', timeout: 20_000,
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('UWS_USE_FALLBACK=1 asks uWebSockets.js for its slow pure-JS fallback; tickwire runs only on the native binary.');
  });

  it.each([
    [['--port', '99999'], 'tickwire: --port (PORT) must be an integer from 0 to 65535, got "99999"\n'],
    [['--symbols', 'solusdt'], 'tickwire: --symbols (SYMBOLS): "solusdt" is not SYMBOL[:tradesPerSec] with an uppercase symbol quoted in USDT, e.g. SOLUSDT:10\n'],
    [['--port'], 'tickwire: flag --port needs a value\n'],
  ])('exits 2 on bad configuration %j with an exact message', (args, message) => {
    const run = spawnSync(tsx, ['server/main.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 20_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(message);
    expect(run.stdout).toBe('');
  });
});
