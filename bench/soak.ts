// The soak: `npm run soak -- --minutes N`. Runs the feed server in a child process (core dumps on),
// a few thousand churning WebSocket clients and REST pollers in load processes, and a witness on
// the trade stream here; prints a line per interval and a verdict. Fails (exit 1) on growth of RSS
// or open files over 5% after warm-up, any lost trade, a witness cut off, or a crash. RSS is read
// right after a full GC that the soak asks of the server over its inspector (--inspect on
// loopback): RSS at a random moment also holds V8's uncollected garbage and young generation,
// which swing by tens of MB and would hide a leak or fake one.
import { readdirSync, statSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { installCleanup, spawnNode, spawnPinned, stop, waitForLine, type Spawned } from './children.ts';
import { rssBytes } from './proc.ts';
import { openInspector } from './soak/inspector.ts';
import { addStats, emptyStats, type FromSoakLoad, type SoakStats, type ToSoakLoad } from './soak/protocol.ts';
import { streamKey, streamTargets } from '../server/wire/streams.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SYMBOLS = ['SOLUSDT', 'BTCUSDT', 'ETHUSDT', 'BNBUSDT'];
/** Most clients one load process opens (each process may hold 20,000 files; ws needs one each). */
const PER_LOAD = 1500;
const GROWTH_LIMIT = 0.05;

export interface SoakOptions {
  minutes: number;
  clients: number;
  pollers: number;
  heavy: number;
  intervalS: number;
  warmupS: number;
  seed: number;
}

function parseArgs(argv: readonly string[]): SoakOptions {
  const o: Partial<SoakOptions> = {};
  const names: Record<string, keyof SoakOptions> = {
    '--minutes': 'minutes', '--clients': 'clients', '--pollers': 'pollers', '--heavy': 'heavy',
    '--interval': 'intervalS', '--warmup': 'warmupS', '--seed': 'seed',
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const key = names[flag];
    const value = Number(inline ?? argv[++i]);
    if (!key || !Number.isFinite(value) || value < 0) {
      console.error(`soak: bad argument ${argv[i]}; use --minutes N [--clients N] [--pollers N] [--heavy N] [--interval S] [--warmup S] [--seed N]`);
      process.exit(2);
    }
    o[key] = value;
  }
  const minutes = o.minutes ?? 5;
  const total = minutes * 60;
  return {
    minutes,
    clients: o.clients ?? 3000,
    pollers: o.pollers ?? 20,
    heavy: o.heavy ?? 0,
    intervalS: o.intervalS ?? Math.max(5, Math.min(60, Math.round(total / 30))),
    // Counted from the moment the load has ramped up (see warmEndS).
    warmupS: o.warmupS ?? Math.max(10, Math.round(total * 0.2)),
    seed: o.seed ?? 42,
  };
}

interface Sample {
  readonly atS: number;
  /** RSS right after a full GC (NaN when the inspector did not answer): what growth is judged on. */
  readonly rss: number;
  /** RSS when the sample was due, before the soak asked for a full GC. */
  readonly rssAsFound: number;
  readonly fds: number;
  readonly loopP99Ms: number;
  /** JavaScript heap in use, read after the full GC: live data. */
  readonly heapUsed: number;
  /** V8's committed heap and memory outside it: where RSS growth is, when heap in use is flat. */
  readonly heapTotal: number;
  readonly external: number;
  /** V8's committed heap by space (old_space, new_space, large_object_space …), bytes. */
  readonly spaces: Readonly<Record<string, number>>;
  readonly connections: number;
  readonly subscriptions: number;
  readonly healthzMs: number;
  readonly trades: number;
  readonly lost: number;
  readonly witnessP99Ms: number;
}

function get(port: number, path: string, timeoutMs = 10_000): Promise<{ status: number; body: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - t0 }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, body: '', ms: performance.now() - t0 }));
  });
}

