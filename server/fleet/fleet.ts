// A fleet on one machine: finds or starts Redis, starts one market and N gateways (sharing the public
// port), waits for each /healthz, keeps the process table current, restarts a process that dies, and
// stops everything in order (gateways, so clients get serverShutdown and 1001; then the market; then Redis).
import type { LaunchOptions } from './launch-flags.ts';
import { describeHealth, renderTable, type TableRow } from './process-table.ts';
import { findRedisServer, freePort, pingRedis, redisAddress, startPrivateRedis, type PrivateRedis } from './redis-server.ts';
import { startEdge, type Edge } from '../edge/edge.ts';
import { proxiedGateways, stablePort } from '../edge/layout.ts';
import { readHealth, signalProcess, spawnRole, waitForHealth, type Endpoint, type Health, type Role, type RoleProcess } from './role-process.ts';

/** How a gateway is told to share the public port (see FLEET-CONTRACT: `--reuse-port`). */
const REUSE_PORT_ARGS = ['--reuse-port'];
/** Crashes of one process within a minute that the fleet restarts; one more and it stops. */
export const MAX_RESTARTS_PER_MINUTE = 5;
const START_TIMEOUT_MS = 60_000;
const READY_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 10_000;
const POLL_MS = 1000;

export interface FleetHandle {
  /** Where clients connect: every gateway answers here. */
  readonly publicUrl: string;
  /** Resolves once every process answered /healthz 200; rejects (after stopping all) when start-up failed. */
  readonly ready: Promise<void>;
  /** Resolves with the exit code once the fleet has stopped: 0 when asked to stop, non-zero when it gave up. */
  readonly done: Promise<number>;
  rows(): TableRow[];
  /** With --proxy: haproxy in front (undefined before it started, or without --proxy). */
  readonly edge: Edge | undefined;
  /**
   * Restart the gateways one at a time (SIGHUP to `npm run fleet`): each drains (its /healthz says
   * "draining", its clients get serverShutdown and 1001), exits, leaves the proxy's pool, starts
   * again, catches up and rejoins, before the next one goes. Resolves when all are back.
   */
  rollingRestart(): Promise<void>;
  /** Stop everything in order. Idempotent. */
  stop(reason: string): Promise<number>;
  /** Last resort (process exit): SIGKILL every process still running, synchronously. */
  killAll(): void;
}

interface Slot {
  readonly role: Role;
  readonly label: string;
  /** The proxy's server name (--proxy), e.g. gw1. */
  name?: string;
  /** Being restarted on purpose: its exit is not a crash. */
  restarting?: boolean;
  args: string[];
  proc?: RoleProcess;
  endpoint?: Endpoint;
  admin?: Endpoint;
  ready: boolean;
  detail: string;
  crashes: number[];
}

