// The smoke run: `npm run bench -- --smoke` (a few connections, a few seconds, every arm) must
// finish, measure something on every arm and write its results, so the bench cannot silently rot.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARMS, armSpec } from '../../bench/arms.ts';
import type { Results } from '../../bench/report/header.ts';

function runSmoke(out: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--smoke', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    const timer = setTimeout(() => child.kill('SIGINT'), 170_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('bench smoke run', () => {
  it('measures every arm, loses nothing at a few connections, and writes latest.json and report.html', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tickwire-bench-'));
    try {
      const { code, output } = await runSmoke(out);
      expect(output).toMatch(/\[1\/\d+ \d+:\d\d elapsed, ETA \d+:\d\d\]/);
      expect(code, output).toBe(0);
      const results = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as Results;
      expect(results.failures).toEqual([]);
      expect(results.machine.cores).toBeGreaterThan(0);
      expect(results.commit).not.toBe('');
      expect(new Set(results.rows.map((r) => r.arm))).toEqual(new Set(ARMS));
      for (const r of results.rows) {
        expect(r.deliveredPerSec, `${r.arm} delivered nothing`).toBeGreaterThan(0);
        expect(r.latencyUs, `${r.arm} has no latency`).not.toBeNull();
        expect(r.serverCpuMsPer1kUpdates, `${r.arm} has no CPU figure`).toBeGreaterThan(0);
        expect(r.bytesPerUpdate, `${r.arm} has no byte count`).toBeGreaterThan(0);
        expect(r.serverRssBytes).toBeGreaterThan(0);
        const load = armSpec(r.arm).load;
        if ((load === 'ws' || load === 'sio') && !armSpec(r.arm).calibration) {
          expect(r.probeLatencyUs, `${r.arm} has no probe latency`).not.toBeNull();
          expect(r.lossRate, `${r.arm} lost updates`).toBe(0);
          expect(r.eventsPerSec).toBeGreaterThan(0);
          // Loose: a 1.5 s window of a few dozen Poisson trades is noisy; this catches streams that did not flow.
          expect(r.deliveredPerSec / (r.eventsPerSec * r.connections)).toBeGreaterThan(0.5);
        }
      }
      const html = readFileSync(join(out, 'report.html'), 'utf8');
      expect(html).toMatch(/<svg /);
      expect(html).not.toMatch(/<script/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 180_000);
});
