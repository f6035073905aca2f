// The Redis bus under faults, on a private redis-server each test starts and kills: Redis gone and
// back empty, more held than the bound, a Redis that refuses writes (maxmemory) or wants a password,
// a wrong address, and foreign entries in the log. Nothing throws; causes are named and counted.
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisBus, type RedisBus } from '../../server/bus/bus-redis.ts';
import type { LogEntry } from '../../server/bus/redis-keys.ts';
import { freePort, startPrivateRedis, type PrivateRedis } from '../../server/fleet/redis-server.ts';
import type { MarketEvent } from '../../server/market/types.ts';
import { createMetrics, type Metrics } from '../../server/metrics.ts';
import { until } from '../gateway/harness.ts';

const CH = 'market.SOLUSDT';
const batch = (n: number, pad = 0): MarketEvent[] => [{ type: 'ticker', timeUs: n, pad: 'x'.repeat(pad) } as unknown as MarketEvent];

describe('the Redis bus under faults', () => {
  const redises: PrivateRedis[] = [];
  const buses: RedisBus[] = [];
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()));
    await Promise.all(redises.splice(0).map((r) => r.stop()));
  });
  const redis = async () => {
    const r = await startPrivateRedis();
    redises.push(r);
    return r;
  };
  const open = (url: string, extra: { maxHeldBytes?: number } = {}) => {
    const lines: string[] = [];
    const metrics = createMetrics();
    const bus = createRedisBus({ url, metrics, log: (msg) => lines.push(msg), ...extra });
    buses.push(bus);
    return { bus, metrics, lines };
  };
  /** Every entry of the channel's log, read with a second bus from the start. */
  const follower = (bus: RedisBus) => {
    const got: LogEntry[] = [];
    const gaps: string[] = [];
    bus.follow(CH, { id: '0-0', seq: 0 }, { entry: (e) => got.push(e), gap: (g) => gaps.push(`${g.reason}: expected ${g.expected}, got ${g.got.seq}`) });
    return { got, gaps, seqs: () => got.map((e) => e.seq) };
  };
  const written = (m: Metrics) => m.read('tickwire_bus_batches_written_total');

  it('holds what it cannot write while Redis is gone and, once Redis is back empty, re-seeds the snapshot and writes the rest in order', async () => {
    const r = await redis();
    const { bus, metrics } = open(r.url);
    let seeded = 0;
    bus.setReseed(() => ({ snap: `snapshot at ${bus.position(CH).seq} #${++seeded}` }));
    const reader = follower(open(r.url).bus);
    for (let i = 1; i <= 50; i++) bus.publish(CH, batch(i));
    bus.writeSnapshot(CH, 'snapshot at 50');
    await bus.drained();
    await until(() => reader.got.length === 50, 10_000, 'the reader to have the first 50');

    await r.kill('SIGKILL');
    for (let i = 51; i <= 150; i++) bus.publish(CH, batch(i));
    expect(bus.held.batches).toBe(100);
    expect(metrics.read('tickwire_bus_held_batches')).toBe(100);
    await r.restart();
    await until(() => bus.held.batches === 0, 20_000, 'the held batches to be written');
    await until(() => reader.got.at(-1)?.seq === 150, 20_000, 'the reader to get seq 150');

    expect(await bus.command(['GET', bus.keys(CH).snap])).toBe('snapshot at 150 #1');
    expect(metrics.read('tickwire_bus_reseeds_total')).toBe(1);
    // Every seq once, in order: the first 50 before, the held 100 after (re-written recent ones skipped).
    expect(reader.seqs()).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    expect(reader.got.map((e) => (e.events[0] as { timeUs: number }).timeUs)).toEqual(reader.seqs());
    expect(reader.gaps).toEqual([]);
    expect(written(metrics)).toBe(150);
    expect(metrics.read('tickwire_bus_redis_errors_total', { op: 'connect-command', cause: 'unreachable' })).toBeGreaterThan(0);
  }, 60_000);

  it('past its bound drops the oldest held batches, counts them, and writes a fresh snapshot before the rest', async () => {
    const r = await redis();
    const { bus, metrics, lines } = open(r.url, { maxHeldBytes: 20_000 });
    bus.setReseed(() => ({ snap: `snapshot at ${bus.position(CH).seq}` }));
    bus.publish(CH, batch(1));
    bus.writeSnapshot(CH, 'snapshot at 1');
    await bus.drained();
    await r.kill('SIGKILL');
    for (let i = 2; i <= 101; i++) bus.publish(CH, batch(i, 1000));
    const dropped = metrics.read('tickwire_bus_batches_dropped_total');
    expect(dropped).toBeGreaterThan(50);
    expect(bus.held.bytes).toBeLessThanOrEqual(20_000);
    expect(lines.some((l) => /dropping the oldest held batches/.test(l))).toBe(true);
    await r.restart();
    await until(() => bus.held.batches === 0, 20_000, 'the held batches to be written');
    // Redis restarted empty: the snapshot is as of the newest seq, and the log holds the newest batches in order.
    expect(await bus.command(['GET', bus.keys(CH).snap])).toBe('snapshot at 101');
    // The log: the last batch written before (written again), then the newest held ones, in order.
    const entries = await bus.command<[string, string[]][]>(['XRANGE', bus.keys(CH).log, '-', '+']);
    const seqs = entries.map(([, f]) => Number(f[f.indexOf('s') + 1]));
    const kept = 100 - dropped;
    expect(seqs).toEqual([1, ...Array.from({ length: kept }, (_, i) => 101 - kept + 1 + i)]);
    // A reader from the start meets the gap and says so rather than skipping it.
    const reader = follower(open(r.url).bus);
    await until(() => reader.gaps.length > 0, 10_000, 'the gap reported');
    expect(reader.gaps).toEqual([`gap: expected 2, got ${101 - kept + 1}`]);
  }, 60_000);

  it('names maxmemory as the cause when Redis refuses writes, counts it, and writes everything once Redis takes it', async () => {
    const r = await redis();
    const { bus, metrics, lines } = open(r.url);
    const admin = open(r.url).bus;
    await admin.untilReady();
    await admin.command(['CONFIG', 'SET', 'maxmemory-policy', 'noeviction']);
    await admin.command(['CONFIG', 'SET', 'maxmemory', '1']);
    for (let i = 1; i <= 20; i++) bus.publish(CH, batch(i));
    await until(() => metrics.read('tickwire_bus_redis_errors_total', { op: 'write', cause: 'maxmemory' }) > 0, 10_000, 'a counted maxmemory refusal');
    expect(lines.some((l) => /write failed \(maxmemory\) at redis:\/\/127\.0\.0\.1:\d+\/?: OOM/.test(l))).toBe(true);
    expect(written(metrics)).toBe(0);
    await admin.command(['CONFIG', 'SET', 'maxmemory', '0']);
    await until(() => written(metrics) === 20, 10_000, 'all 20 written');
    const reader = follower(admin);
    await until(() => reader.got.length === 20, 10_000, 'the reader to get 20');
    expect(reader.seqs()).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  }, 60_000);

  it('names auth as the cause when Redis wants a password, and works with one in the URL', async () => {
    const r = await redis();
    const admin = open(r.url).bus;
    await admin.untilReady();
    await admin.command(['CONFIG', 'SET', 'requirepass', 's3cret']);
    const { bus, metrics, lines } = open(r.url);
    bus.publish(CH, batch(1));
    await until(() => [...lines].some((l) => /\(auth\)/.test(l)), 10_000, 'an auth failure said');
    expect(metrics.render()).toMatch(/tickwire_bus_redis_errors_total\{cause="auth",op="[a-z-]+"\} [1-9]/);
    const withPassword = open(r.url.replace('redis://', 'redis://default:s3cret@'));
    expect(withPassword.bus.where).toMatch(/^redis:\/\/default:\*\*\*@127\.0\.0\.1:\d+/);
    withPassword.bus.publish(CH, batch(1));
    await withPassword.bus.drained();
    expect(written(withPassword.metrics)).toBe(1);
  }, 60_000);

  it('says where it tried when nothing answers, keeps trying, and throws nothing at the publisher', async () => {
    const port = await freePort();
    const { bus, metrics, lines } = open(`redis://127.0.0.1:${port}`);
    for (let i = 1; i <= 5; i++) bus.publish(CH, batch(i));
    await until(() => metrics.read('tickwire_bus_redis_errors_total', { op: 'connect-command', cause: 'unreachable' }) >= 2, 10_000, 'two counted connection failures');
    expect(lines[0]).toMatch(new RegExp(`connect-command failed \\(unreachable\\) at redis://127\\.0\\.0\\.1:${port}/?: .*ECONNREFUSED`));
    expect(bus.held.batches).toBe(5);
    expect(bus.ready).toBe(false);
  }, 30_000);

  it('skips entries it cannot read (foreign, unknown version, not JSON), counts them by kind, and delivers the rest in order', async () => {
    const r = await redis();
    const { bus, metrics, lines } = open(r.url);
    const reader = follower(bus);
    await bus.untilReady();
    const log = bus.keys(CH).log;
    bus.publish(CH, batch(1));
    await bus.drained();
    await bus.command(['XADD', log, '*', 'hello', 'world']);
    await bus.command(['XADD', log, '*', 'v', '2', 's', '2', 'e', 'x', 'b', '[]']);
    await bus.command(['XADD', log, '*', 'v', '1', 's', '2', 'e', bus.position(CH).epoch, 'b', '{not json']);
    bus.publish(CH, batch(2));
    bus.publish(CH, batch(3));
    await until(() => reader.got.length === 3, 10_000, 'three good entries');
    expect(reader.seqs()).toEqual([1, 2, 3]);
    expect(metrics.read('tickwire_bus_bad_entries_total', { kind: 'malformed' })).toBe(2);
    expect(metrics.read('tickwire_bus_bad_entries_total', { kind: 'version' })).toBe(1);
    expect(lines.some((l) => /has version "2"; this build reads 1/.test(l))).toBe(true);
  }, 30_000);
});
