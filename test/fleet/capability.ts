// Whether this checkout's server has fleet roles (`--role market|gateway`): the fleet suites run
// only then, and say so when they skip. Asked of the server itself: a bad role must be refused
// with the flag's own message, which a server without roles cannot give.
import { spawnSync } from 'node:child_process';
import { findRedisServer } from '../../server/fleet/redis-server.ts';
import { ROOT } from '../../server/fleet/role-process.ts';

function hasRoles(): boolean {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts', '--role', 'no-such-role', '--port', '0'], {
    cwd: ROOT, encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL',
  });
  return run.status === 2 && /--role \(ROLE\)/.test(run.stderr);
}

export const REDIS_SERVER = findRedisServer() !== undefined;
export const FLEET_ROLES = hasRoles();
/** Why the fleet suites skip, or '' when they run. */
export const FLEET_SKIP_REASON = !FLEET_ROLES
  ? 'the server has no --role yet (server/main.ts does not know the fleet roles)'
  : !REDIS_SERVER
    ? 'redis-server is not installed (.ci/run installs it)'
    : '';
if (FLEET_SKIP_REASON) console.warn(`fleet tests skipped: ${FLEET_SKIP_REASON}`);
