// Whether this checkout's server has fleet roles (`--role market|gateway`): the fleet suites run
// only then, and say so when they skip. Read from the server's own config, not guessed.
import { loadConfig } from '../../server/config.ts';
import { findRedisServer } from '../../server/fleet/redis-server.ts';

function hasRoles(): boolean {
  try {
    return 'role' in (loadConfig(['--role', 'gateway'], {}) as object);
  } catch {
    return false;
  }
}

export const FLEET_ROLES = hasRoles();
export const REDIS_SERVER = findRedisServer() !== undefined;
/** Why the fleet suites skip, or '' when they run. */
export const FLEET_SKIP_REASON = !FLEET_ROLES
  ? 'server/config.ts has no --role yet (the fleet roles are not in this checkout)'
  : !REDIS_SERVER
    ? 'redis-server is not installed (.ci/run installs it)'
    : '';
if (FLEET_SKIP_REASON) console.warn(`fleet tests skipped: ${FLEET_SKIP_REASON}`);