const metric = (text: string, name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
/** tickwire_heap_space_size_bytes by its `space` label. */
/** Median committed MB of each V8 space over `samples`. */
const spacesMB = (samples: readonly Sample[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const space of Object.keys(samples[0]?.spaces ?? {})) out[space] = +(median(samples.map((s) => s.spaces[space] ?? 0)) / 2 ** 20).toFixed(1);
  return out;
};
const heapSpaces = (text: string): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^tickwire_heap_space_size_bytes\{space="([a-z_]+)"\} (\S+)$/gm)) out[m[1]!] = Number(m[2]);
  return out;
};
const openFiles = (pid: number): number => {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return NaN;
  }
};
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor((s.length - 1) / 2)]!;
};
const p99 = (xs: number[]): number => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.99))]!;
};
const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
const clock = (s: number) => `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;

/** The witness: one client on the first symbol's trade stream; every trade id must follow the last. */
function openWitness(port: number, stream: string) {
  const w = { trades: 0, lost: 0, outOfOrder: 0, last: -1, latencies: [] as number[], closed: undefined as string | undefined };
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/${stream}`, { perMessageDeflate: false });
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as { e?: string; t?: number; E?: number };
    if (m.e !== 'trade' || typeof m.t !== 'number') return;
    if (w.last >= 0 && m.t !== w.last + 1) {
      if (m.t > w.last + 1) w.lost += m.t - w.last - 1;
      else w.outOfOrder++;
    }
    w.last = Math.max(w.last, m.t);
    w.trades++;
    if (typeof m.E === 'number') w.latencies.push(Date.now() - m.E);
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.on('close', (code, reason) => {
    w.closed ??= `${code} ${String(reason)}`;
  });
  return { w, ws, opened };
}

