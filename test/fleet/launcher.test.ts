// `npm run fleet` as a user runs it: it starts a private Redis, a market and two gateways, prints
// its process table with every process ready, serves on the shared port, and Ctrl-C stops it all.
import { spawn, spawnSync } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../server/fleet/redis-server.ts';
import { ROOT, readHealth } from '../../server/fleet/role-process.ts';
import { buildDashboard } from '../e2e/harness.ts';
import { FLEET_SKIP_REASON, REDIS_SERVER } from './capability.ts';
import { createFleetScope, openWitness, waitFor } from './harness.ts';

const running = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(FLEET_SKIP_REASON !== '')('npm run fleet', () => {
  const pids: number[] = [];
  let groupLeader: number | undefined;
  beforeAll(() => buildDashboard(), 240_000); // so `npm run fleet` finds web/dist up to date
  afterEach(() => {
    for (const pid of [...(groupLeader ? [-groupLeader] : []), ...pids.splice(0)]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });

  it('starts a private Redis, a market and two gateways, shows them all ready, restarts one that dies, and stops every one on Ctrl-C', async () => {
    const nothingThere = await freePort(); // no Redis answers here: the fleet starts its own
    const port = await freePort();
    const npm = spawn('npm', ['run', 'fleet', '--', '--gateways', '2', '--port', String(port), '--redis', `redis://127.0.0.1:${nothingThere}`, '--symbols', 'SOLUSDT:5,BTCUSDT:2'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, like a terminal's foreground job
    });
    groupLeader = npm.pid!;
    let out = '';
    npm.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    npm.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => npm.once('exit', (code, signal) => resolve({ code, signal })));

    await waitFor('the "fleet ready" table', () => /fleet ready: 1 market, 2 gateways at http:\/\/127\.0\.0\.1:(\d+)/.test(out) || npm.exitCode !== null, 180_000, 200)
      .catch((err: Error) => { throw new Error(`${err.message}\n${out}`); });
    expect(out, out).toMatch(new RegExp(`fleet ready: 1 market, 2 gateways at http://127\\.0\\.0\\.1:${port}\\n`));
    expect(out).toContain(`no Redis answers at redis://127.0.0.1:${nothingThere}`);
    const table = out.slice(out.indexOf('fleet ready'));
    const rows = [...table.matchAll(/^(redis|market|gateway \d) +(\d+) +(\S+) +(\S+) +(yes|no) /gm)].map((m) => ({ role: m[1]!, pid: Number(m[2]), address: m[3]!, ready: m[5]! }));
    expect(rows.map((r) => [r.role, r.ready])).toEqual([['redis', 'yes'], ['market', 'yes'], ['gateway 1', 'yes'], ['gateway 2', 'yes']]);
    expect(rows.filter((r) => r.role.startsWith('gateway')).map((r) => r.address)).toEqual([`127.0.0.1:${port}`, `127.0.0.1:${port}`]);
    const launcherPid = Number(/tickwire fleet \(pid (\d+)\)/.exec(out)![1]);
    pids.push(launcherPid, ...rows.map((r) => r.pid));
    for (const pid of pids) expect(running(pid), `pid ${pid}`).toBe(true);

    // A gateway that dies is reported and restarted on the shared port.
    const victim = rows.find((r) => r.role === 'gateway 2')!.pid;
    process.kill(victim, 'SIGKILL');
    await waitFor('the launcher to report gateway 2 dead and restarting', () => out.includes(`gateway 2 (pid ${victim}) exited (SIGKILL); restarting it`), 30_000, 100);
    const back = await waitFor('gateway 2 ready again', () => {
      const table = out.slice(out.lastIndexOf('gateway 2 ready'));
      const m = /^gateway 2 +(\d+) +\S+ +\S+ +yes /m.exec(table);
      return out.lastIndexOf('gateway 2 ready') >= 0 && m ? Number(m[1]) : 0;
    }, 120_000, 200);
    expect(back).not.toBe(victim);
    pids.push(back);

    // Clients reach it on the shared port; on Ctrl-C they are told and closed with 1001.
    expect((await readHealth({ host: '127.0.0.1', port })).status).toBe(200);
    const client = await openWitness(`ws://127.0.0.1:${port}/ws/solusdt@trade`);
    process.kill(-npm.pid!, 'SIGINT'); // what Ctrl-C in a terminal does: the whole foreground group
    await waitFor('every process of the fleet to be gone', () => pids.every((pid) => !running(pid)), 60_000, 100)
      .catch((err: Error) => { throw new Error(`${err.message}; still running: ${pids.filter(running).join(', ')}\n${out}`); });
    // npm waits for the launcher, then ends the way a Ctrl-C'd npm does: by the same signal.
    const exit = await exited;
    expect(exit.code === 0 || exit.signal === 'SIGINT', JSON.stringify(exit)).toBe(true);
    await waitFor('the client to be closed', () => client.closed, 10_000);
    expect(client.closed!.code).toBe(1001);
    expect(client.frames.at(-1)?.data.e).toBe('serverShutdown');
    expect(out).toContain('stopped: every process of the fleet and the private redis-server');
  }, 300_000);
});

describe.skipIf(!REDIS_SERVER)('npm run fleet against a Redis that refuses', () => {
  const fleet = createFleetScope();
  afterEach(() => fleet.cleanup());

  it('stops before starting any process, saying what Redis answered and where the password goes', async () => {
    const redis = await fleet.redis(undefined, ['--requirepass', 'secret']);
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'server/fleet/launch.ts', '--redis', redis.url, '--gateways', '1', '--port', '0'], {
      cwd: ROOT, encoding: 'utf8', timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(`start-up failed: Redis at ${redis.url} answers but refuses: NOAUTH Authentication required. (a password goes in the URL: redis://:password@host:port)`);
    expect(run.stdout).not.toContain('starting the market');
  }, 90_000);
});
