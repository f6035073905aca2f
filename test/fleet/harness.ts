// A real fleet for tests: private redis-servers, market and gateway child processes, /healthz waits,
// process faults (SIGKILL, SIGSTOP, SIGCONT), and witness WebSocket clients that check trade ids.
// Everything a test starts is registered on its FleetScope; `cleanup()` (in afterEach) kills it all.
import WebSocket from 'ws';
import { startPrivateRedis, type PrivateRedis } from '../../server/fleet/redis-server.ts';
import {
  readHealth,
  signalProcess,
  spawnRole,
  waitForHealth,
  type Endpoint,
  type Health,
  type Role,
  type RoleProcess,
} from '../../server/fleet/role-process.ts';

export type { Endpoint, Health };

/** Symbols and rates small enough for a shared 2-core machine, busy enough to see many trades. */
export const TEST_SYMBOLS = 'SOLUSDT:20,BTCUSDT:5';
/** Every process of a test fleet gets the same symbols, as an operator would give them. */
export const FLAGS: readonly string[] = ['--symbols', TEST_SYMBOLS];

/** Poll `check` until it returns something truthy; reject after `timeoutMs` naming `what`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs: number, intervalMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs)); // poll interval, not a wait for an outcome
  }
}

export interface FleetProcess {
  readonly role: Role;
  readonly proc: RoleProcess;
  readonly pid: number;
  /** Its public address (where clients connect). */
  readonly endpoint: Endpoint;
  readonly url: string;
  readonly wsUrl: string;
  health(): Promise<Health>;
  /** Wait until /healthz answers 200 (a market writing to Redis; a gateway caught up). */
  waitReady(timeoutMs?: number): Promise<Health>;
  /** Wait until /healthz satisfies `accept`. */
  waitHealth(accept: (h: Health) => boolean, what: string, timeoutMs?: number): Promise<Health>;
  /** GET a path; resolves with status and body text. */
  get(path: string): Promise<{ status: number; text: string }>;
  /** /metrics as text. */
  metrics(): Promise<string>;
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM and wait for the exit; resolves with its exit code. */
  stop(): Promise<number | null>;
  readonly alive: boolean;
}

export interface FleetScope {
  /** Start a private redis-server on a free port (or `port`), with more redis-server arguments if given. */
  redis(port?: number, args?: readonly string[]): Promise<PrivateRedis>;
  /** Start a market on 127.0.0.1:0 writing to `redisUrl`, wait until it listens. */
  market(redisUrl: string, flags?: readonly string[]): Promise<FleetProcess>;
  /** Start a gateway on 127.0.0.1:0 reading `redisUrl`, wait until it listens (not until caught up). */
  gateway(redisUrl: string, flags?: readonly string[]): Promise<FleetProcess>;
  /** A raw WebSocket client on `url` that records every frame. */
  witness(url: string): Promise<Witness>;
  /** Kill everything started through this scope. Idempotent; call it in afterEach. */
  cleanup(): Promise<void>;
}

export function createFleetScope(): FleetScope {
  const processes: RoleProcess[] = [];
  const redises: PrivateRedis[] = [];
  const witnesses: Witness[] = [];

  const start = async (role: Role, redisUrl: string, flags: readonly string[]): Promise<FleetProcess> => {
    const proc = spawnRole({ role, args: ['--redis', redisUrl, '--host', '127.0.0.1', '--port', '0', ...flags] });
    processes.push(proc);
    const endpoint = await withTimeout(proc.listening, 30_000, `${role} start line (listening on …)`, proc);
    return wrapProcess(role, proc, endpoint);
  };

  return {
    async redis(port, args) {
      const redis = await startPrivateRedis({ ...(port === undefined ? {} : { port }), ...(args === undefined ? {} : { args }) });
      redises.push(redis);
      return redis;
    },
    market: (redisUrl, flags = []) => start('market', redisUrl, flags),
    gateway: (redisUrl, flags = []) => start('gateway', redisUrl, flags),
    async witness(url) {
      const w = await openWitness(url);
      witnesses.push(w);
      return w;
    },
    async cleanup() {
      for (const w of witnesses.splice(0)) w.close();
      const procs = processes.splice(0);
      for (const p of procs) signalProcess(p, 'SIGKILL'); // also works on a SIGSTOPped process
      await Promise.all(procs.map((p) => withTimeout(p.exited, 10_000, `${p.role} ${p.pid} to die`, p).catch(() => {})));
      await Promise.all(redises.splice(0).map((r) => r.stop()));
    },
  };
}

