// The server leaves evidence when it ends (server/fatal.ts): an exit record on stderr, a log line
// for SIGHUP, and Node's diagnostic report on SIGUSR2, so a process cannot vanish with nothing said.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
const started: { child: ChildProcess; dir: string }[] = [];

afterEach(() => {
  for (const { child, dir } of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

/** server/main.ts in a fresh working directory (where diagnostic reports go), once it listens. */
async function start(): Promise<{ child: ChildProcess; dir: string; stderr: () => string; exit: Promise<number | null> }> {
  const dir = mkdtempSync(join(tmpdir(), 'tickwire-fatal-'));
  const child = spawn(process.execPath, ['--import', tsx, join(root, 'server/main.ts'), '--port', '0', '--symbols', 'SOLUSDT:1'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push({ child, dir });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('listening on')) resolve();
    });
    void exit.then(() => reject(new Error(`exited before listening: ${out} ${err}`)));
  });
  return { child, dir, stderr: () => err, exit };
}

const records = (stderr: string) =>
  stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);

it('logs an exit record with code, uptime and memory when it stops on SIGTERM', async () => {
  const s = await start();
  s.child.kill('SIGTERM');
  expect(await s.exit).toBe(0);
  const exit = records(s.stderr()).find((r) => r.msg === 'process exiting');
  expect(exit).toMatchObject({ level: 'info', code: 0 });
  expect(exit!.rssBytes).toBeGreaterThan(0);
  expect(typeof exit!.uptimeSec).toBe('number');
}, 60_000);

it('says so when SIGHUP ends it, instead of vanishing', async () => {
  const s = await start();
  s.child.kill('SIGHUP');
  expect(await s.exit).toBe(129);
  const rs = records(s.stderr());
  expect(rs.find((r) => r.msg === 'SIGHUP received, exiting')).toMatchObject({ level: 'fatal', signal: 'SIGHUP' });
  expect(rs.find((r) => r.msg === 'process exiting')).toMatchObject({ level: 'error', code: 129 });
}, 60_000);

it('writes a diagnostic report on SIGUSR2 and keeps serving', async () => {
  const s = await start();
  s.child.kill('SIGUSR2');
  // The report is written in pieces: wait until one file holds a whole JSON document.
  const deadline = Date.now() + 20_000;
  let report: { header: { trigger: string } } | undefined;
  let files: string[] = [];
  while (report === undefined && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    files = readdirSync(s.dir).filter((f) => f.startsWith('report.') && f.endsWith('.json'));
    try {
      if (files.length === 1) report = JSON.parse(readFileSync(join(s.dir, files[0]!), 'utf8'));
    } catch {
      // not complete yet
    }
  }
  expect(files).toHaveLength(1);
  expect(report?.header.trigger).toBe('Signal'); // Node names the trigger 'Signal' for report.signal
  expect(s.child.exitCode).toBeNull();
}, 60_000);
