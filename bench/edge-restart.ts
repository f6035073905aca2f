// Measures the fleet's edge under failures with many clients: a fleet (private Redis, market,
// 3 gateways, haproxy) and N backfilling clients through the proxy (bench/load/backfill-witness.ts).
// 1. A rolling restart (what SIGHUP to `npm run fleet` does): trades lost after backfill, reconnect
//    times, and whether every close was serverShutdown + 1001.
// 2. kill -9 of the busiest gateway: its clients' reconnect times, loss after backfill, and the
//    trade latency (receive − E) p50/p99 of the OTHER gateways' clients in the window before and after:
//    of OBSERVERS clients in a process of their own (bench/edge-observer.ts), and of the clients here
//    (whose process also does the killed gateway's reconnects and backfills).
// The fleet is `npm run fleet -- --proxy` in its own process (the rolling restart is its SIGHUP);
// the clients run here.
//   node --import tsx bench/edge-restart.ts [--clients 1000] [--window-s 10] [--observers 30]
import { mkdirSync, writeFileSync } from 'node:fs';
import { fork, spawn } from 'node:child_process';
import { stablePort } from '../server/edge/layout.ts';
import { startPrivateRedis } from '../server/fleet/redis-server.ts';
import { ROOT } from '../server/fleet/role-process.ts';
import { latestTradeId, OPEN_LIMITS, openBackfillWitness, type BackfillWitness } from './load/backfill-witness.ts';
import { waitFor } from '../test/fleet/harness.ts';

const SYMBOL = 'SOLUSDT';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const CLIENTS = arg('clients', 1000);
const WINDOW_MS = arg('window-s', 10) * 1000;
const OBSERVERS = arg('observers', 30);
const pct = (xs: readonly number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};
const ms = (x: number) => `${Math.round(x)} ms`;
const since = <T>(xs: readonly T[], from: readonly number[], i: number) => xs.slice(from[i]);

/** Trade latency samples: when, how long (receive − E), and which client. */
const samples: Array<{ atMs: number; ms: number; client: number }> = [];
/** The observer process's samples: when, how long (receive − E), the gateway that served it, and which client. */
const observed: Array<{ atMs: number; ms: number; gateway: string; client: number }> = [];
/** Samples are kept only around the kill (a thousand clients for minutes would be millions). */
let recording = false;

