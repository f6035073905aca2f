// The limit arm (bare uWS) takes its slow-client budget through the server's own flag and config
// parser, so the bench configures it and tickwire alike.
import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { ARM_SPECS, MAX_BACKPRESSURE_BYTES } from '../../bench/arms.ts';
import { loadConfig } from '../../server/config.ts';

const options = { host: '127.0.0.1', port: 0, symbol: 'SOLUSDT', rate: 10 };

/** Run the limit arm's server; resolve with its output once `done` matches it or it exits. */
function runLimit(args: readonly string[], done: RegExp): Promise<{ child: ChildProcess; output: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ARM_SPECS.limit.server.script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`limit arm: no ${done} in 60 s: ${output}`));
    }, 60_000);
    const onData = (d: Buffer) => {
      output += d;
      if (done.test(output)) {
        clearTimeout(timer);
        resolve({ child, output, code: child.exitCode });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ child, output, code });
    });
  });
}

const stopped = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null ? Promise.resolve() : new Promise((r) => { child.once('exit', () => r()); child.kill('SIGTERM'); });

describe('the limit arm', () => {
  it('is given the same backpressure flag and value as tickwire', () => {
    const flag = '--ws-max-backpressure-bytes';
    for (const args of [ARM_SPECS.push.server.args(options), ARM_SPECS.limit.server.args(options)]) {
      expect(args[args.indexOf(flag) + 1]).toBe(String(MAX_BACKPRESSURE_BYTES));
    }
  });

  it('listens with the budget the bench gives it', async () => {
    const { child, output } = await runLimit(ARM_SPECS.limit.server.args(options), /listening on/);
    try {
      expect(output).toContain(`slow-client budget ${MAX_BACKPRESSURE_BYTES} bytes`);
    } finally {
      await stopped(child);
    }
  }, 90_000);

  it("refuses a budget the server's config parser refuses, with the server's message", async () => {
    const bad = ['--ws-max-backpressure-bytes', '12'];
    const serverSays = (() => {
      try {
        loadConfig(bad);
        return null;
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(serverSays).not.toBeNull();
    const { child, output, code } = await runLimit(['--port', '0', ...bad], /listening on/);
    await stopped(child);
    expect(output).not.toContain('listening on');
    expect(output).toContain(serverSays);
    expect(code).toBe(2);
  }, 90_000);
});
