// When a row's figures describe the load generator rather than the server: the client-bound rule
// and the saturation thresholds the report explains rows with. Unit-tested in test/bench/stats.test.ts.

/** The load generator at or above this share of its cores set the pace, not the server. */
export const CLIENT_BOUND_PCT = 85;

/** A core this busy (user, system, irq and softirq of every process on it) has no room left. */
export const CORE_FULL_PCT = 95;

/**
 * The client-bound rule. A run is client-bound when
 * - the load generator used at least CLIENT_BOUND_PCT of the CPU it may use (its cores: 1 when
 *   pinned to a core of its own), even if the server was busy too: then we cannot say which one
 *   set the pace, so the row does not claim the server's; or
 * - pinned, the load's core was full (the kernel's loopback work and other processes count there
 *   but not in the generator's own accounting) while the server's core still had room.
 * A generator that reads late makes the latency and the rate describe itself, not the server.
 */
export function isClientBound(clientCpuPct: number, cores?: { readonly loadCoreBusyPct: number; readonly serverCoreBusyPct: number }): boolean {
  if (clientCpuPct >= CLIENT_BOUND_PCT) return true;
  return cores !== undefined && cores.loadCoreBusyPct >= CORE_FULL_PCT && cores.serverCoreBusyPct < CORE_FULL_PCT;
}

/** A process this busy (% of its core) is not saturated but queues: latency grows. */
export const BUSY_PCT = 60;