export function startFleet(opts: LaunchOptions, log: (line: string) => void): FleetHandle {
  const slots: Slot[] = [];
  let redisUrl = opts.redis;
  let privateRedis: PrivateRedis | undefined;
  let stopping: Promise<number> | undefined;
  let poller: ReturnType<typeof setInterval> | undefined;
  let publicPort = opts.port;
  let edge: Edge | undefined;
  let rolling: Promise<void> | undefined;
  let started = false;
  let resolveDone: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => (resolveDone = resolve));

  const rows = (): TableRow[] => [
    ...(privateRedis
      ? [{ role: 'redis', pid: privateRedis.pid, address: redisUrl.replace('redis://', ''), ready: privateRedis.running, detail: 'private redis-server, memory only' }]
      : [{ role: 'redis', pid: undefined, address: redisUrl.replace(/^redis:\/\/([^@]*@)?/, ''), ready: true, detail: 'external' }]),
    ...slots.map((s) => ({
      role: s.label,
      pid: s.proc?.pid,
      address: s.endpoint ? `${s.endpoint.host}:${s.endpoint.port}` : '-',
      admin: s.admin && (s.admin.port !== s.endpoint?.port || s.admin.host !== s.endpoint?.host) ? `${s.admin.host}:${s.admin.port}` : undefined,
      ready: s.ready,
      detail: s.detail,
    })),
    ...(edge ? [{ role: 'haproxy', pid: edge.pid, address: edge.publicUrl.replace(/^\w+:\/\//, ''), ready: edge.alive, detail: `${edge.publicUrl} (${edge.wsUrl}) → ${slots.filter((s) => s.name).map((s) => s.name).join(', ')}` }] : []),
  ];
  const printTable = (why: string) => log(`\n${new Date().toISOString().slice(11, 19)} ${why}\n${renderTable(rows())}\n`);

  const launch = async (slot: Slot): Promise<void> => {
    slot.ready = false;
    slot.detail = 'starting';
    slot.endpoint = undefined;
    slot.admin = undefined;
    const proc = spawnRole({ role: slot.role, args: slot.args, onLine: (line) => log(`[${slot.label}] ${line}`) });
    slot.proc = proc;
    void proc.exited.then((exit) => onExit(slot, proc, exit));
    slot.endpoint = await within(proc.listening, START_TIMEOUT_MS, `${slot.label} (pid ${proc.pid}) to print its address`);
    // A process that never prints an admin address is read on its public one (where, behind a shared
    // port, any gateway may answer).
    slot.admin = await Promise.race([
      proc.admin,
      new Promise<Endpoint>((resolve) => setTimeout(() => resolve(slot.endpoint!), 3000).unref()),
    ]);
    slot.detail = `listening, pid ${proc.pid}`;
    // A restart listens where the first one did (port 0 picked one).
    const at = slot.args.indexOf('--port');
    if (at >= 0 && slot.args[at + 1] === '0') slot.args[at + 1] = String(slot.endpoint.port);
  };

  const waitReady = async (slot: Slot): Promise<void> => {
    let lastShown = 0;
    await waitForHealth(slot.admin!, (h) => h.status === 200, {
      timeoutMs: READY_TIMEOUT_MS,
      intervalMs: 200,
      what: `${slot.label} (pid ${slot.proc!.pid})`,
      stillAlive: () => slot.proc!.alive,
      onPoll: (h: Health) => {
        slot.detail = describeHealth(h);
        if (h.status !== 200 && Date.now() - lastShown > 2000) {
          lastShown = Date.now();
          log(`  … waiting for ${slot.label} (pid ${slot.proc!.pid}) to be ready: ${slot.detail}`);
        }
      },
    });
    slot.ready = true;
    log(`  ✓ ${slot.label} (pid ${slot.proc!.pid}) ready: ${slot.detail}`);
  };

  const onExit = (slot: Slot, proc: RoleProcess, exit: { code: number | null; signal: NodeJS.Signals | null }) => {
    if (stopping || slot.proc !== proc || slot.restarting) return;
    // Exit codes of server/main.ts that a restart cannot fix: 2 configuration, 3 cannot listen.
    const hopeless = exit.code === 2 || exit.code === 3;
    // Before the fleet was ready once, a death is a failed start: `ready` rejects and everything stops.
    if (!started && !hopeless) return;
    const how = exit.signal ?? `code ${exit.code}`;
    slot.ready = false;
    const now = Date.now();
    slot.crashes = [...slot.crashes.filter((t) => now - t < 60_000), now];
    if (hopeless) {
      const why = exit.code === 2 ? 'a configuration error' : 'cannot listen';
      slot.detail = `exited (${how}): ${why}`;
      printTable(`${slot.label} (pid ${proc.pid}) exited: ${why}, which a restart cannot fix; stopping the fleet`);
      void stop(`${slot.label}: ${why}`, exit.code!);
    } else if (slot.crashes.length > MAX_RESTARTS_PER_MINUTE) {
      slot.detail = `exited (${how}) ${slot.crashes.length} times in a minute`;
      printTable(`${slot.label} (pid ${proc.pid}) exited (${how}) ${slot.crashes.length} times within a minute; stopping the fleet`);
      void stop(`${slot.label} keeps dying`, 1);
    } else {
      slot.detail = `exited (${how}), restarting`;
      printTable(`${slot.label} (pid ${proc.pid}) exited (${how}); restarting it (${slot.crashes.length} of ${MAX_RESTARTS_PER_MINUTE} a minute)`);
      launch(slot).catch((err: Error) => log(`  ✗ restart of ${slot.label} failed: ${err.message}`));
    }
  };

  const poll = async () => {
    let changed = '';
    await Promise.all(
      slots.map(async (slot) => {
        if (!slot.proc?.alive || !slot.admin) return;
        const h = await readHealth(slot.admin, 900);
        if (stopping) return;
        const ready = h.status === 200;
        slot.detail = describeHealth(h);
        if (ready !== slot.ready) changed += `${changed ? '; ' : ''}${slot.label} ${ready ? 'ready' : 'not ready'}`;
        slot.ready = ready;
      }),
    );
    if (changed && !stopping) printTable(changed);
  };

  const stopSlots = async (which: Slot[]) => {
    await Promise.all(
      which.map(async (slot) => {
        const proc = slot.proc;
        if (!proc?.alive) return;
        signalProcess(proc, 'SIGTERM');
        const forced = setTimeout(() => {
          log(`  ${slot.label} (pid ${proc.pid}) still running ${STOP_TIMEOUT_MS / 1000} s after SIGTERM: SIGKILL`);
          signalProcess(proc, 'SIGKILL');
        }, STOP_TIMEOUT_MS);
        const exit = await proc.exited;
        clearTimeout(forced);
        slot.ready = false;
        slot.detail = `stopped (${exit.signal ?? `code ${exit.code}`})`;
      }),
    );
  };

  const stop = (reason: string, code = 0): Promise<number> => {
    stopping ??= (async () => {
      if (poller) clearInterval(poller);
      log(`stopping the fleet (${reason}): gateways first, then the market${privateRedis ? ', then the private redis-server' : ''}`);
      await rolling?.catch(() => {});
      await stopSlots(slots.filter((s) => s.role === 'gateway'));
      // haproxy after the gateways, so that their serverShutdown and 1001 reach the clients.
      await edge?.stop();
      await stopSlots(slots.filter((s) => s.role === 'market'));
      if (privateRedis) await privateRedis.stop();
      log(`stopped: every process of the fleet${privateRedis ? ' and the private redis-server' : ''}`);
      resolveDone(code);
      return code;
    })();
    return stopping;
  };

  const ready = (async () => {
    const found = await findRedis(opts.redis, log);
    redisUrl = found.url;
    privateRedis = found.privateRedis;
    if (stopping) return;

    // A restarted market listens where the first did: a port outside the kernel's ephemeral range.
    const marketPort = opts.marketPort === 0 ? await stablePort('127.0.0.1') : opts.marketPort;
    const market: Slot = { role: 'market', label: 'market', args: ['--redis', redisUrl, '--host', '127.0.0.1', '--port', String(marketPort), ...opts.serverArgs], ready: false, detail: 'starting', crashes: [] };
    slots.push(market);
    log(`starting the market …`);
    await launch(market);
    await waitReady(market);

    const gatewayArgs = (port: number) => ['--redis', redisUrl, '--host', opts.host, '--port', String(port), ...REUSE_PORT_ARGS, '--admin-port', '0', ...opts.serverArgs];
    for (let i = 1; i <= opts.gateways; i++) slots.push({ role: 'gateway', label: `gateway ${i}`, args: [], ready: false, detail: 'waiting', crashes: [] });
    const gateways = slots.filter((s) => s.role === 'gateway');
    
    // A port the kernel picks for a listener (port 0) cannot be shared: pick a free one here instead.
    if (publicPort === 0) publicPort = await stablePort(opts.host);
    // With --proxy every gateway has its own address and ports (as if on its own host) behind haproxy.
    const behindProxy = opts.proxy ? await proxiedGateways(opts.gateways) : undefined;
    log(behindProxy
      ? `starting ${opts.gateways} gateway${opts.gateways === 1 ? '' : 's'} at ${behindProxy.map((g) => `${g.host}:${g.port}`).join(', ')} (behind haproxy) …`
      : `starting ${opts.gateways} gateway${opts.gateways === 1 ? '' : 's'} on ${opts.host}:${publicPort} …`);
    gateways.forEach((g, i) => {
      const p = behindProxy?.[i];
      g.name = p?.name;
      g.args = p
        ? ['--redis', redisUrl, '--host', p.host, '--port', String(p.port), '--admin-port', String(p.checkPort), '--gateway-id', p.name, ...opts.serverArgs]
        : gatewayArgs(publicPort);
    });
    await Promise.all(gateways.map(launch));
    await Promise.all(gateways.map(waitReady));
    if (stopping) return;
    if (behindProxy) {
      edge = await startEdge({ host: opts.host, port: publicPort, tls: opts.tls, tlsCert: opts.tlsCert, servers: behindProxy, log });
      for (const g of behindProxy) await edge.waitServer(g.name, true);
      if (stopping) return;
    }
    started = true;
    printTable(`fleet ready: 1 market, ${opts.gateways} gateway${opts.gateways === 1 ? '' : 's'} at ${edge ? `${edge.publicUrl} (haproxy)` : `http://${shownHost(opts.host)}:${publicPort}`}`);
    poller = setInterval(() => void poll(), POLL_MS);
  })();
  ready.catch(async (err: Error) => {
    if (!stopping) printTable(`start-up failed: ${err.message}`);
    await stop('start-up failed', 1);
  });

  const restartOne = async (slot: Slot) => {
    const proc = slot.proc;
    if (!proc) return;
    slot.restarting = true;
    try {
      log(`rolling restart: ${slot.label} (pid ${proc.pid}) draining …`);
      if (proc.alive) {
        signalProcess(proc, 'SIGTERM');
        const forced = setTimeout(() => signalProcess(proc, 'SIGKILL'), STOP_TIMEOUT_MS);
        await proc.exited;
        clearTimeout(forced);
      }
      if (edge && slot.name) await edge.waitServer(slot.name, false);
      if (stopping) return;
      await launch(slot);
      await waitReady(slot);
      if (edge && slot.name) await edge.waitServer(slot.name, true);
      log(`rolling restart: ${slot.label} back (pid ${slot.proc!.pid})`);
    } finally {
      slot.restarting = false;
    }
  };

  const rollingRestart = (): Promise<void> => {
    if (!started) return Promise.reject(new Error('the fleet is not ready yet'));
    rolling ??= (async () => {
      const t0 = Date.now();
      for (const slot of slots.filter((s) => s.role === 'gateway')) {
        if (stopping) break;
        await restartOne(slot);
      }
      printTable(`rolling restart done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    })().finally(() => (rolling = undefined));
    return rolling;
  };

  return {
    get publicUrl() {
      return edge?.publicUrl ?? `http://${shownHost(opts.host)}:${publicPort}`;
    },
    get edge() {
      return edge;
    },
    rollingRestart,
    ready,
    done,
    rows,
    stop: (reason) => stop(reason, 0),
    killAll() {
      for (const s of slots) if (s.proc) signalProcess(s.proc, 'SIGKILL');
      if (edge?.alive) process.kill(-edge.pid, 'SIGKILL');
      if (privateRedis?.running) process.kill(privateRedis.pid, 'SIGKILL');
    },
  };
}

/** Use the Redis at `url` if one answers; else start a private redis-server when one is installed. */
async function findRedis(url: string, log: (line: string) => void): Promise<{ url: string; privateRedis?: PrivateRedis }> {
  const ping = await pingRedis(url, 2000);
  const shown = url.replace(/\/\/[^@/]*@/, '//***@');
  if (ping.answered && ping.reply === '+PONG') {
    log(`Redis at ${shown} answers`);
    return { url };
  }
  // A Redis that answers but refuses (no or wrong password, …): the processes could not use it either.
  if (ping.answered) throw new Error(`Redis at ${shown} answers but refuses: ${ping.reply.slice(1)} (a password goes in the URL: redis://:password@host:port)`);
  const { host } = redisAddress(url);
  if (!findRedisServer()) {
    throw new Error(`no Redis answers at ${shown} (${ping.reason}) and redis-server is not installed: install it (Debian: apt-get install redis-server) or pass --redis`);
  }
  const isLocal = host === '127.0.0.1' || host === 'localhost' || host === '::1';
  log(`no Redis answers at ${shown} (${ping.reason})${isLocal ? '' : ' (a remote address)'}: starting a private redis-server …`);
  const privateRedis = await startPrivateRedis();
  log(`started a private redis-server (pid ${privateRedis.pid}) at ${privateRedis.url}, memory only; it stops with the fleet`);
  return { url: privateRedis.url, privateRedis };
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s waiting for ${what}`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

const shownHost = (host: string) => (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);