function coreFiles(since: number): string[] {
  return readdirSync(ROOT).filter((f) => /^core(\.\d+)?$/.test(f) && statSync(`${ROOT}/${f}`).mtimeMs >= since);
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  installCleanup();
  const totalS = opts.minutes * 60;
  const started = Date.now();
  console.log(`soak: ${opts.minutes} min, ${opts.clients} churning clients, ${opts.heavy} heavy (1,024 streams every 250 ms), ${opts.pollers} REST pollers, warm-up ${opts.warmupS} s, a line every ${opts.intervalS} s, seed ${opts.seed}`);

  // The server, with core dumps on, so a native crash leaves a core to read with gdb.
  const serverArgs = ['--port', '0', '--symbols', 'SOLUSDT:10,BTCUSDT:4,ETHUSDT:3,BNBUSDT:1', '--seed', String(opts.seed),
    '--ws-conn-attempts-per-ip', '100000000', '--rest-weight-per-minute', '1000000000'];
  // --inspect on loopback: before each sample the soak asks for a full GC (bench/soak/inspector.ts).
  const server: Spawned = spawnPinned('sh', ['-c', 'ulimit -c unlimited 2>/dev/null; cd "$0" && exec "$@"', ROOT,
    process.execPath, '--inspect=127.0.0.1:0', '--import', 'tsx', 'server/main.ts', ...serverArgs], 0);
  const [debuggerLine, listening] = await Promise.all([
    waitForLine(server, /Debugger listening on (ws:\/\/\S+)/, 120_000),
    waitForLine(server, /listening on http:\/\/[^\s:]+:(\d+)/, 120_000),
  ]);
  const port = Number(listening[1]);
  const inspector = await openInspector(debuggerLine[1]!);
  let serverExit: string | undefined;
  server.child.on('exit', (code, signal) => {
    serverExit = `code ${code} signal ${signal}`;
  });

  const names = SYMBOLS.flatMap((s) => streamTargets(s).map(streamKey));
  const streams = [...new Set(names)];
  // 1,024 distinct valid spellings for the heavy churn: symbol case varied over every stream.
  const heavyStreams: string[] = [];
  for (let v = 0; heavyStreams.length < 1024; v++) {
    for (const n of streams) {
      if (heavyStreams.length >= 1024) break;
      const at = n.indexOf('@');
      if (n.startsWith('!') || at < 0) continue; // market-wide names have no symbol to vary
      const sym = n.slice(0, at);
      const rest = n.slice(at + 1);
      const cased = [...sym].map((ch, i) => ((v >> i) & 1 ? ch.toUpperCase() : ch)).join('');
      heavyStreams.push(`${cased}@${rest}`);
    }
  }

  const witness = openWitness(port, streams.find((s) => s.endsWith('@trade'))!);
  await witness.opened;

  const loadCount = Math.max(1, Math.ceil((opts.clients + opts.heavy) / PER_LOAD));
  const loads: Spawned[] = [];
  let window = emptyStats();
  const total = emptyStats();
  const stopped: Promise<SoakStats>[] = [];
  for (let i = 0; i < loadCount; i++) {
    const load = spawnNode('bench/soak/load.ts', [], 1, true);
    loads.push(load);
    stopped.push(new Promise((resolve) => {
      load.child.on('message', (m: FromSoakLoad) => {
        if (m.type === 'stats') addStats(window, m);
        else if (m.type === 'stopped') resolve(m.stats);
        else if (m.type === 'ready') {
          const share = (n: number) => Math.floor(n / loadCount) + (i < n % loadCount ? 1 : 0);
          load.child.send({ type: 'start', port, clients: share(opts.clients), pollers: share(opts.pollers), heavy: share(opts.heavy),
            streams, heavyStreams, seed: opts.seed + i } satisfies ToSoakLoad);
        }
      });
      load.child.on('exit', () => resolve(emptyStats()));
    }));
  }

  const samples: Sample[] = [];
  const failures: string[] = [];
  let lastLost = 0;
  // Warm-up ends warmupS after the load has ramped up (90% of its clients connected): on a busy
  // machine the load processes themselves can take a while to start.
  const target = opts.clients + opts.heavy + 1;
  let warmEndS = Infinity;
  while (Date.now() - started < totalS * 1000 && serverExit === undefined) {
    const next = started + (samples.length + 1) * opts.intervalS * 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, Math.min(next, started + totalS * 1000) - Date.now())));
    if (serverExit !== undefined) break;
    // RSS as it is, then after a full GC: growth is judged on the second (what the process keeps).
    const rssAsFound = rssBytes(server.pid) ?? NaN;
    const gcError = await inspector.collectGarbage().then(() => undefined, (err: Error) => err.message);
    const [m, h] = await Promise.all([get(port, '/metrics'), get(port, '/healthz')]);
    const lat = witness.w.latencies.splice(0);
    const s: Sample = {
      atS: (Date.now() - started) / 1000,
      rssAsFound,
      rss: gcError === undefined ? rssBytes(server.pid) ?? NaN : NaN,
      fds: openFiles(server.pid),
      loopP99Ms: metric(m.body, 'tickwire_event_loop_delay_p99_seconds') * 1000,
      heapUsed: metric(m.body, 'tickwire_heap_used_bytes'),
      heapTotal: metric(m.body, 'tickwire_heap_total_bytes'),
      external: metric(m.body, 'tickwire_external_bytes'),
      spaces: heapSpaces(m.body),
      connections: metric(m.body, 'tickwire_ws_connections'),
      subscriptions: metric(m.body, 'tickwire_ws_subscriptions'),
      healthzMs: h.status === 200 ? h.ms : NaN,
      trades: witness.w.trades,
      lost: witness.w.lost,
      witnessP99Ms: p99(lat),
    };
    samples.push(s);
    if (warmEndS === Infinity && s.connections >= 0.9 * target) warmEndS = s.atS + opts.warmupS;
    const c = window;
    addStats(total, c);
    window = emptyStats();
    const closes = Object.entries(c.serverCloses).map(([k, n]) => `${k}×${n}`).join(' ') || 'none';
    console.log(
      `soak [${clock(s.atS)}]${s.atS < warmEndS ? ' warm-up' : ''} rss ${mb(s.rss)} after a full GC, ${mb(s.rssAsFound)} before (heap ${mb(s.heapUsed)} of ${mb(s.heapTotal)}: old ${mb(s.spaces.old_space ?? NaN)}, new ${mb(s.spaces.new_space ?? NaN)}, large ${mb(s.spaces.large_object_space ?? NaN)}; external ${mb(s.external)}) · fds ${s.fds} · loop p99 ${s.loopP99Ms.toFixed(1)} ms · ` +
        `conns ${s.connections} subs ${s.subscriptions} · healthz ${Number.isNaN(s.healthzMs) ? `FAILED (${h.status})` : `${s.healthzMs.toFixed(1)} ms`} · ` +
        `witness ${s.trades} trades, lost ${s.lost}${s.lost > lastLost ? ' (NEW LOSS)' : ''}, p99 ${s.witnessP99Ms} ms · ` +
        `+${c.connects} conn ${c.drops} drop ${c.subscribes} sub ${c.unsubscribes} unsub · server closes ${closes} · rest ${c.restOk} ok`,
    );
    lastLost = s.lost;
    if (witness.w.closed !== undefined) break;
  }

  // Verdict.
  if (serverExit !== undefined) {
    const cores = coreFiles(started);
    failures.push(`server crashed: ${serverExit}${cores.length ? `; core files: ${cores.join(', ')} (gdb ${process.execPath} <core>, then bt)` : '; no core file'}; last output: ${server.output().trim().slice(-1500)}`);
  }
  if (witness.w.closed !== undefined) failures.push(`witness was closed by the server: ${witness.w.closed}`);
  if (witness.w.lost > 0) failures.push(`witness lost ${witness.w.lost} trades`);
  if (witness.w.outOfOrder > 0) failures.push(`witness saw ${witness.w.outOfOrder} trades out of order`);
  if (witness.w.trades === 0) failures.push('witness received no trade');
  if (warmEndS === Infinity) failures.push(`the load never reached 90% of its ${target} connections`);
  const after = samples.filter((s) => s.atS >= warmEndS);
  const k = Math.max(1, Math.min(3, Math.floor(after.length / 2)));
  const growth = (pick: (s: Sample) => number) => {
    if (after.length < 2) return NaN;
    return median(after.slice(-k).map(pick)) / median(after.slice(0, k).map(pick)) - 1;
  };
  const rssGrowth = growth((s) => s.rss);
  const fdGrowth = growth((s) => s.fds);
  if (after.length < 2) failures.push(`too few samples after warm-up (${after.length}) to judge growth: run longer or shorten --warmup/--interval`);
  const noGc = samples.filter((s) => Number.isNaN(s.rss)).length;
  if (noGc > 0) failures.push(`the server's inspector did not run a full GC for ${noGc} samples: RSS growth cannot be judged`);
  if (rssGrowth > GROWTH_LIMIT) failures.push(`RSS after a full GC grew ${(rssGrowth * 100).toFixed(1)}% after warm-up (limit ${GROWTH_LIMIT * 100}%)`);
  // Reported, not judged: RSS as found swings by tens of MB with V8's collections.
  const rssAsFoundGrowth = growth((s) => s.rssAsFound);
  if (fdGrowth > GROWTH_LIMIT) failures.push(`open files grew ${(fdGrowth * 100).toFixed(1)}% after warm-up (limit ${GROWTH_LIMIT * 100}%)`);
  if (serverExit === undefined) {
    const h = await get(port, '/healthz');
    if (h.status !== 200) failures.push(`/healthz answered ${h.status} at the end`);
  }

  for (const load of loads) load.child.connected && load.child.send({ type: 'stop' } satisfies ToSoakLoad);
  const last = await Promise.race([Promise.all(stopped), new Promise<SoakStats[]>((r) => setTimeout(() => r([]), 5000))]);
  for (const s of last) addStats(total, s);
  witness.ws.terminate();
  await Promise.all(loads.map((l) => stop(l)));
  inspector.close();
  if (serverExit === undefined) await stop(server, 5000);

  // The server's own last word (server/fatal.ts): exit code, RSS and heap as it stopped.
  const exitRecord = /^\{.*"msg":"process exiting".*\}$/m.exec(server.output())?.[0];
  if (exitRecord) console.log(`soak: server said ${exitRecord}`);
  const all = samples.map((s) => s.loopP99Ms).filter(Number.isFinite);
  const summary = {
    pass: failures.length === 0,
    failures,
    minutes: opts.minutes,
    clients: opts.clients,
    heavy: opts.heavy,
    pollers: opts.pollers,
    seed: opts.seed,
    samples: samples.length,
    rssAfterWarmupMB: after.length ? +(median(after.slice(0, k).map((s) => s.rss)) / 2 ** 20).toFixed(1) : null,
    rssEndMB: after.length ? +(median(after.slice(-k).map((s) => s.rss)) / 2 ** 20).toFixed(1) : null,
    rssGrowthPct: +(rssGrowth * 100).toFixed(2),
    rssAsFoundAfterWarmupMB: after.length ? +(median(after.slice(0, k).map((s) => s.rssAsFound)) / 2 ** 20).toFixed(1) : null,
    rssAsFoundEndMB: after.length ? +(median(after.slice(-k).map((s) => s.rssAsFound)) / 2 ** 20).toFixed(1) : null,
    rssAsFoundGrowthPct: +(rssAsFoundGrowth * 100).toFixed(2),
    heapAfterWarmupMB: after.length ? +(median(after.slice(0, k).map((s) => s.heapUsed)) / 2 ** 20).toFixed(1) : null,
    heapEndMB: after.length ? +(median(after.slice(-k).map((s) => s.heapUsed)) / 2 ** 20).toFixed(1) : null,
    heapTotalAfterWarmupMB: after.length ? +(median(after.slice(0, k).map((s) => s.heapTotal)) / 2 ** 20).toFixed(1) : null,
    heapTotalEndMB: after.length ? +(median(after.slice(-k).map((s) => s.heapTotal)) / 2 ** 20).toFixed(1) : null,
    externalEndMB: after.length ? +(median(after.slice(-k).map((s) => s.external)) / 2 ** 20).toFixed(1) : null,
    heapSpacesAfterWarmupMB: after.length ? spacesMB(after.slice(0, k)) : null,
    heapSpacesEndMB: after.length ? spacesMB(after.slice(-k)) : null,
    fdsAfterWarmup: after.length ? median(after.slice(0, k).map((s) => s.fds)) : null,
    fdsEnd: after.length ? median(after.slice(-k).map((s) => s.fds)) : null,
    fdGrowthPct: +(fdGrowth * 100).toFixed(2),
    loopP99MsMax: all.length ? Math.max(...all) : null,
    loopP99MsMedian: all.length ? median(all) : null,
    healthzMsMax: Math.max(...samples.map((s) => s.healthzMs).filter(Number.isFinite), 0),
    witnessTrades: witness.w.trades,
    witnessLost: witness.w.lost,
    witnessP99MsMax: Math.max(0, ...samples.map((s) => s.witnessP99Ms)),
    connects: total.connects,
    drops: total.drops,
    subscribes: total.subscribes,
    unsubscribes: total.unsubscribes,
    serverCloses: total.serverCloses,
    wsErrors: total.wsErrors,
    restOk: total.restOk,
    restOther: total.restOther,
  };
  console.log(`soak: ${summary.pass ? 'PASS' : 'FAIL'} after ${clock((Date.now() - started) / 1000)}: RSS after a full GC ${summary.rssAfterWarmupMB} → ${summary.rssEndMB} MB (${summary.rssGrowthPct}%; as found ${summary.rssAsFoundAfterWarmupMB} → ${summary.rssAsFoundEndMB} MB), ` +
    `open files ${summary.fdsAfterWarmup} → ${summary.fdsEnd} (${summary.fdGrowthPct}%), loop p99 median ${summary.loopP99MsMedian?.toFixed(1)} ms max ${summary.loopP99MsMax?.toFixed(1)} ms, ` +
    `witness ${summary.witnessTrades} trades lost ${summary.witnessLost}, ${summary.connects} connects, ${summary.subscribes} subscribes, ${summary.restOk} REST ok`);
  for (const f of failures) console.log(`soak: FAIL: ${f}`);
  console.log(`soak verdict ${JSON.stringify(summary)}`);
  process.exit(summary.pass ? 0 : 1);
}

void main();