const t0 = Date.now();
const redis = await startPrivateRedis();
const port = await stablePort('127.0.0.1');
// `npm run fleet -- --proxy` as its own process, as a user runs it; SIGHUP asks it for the rolling restart.
const launcher = spawn(process.execPath, ['--import', 'tsx', 'server/fleet/launch.ts', '--proxy', '--gateways', '3', '--port', String(port), '--redis', redis.url, '--symbols', `${SYMBOL}:20,BTCUSDT:5`, ...OPEN_LIMITS], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
const lines: string[] = [];
/** The launcher's process table, as last printed: label → pid. */
const pids = new Map<string, number>();
let partial = '';
const onData = (d: Buffer) => {
  partial += d.toString();
  const parts = partial.split('\n');
  partial = parts.pop()!;
  for (const line of parts) {
    lines.push(line);
    if (lines.length > 3000) lines.splice(0, 1000);
    const row = /^(market|gateway \d+)\s+(\d+)\s/.exec(line);
    if (row) pids.set(row[1]!, Number(row[2]));
  }
};
launcher.stdout.on('data', onData);
launcher.stderr.on('data', onData);
const launcherExit = new Promise<void>((r) => launcher.once('exit', () => r()));
const waitLine = (re: RegExp, what: string, timeoutMs: number, from = 0) =>
  waitFor(what, () => lines.slice(from).find((l) => re.test(l)), timeoutMs, 100).catch((err: Error) => {
    throw new Error(`${err.message}\n--- the launcher's last lines:\n${lines.slice(-40).join('\n')}`);
  });
const ready = await waitLine(/fleet ready: .* at (\S+) \(haproxy\)/, 'the fleet to be ready', 300_000);
const restUrl = /at (\S+) \(haproxy\)/.exec(ready)![1]!;
const wsUrl = restUrl.replace(/^http/, 'ws');
const witnesses: BackfillWitness[] = [];
let stopObserver = () => {};
const edge = {
  witnesses,
  /** Wait until every client is connected and holds every id from its first to the market's latest now. */
  async waitWhole(timeoutMs: number) {
    const target = await latestTradeId(restUrl, SYMBOL);
    await waitFor(`every client whole up to ${target}`, () => witnesses.every((w) => w.connected && w.missingUpTo(target) === undefined), timeoutMs, 200).catch((err: Error) => {
      const down = witnesses.filter((w) => !w.connected).length;
      const gaps = witnesses.filter((w) => w.connected && w.missingUpTo(target) !== undefined);
      const eg = gaps.slice(0, 5).map((w) => `first ${w.first} missing ${w.missingUpTo(target)} held above it ${w.ids.above} backfilled ${w.backfilled} closes ${w.closes.length}`);
      throw new Error(`${err.message}: ${down} not connected, ${gaps.length} with a gap, e.g.\n${eg.join('\n')}`);
    });
    return target;
  },
};
console.log(`fleet ready in ${((Date.now() - t0) / 1000).toFixed(1)} s at ${restUrl} (launcher pid ${launcher.pid}); opening ${CLIENTS} clients …`);
const results: Record<string, unknown> = { clients: CLIENTS, gateways: 3, symbols: `${SYMBOL}:20,BTCUSDT:5`, at: new Date().toISOString() };
try {
  // In waves of 100, so the proxy and gateways are not all handshaking at once.
  for (let i = 0; i < CLIENTS; i++) {
    const client = i;
    edge.witnesses.push(openBackfillWitness({ wsUrl, restUrl, symbol: SYMBOL, onLatency: (l) => {
      if (recording) samples.push({ atMs: Date.now(), ms: l, client });
    } }));
    if (i % 100 === 99 || i === CLIENTS - 1) await waitFor(`${i + 1} clients holding a trade`, () => edge.witnesses.every((w) => w.first !== undefined), 120_000, 100);
  }
  const spread = () => {
    const m = new Map<string, number>();
    for (const w of edge.witnesses) m.set(w.gateway ?? '-', (m.get(w.gateway ?? '-') ?? 0) + 1);
    return [...m].sort().map(([g, n]) => `${g} ${n}`).join(', ');
  };
  console.log(`${CLIENTS} clients connected: ${spread()}`);
  const observer = fork(new URL('./edge-observer.ts', import.meta.url), [wsUrl, restUrl, SYMBOL, String(OBSERVERS)], { execArgv: ['--import', 'tsx'] });
  observer.on('message', (batch: [number, number, string, number][]) => {
    if (recording) for (const [atMs, ms, gateway, client] of batch) observed.push({ atMs, ms, gateway, client });
  });
  stopObserver = () => observer.connected && observer.disconnect();

  const mark = () => ({
    closes: edge.witnesses.map((w) => w.closes.length),
    reconnects: edge.witnesses.map((w) => w.reconnectMs.length),
    failed: edge.witnesses.map((w) => w.failedAttempts.length),
  });
  const outcome = async (from: ReturnType<typeof mark>, who: readonly BackfillWitness[]) => {
    const target = await edge.waitWhole(180_000);
    const closes = edge.witnesses.flatMap((w, i) => since(w.closes, from.closes, i));
    const reconnects = edge.witnesses.flatMap((w, i) => since(w.reconnectMs, from.reconnects, i));
    return {
      clientsMoved: who.length,
      closes: closes.length,
      closes1001WithServerShutdown: closes.filter((c) => c.code === 1001 && c.serverShutdown).length,
      failedReconnectAttempts: edge.witnesses.reduce((n, w, i) => n + since(w.failedAttempts, from.failed, i).length, 0),
      reconnectP50Ms: pct(reconnects, 50), reconnectP99Ms: pct(reconnects, 99), reconnectMaxMs: Math.max(...reconnects),
      clientsMissingATradeAfterBackfill: edge.witnesses.filter((w) => w.missingUpTo(target) !== undefined).length,
      checkedUpToTradeId: target,
      tradesBackfilledSoFar: edge.witnesses.reduce((n, w) => n + w.backfilled, 0),
      duplicatesSoFar: edge.witnesses.reduce((n, w) => n + w.duplicates, 0),
    };
  };

  // ---- 1. rolling restart ----
  let from = mark();
  const rollStart = Date.now();
  const mark0 = lines.length;
  process.kill(launcher.pid!, 'SIGHUP');
  await waitLine(/rolling restart done/, 'the rolling restart to finish', 600_000, mark0);
  const rolling = { durationMs: Date.now() - rollStart, ...(await outcome(from, edge.witnesses)) };
  results.rollingRestart = rolling;
  console.log(`rolling restart: ${JSON.stringify(rolling)}`);
  console.log(`after it: ${spread()}`);

  // ---- 2. kill -9 of the busiest gateway ----
  recording = true;
  const recordFrom = Date.now();
  await waitFor('a window of latency samples', () => Date.now() - recordFrom > WINDOW_MS, WINDOW_MS * 3, 200);
  const counts = new Map<string, number>();
  for (const w of edge.witnesses) if (w.gateway) counts.set(w.gateway, (counts.get(w.gateway) ?? 0) + 1);
  const victim = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
  const onVictim = new Set(edge.witnesses.flatMap((w, i) => (w.gateway === victim ? [i] : [])));
  from = mark();
  const killedAt = Date.now();
  process.kill(pids.get(`gateway ${victim.replace(/^gw/, '')}`)!, 'SIGKILL');
  await waitFor('the killed gateway\'s clients to reconnect', () => [...onVictim].every((i) => edge.witnesses[i]!.connected && edge.witnesses[i]!.closes.length > from.closes[i]!), 60_000, 50);
  await waitFor('the window after the kill', () => Date.now() - killedAt > WINDOW_MS, WINDOW_MS * 2, 200);
  recording = false;
  const others = (a: number, b: number) => samples.filter((s) => !onVictim.has(s.client) && s.atMs >= a && s.atMs < b).map((s) => s.ms);
  const before = others(killedAt - WINDOW_MS, killedAt);
  const after = others(killedAt, killedAt + WINDOW_MS);
  // Observers that were on the killed gateway are left out after the kill too (they reconnected elsewhere).
  const observersOnVictim = new Set(observed.filter((s) => s.gateway === victim && s.atMs < killedAt).map((s) => s.client));
  const observedOthers = (a: number, b: number) => observed.filter((s) => !observersOnVictim.has(s.client) && s.atMs >= a && s.atMs < b).map((s) => s.ms);
  const obsBefore = observedOthers(killedAt - WINDOW_MS, killedAt);
  const obsAfter = observedOthers(killedAt, killedAt + WINDOW_MS);
  const victims = [...onVictim].map((i) => edge.witnesses[i]!);
  const victimReconnect = victims.map((w) => w.reconnectMs[w.reconnectMs.length - 1]!);
  const kill = {
    gateway: victim,
    victimReconnectP50Ms: pct(victimReconnect, 50), victimReconnectMaxMs: Math.max(...victimReconnect),
    observedLatencyBefore: { samples: obsBefore.length, p50Ms: pct(obsBefore, 50), p99Ms: pct(obsBefore, 99) },
    observedLatencyAfter: { samples: obsAfter.length, p50Ms: pct(obsAfter, 50), p99Ms: pct(obsAfter, 99) },
    othersLatencyBefore: { samples: before.length, p50Ms: pct(before, 50), p99Ms: pct(before, 99) },
    othersLatencyAfter: { samples: after.length, p50Ms: pct(after, 50), p99Ms: pct(after, 99) },
    ...(await outcome(from, victims)),
  };
  results.killNine = kill;
  console.log(`kill -9 ${victim} (${victims.length} clients): reconnect p50 ${ms(kill.victimReconnectP50Ms)}, max ${ms(kill.victimReconnectMaxMs)}; ` +
    `other gateways' clients p99 ${ms(kill.observedLatencyBefore.p99Ms)} before, ${ms(kill.observedLatencyAfter.p99Ms)} in the ${WINDOW_MS / 1000} s after ` +
    `(observer process; in this process, which also ran the reconnects and backfills: ${ms(kill.othersLatencyBefore.p99Ms)} and ${ms(kill.othersLatencyAfter.p99Ms)}); ` +
    `${kill.clientsMissingATradeAfterBackfill} of ${CLIENTS} clients miss a trade id after backfill`);
  console.log(JSON.stringify(kill));
} catch (err) {
  console.log(`FAILED: ${(err as Error).message}\n--- the launcher's last lines:\n${lines.slice(-60).join('\n')}`);
  process.exitCode = 1;
} finally {
  stopObserver();
  for (const w of edge.witnesses) w.close();
  launcher.kill('SIGTERM');
  await launcherExit;
  await redis.stop();
}
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/edge-restart.json', JSON.stringify(results, null, 2));
console.log('written bench/results/edge-restart.json');
