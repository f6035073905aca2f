// The Redis bus's connections: clients that retry forever with a capped backoff and fail fast while
// Redis is away (no hidden offline queue: the writer holds and counts instead), every failure counted
// by operation and cause and said at most once a second per kind, with the address (password hidden).
import { createClient } from 'redis';
import type { Counter, Metrics } from '../metrics.ts';
import { causeOf, messageOf } from './redis-keys.ts';

export const RETRY_MAX_MS = 1000;
const LOG_EVERY_MS = 1000;

export type Log = (msg: string, fields: Record<string, unknown>) => void;

/** RESP2, so raw replies (sendCommand) are plain arrays: XREAD gives [[key, [[id, [field, value…]]…]]]. */
const newClient = (url: string) =>
  createClient({
    url,
    RESP: 2,
    disableOfflineQueue: true,
    socket: { connectTimeout: 2000, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, RETRY_MAX_MS) },
  });
export type Client = ReturnType<typeof newClient>;

export interface Conn {
  /** Where it connects, password hidden. */
  readonly where: string;
  /** The shared connection: writes and one-off commands (never a blocking read). */
  readonly base: Client;
  readonly metrics: Metrics;
  readonly closed: boolean;
  /** A connection of its own (a follower's blocking reads); `release` closes it. */
  connect(role: string): Client;
  release(client: Client): void;
  /** Count a failure by operation and cause, and say it (rate-limited). */
  fail(op: string, err: unknown, fields?: Record<string, unknown>): void;
  /** Say something, at most once a second per `kind`. */
  log(kind: string, msg: string, fields: Record<string, unknown>): void;
  /** Resolves once the shared connection is up (at once if it is), or on close. */
  untilReady(): Promise<void>;
  /** Resolves once `client` is up, or on close. */
  whenReady(client: Client): Promise<void>;
  /** Called each time the shared connection (re)connects. */
  onReady(f: () => void): void;
  close(): void;
}

export function createConn(url: string, metrics: Metrics, log: Log): Conn {
  const where = redactedUrl(url);
  const say = rateLimited(log);
  const clients = new Set<Client>();
  const errors = new Map<string, Counter>();
  let wake: (() => void)[] = [];
  let closed = false;
  const fail = (op: string, err: unknown, fields: Record<string, unknown> = {}) => {
    const cause = causeOf(err);
    const key = `${op}|${cause}`;
    let c = errors.get(key);
    if (!c) errors.set(key, (c = metrics.counter('tickwire_bus_redis_errors_total', 'Failed Redis commands and connections, by operation and cause.', { op, cause })));
    c.inc();
    say(`${op}-${cause}`, `${op} failed (${cause}) at ${where}: ${messageOf(err)}`, fields);
  };
  const connect = (role: string): Client => {
    const client = newClient(url);
    client.on('error', (err: unknown) => fail(`connect-${role}`, err));
    clients.add(client);
    // connect() keeps retrying by the strategy above; it rejects only when the client is closed.
    client.connect().catch(() => undefined);
    return client;
  };
  const base = connect('command');
  base.on('ready', () => {
    const w = wake;
    wake = [];
    for (const f of w) f();
  });
  return {
    where,
    base,
    metrics,
    get closed() {
      return closed;
    },
    connect,
    release(client) {
      clients.delete(client);
      client.destroy();
    },
    fail,
    log: say,
    untilReady: () =>
      new Promise<void>((resolve) => {
        if (base.isReady || closed) resolve();
        else wake.push(resolve);
      }),
    whenReady: (client) =>
      new Promise<void>((resolve) => {
        if (client.isReady || closed) return resolve();
        client.once('ready', () => resolve());
        wake.push(resolve);
      }),
    onReady(f) {
      base.on('ready', f);
    },
    close() {
      closed = true;
      for (const f of wake.splice(0)) f();
      for (const c of clients) c.destroy();
      clients.clear();
    },
  };
}

/** A timer that never keeps the process alive. */
export const pause = (ms: number): Promise<void> => new Promise<void>((r) => setTimeout(r, ms).unref?.());

/** `redis://user:secret@host:6379` → `redis://user:***@host:6379`: log lines name where, never the password. */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return JSON.stringify(url);
  }
}

/** A log that says each kind of problem at most once a second, with how many were not said. */
function rateLimited(log: Log): (kind: string, msg: string, fields: Record<string, unknown>) => void {
  const last = new Map<string, { at: number; quiet: number }>();
  return (kind, msg, fields) => {
    const now = Date.now();
    const seen = last.get(kind);
    if (seen && now - seen.at < LOG_EVERY_MS) {
      seen.quiet++;
      return;
    }
    last.set(kind, { at: now, quiet: 0 });
    log(msg, seen && seen.quiet > 0 ? { ...fields, notLoggedSinceLast: seen.quiet } : fields);
  };
}
