// The soak as CI runs it: a short `npm run soak` (45 s, 100 churning clients: light, since it runs beside the rest of the suite) must pass its own
// verdict: no crash, no lost trade, no growth of RSS or open files after warm-up.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

it('a short soak with churn, REST pollers and a witness passes its verdict', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/soak.ts', '--minutes', '0.75', '--clients', '100', '--pollers', '3', '--warmup', '5', '--interval', '3'], {
    cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  // Bounded: the soak stops itself after 45 s; past 100 s its whole process group is killed.
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 100_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  const line = /^soak verdict (.*)$/m.exec(out);
  expect(line, out).not.toBeNull();
  const v = JSON.parse(line![1]!);
  expect(v.failures, out).toEqual([]);
  expect(v.pass).toBe(true);
  expect(code).toBe(0);
  expect(v.witnessTrades).toBeGreaterThan(0);
  expect(v.witnessLost).toBe(0);
  expect(v.connects).toBeGreaterThanOrEqual(100);
  expect(v.samples).toBeGreaterThanOrEqual(4);
}, 120_000);