function wrapProcess(role: Role, proc: RoleProcess, endpoint: Endpoint): FleetProcess {
  const url = `http://${endpoint.host}:${endpoint.port}`;
  const waitHealth = (accept: (h: Health) => boolean, what: string, timeoutMs = 60_000) =>
    waitForHealth(endpoint, accept, { timeoutMs, stillAlive: () => proc.alive, what: `${role} ${proc.pid} (${what})` }).catch((err: Error) => {
      throw new Error(`${err.message}\n--- its last output:\n${proc.lines.slice(-15).join('\n')}`);
    });
  const get = async (path: string) => {
    const res = await fetch(`${url}${path}`, { headers: { connection: 'close' } });
    return { status: res.status, text: await res.text() };
  };
  return {
    role,
    proc,
    pid: proc.pid,
    endpoint,
    url,
    wsUrl: `ws://${endpoint.host}:${endpoint.port}`,
    health: () => readHealth(endpoint),
    waitReady: (timeoutMs) => waitHealth((h) => h.status === 200, 'ready', timeoutMs),
    waitHealth,
    get,
    metrics: async () => (await get('/metrics')).text,
    signal: (signal) => signalProcess(proc, signal),
    async stop() {
      signalProcess(proc, 'SIGTERM');
      const { code } = await withTimeout(proc.exited, 20_000, `${role} ${proc.pid} to exit after SIGTERM`, proc);
      return code;
    },
    get alive() {
      return proc.alive;
    },
  };
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string, proc?: RoleProcess): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const tail = proc ? `\n--- its last output:\n${proc.lines.slice(-15).join('\n')}` : '';
      reject(new Error(`timed out after ${ms} ms waiting for ${what}${tail}`));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** One frame as it arrived: the exact text, and its parsed stream name and payload. */
export interface Frame {
  readonly text: string;
  /** Combined-stream name, or '' on a raw /ws connection. */
  readonly stream: string;
  readonly data: Record<string, unknown>;
  readonly atMs: number;
}

export interface Witness {
  readonly ws: WebSocket;
  readonly frames: Frame[];
  /** Trade ids (`t`) per symbol, in arrival order. */
  readonly tradeIds: Map<string, number[]>;
  /** Close code and reason if the server closed it; undefined while open. */
  readonly closed: { code: number; reason: string } | undefined;
  /** Trades received so far, over all symbols. */
  tradeCount(): number;
  /** Frames of one stream, in arrival order. */
  framesOf(stream: string): Frame[];
  /**
   * What is wrong with the trade ids: per symbol, every id must be the previous plus one (in order,
   * no gap, no duplicate). Empty when all is well. The same check for aggregate trade ids (`a`), and
   * for depth diffs (`U` = previous `u` + 1) when those streams are subscribed.
   */
  problems(): string[];
  /** Wait until `n` more trades arrived than `from` (default: now). */
  waitForTrades(n: number, timeoutMs: number, from?: number): Promise<void>;
  close(): void;
}

/** Open a WebSocket (combined `/stream?streams=…` or raw `/ws/…`) and record every frame. */
export function openWitness(url: string): Promise<Witness> {
  const ws = new WebSocket(url);
  const frames: Frame[] = [];
  const tradeIds = new Map<string, number[]>();
  let closed: { code: number; reason: string } | undefined;
  ws.on('message', (raw: WebSocket.RawData, isBinary: boolean) => {
    if (isBinary) return;
    const text = raw.toString();
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const combined = typeof parsed.stream === 'string' && typeof parsed.data === 'object';
    const data = (combined ? parsed.data : parsed) as Record<string, unknown>;
    frames.push({ text, stream: combined ? (parsed.stream as string) : '', data, atMs: Date.now() });
    if (data.e === 'trade' && typeof data.s === 'string' && typeof data.t === 'number') {
      let ids = tradeIds.get(data.s);
      if (!ids) tradeIds.set(data.s, (ids = []));
      ids.push(data.t);
    }
  });
  ws.on('close', (code, reason) => (closed = { code, reason: reason.toString() }));
  const tradeCount = () => [...tradeIds.values()].reduce((n, ids) => n + ids.length, 0);
  const witness: Witness = {
    ws,
    frames,
    tradeIds,
    get closed() {
      return closed;
    },
    tradeCount,
    framesOf: (stream) => frames.filter((f) => f.stream === stream),
    problems() {
      const out: string[] = [];
      const consecutive = (what: string, xs: readonly number[]) => {
        for (let i = 1; i < xs.length; i++) {
          if (xs[i] !== xs[i - 1]! + 1) {
            out.push(`${what}: ${xs[i - 1]} then ${xs[i]} (at #${i} of ${xs.length})`);
            if (out.length > 20) return;
          }
        }
      };
      for (const [symbol, ids] of tradeIds) consecutive(`${symbol} trade ids`, ids);
      const bySymbol = (event: string) => {
        const m = new Map<string, Record<string, unknown>[]>();
        for (const f of frames) {
          if (f.data.e !== event || typeof f.data.s !== 'string') continue;
          let xs = m.get(f.data.s);
          if (!xs) m.set(f.data.s, (xs = []));
          xs.push(f.data);
        }
        return m;
      };
      for (const [symbol, aggs] of bySymbol('aggTrade')) consecutive(`${symbol} aggTrade ids`, aggs.map((d) => d.a as number));
      // Each diff stream separately: @100ms and @1000ms batch the same updates differently.
      const diffStreams = new Map<string, Record<string, unknown>[]>();
      for (const f of frames) {
        if (f.data.e !== 'depthUpdate') continue;
        const key = f.stream || String(f.data.s);
        let xs = diffStreams.get(key);
        if (!xs) diffStreams.set(key, (xs = []));
        xs.push(f.data);
      }
      for (const [stream, diffs] of diffStreams) {
        for (let i = 1; i < diffs.length; i++) {
          const prevU = diffs[i - 1]!.u as number;
          if (diffs[i]!.U !== prevU + 1) out.push(`${stream}: u ${prevU} then U ${String(diffs[i]!.U)} (at #${i})`);
        }
      }
      if (closed) out.push(`socket closed by the server: ${closed.code} ${closed.reason}`);
      return out;
    },
    async waitForTrades(n, timeoutMs, from = tradeCount()) {
      await waitFor(`${n} more trades on ${url} (have ${tradeCount() - from})`, () => tradeCount() >= from + n || closed !== undefined, timeoutMs);
      if (closed) throw new Error(`witness on ${url} was closed (${closed.code} ${closed.reason}) while waiting for trades`);
    },
    close() {
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.terminate();
    },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(witness));
    ws.once('error', reject);
  });
}

/** `/stream?streams=…` URL for the given symbols and stream suffixes (e.g. ['trade', 'depth@100ms']). */
export function streamUrl(base: string, symbols: readonly string[], kinds: readonly string[]): string {
  const names = symbols.flatMap((s) => kinds.map((k) => `${s.toLowerCase()}@${k}`));
  return `${base}/stream?streams=${names.join('/')}`;
}
