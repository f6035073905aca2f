// Subscription churn within the documented limits, and what it does to everyone else.
//
//   npx tsx bench/churn.ts [--connections 300] [--streams 1024] [--period-ms 250] [--seconds 20]
//                          [--baseline-seconds 3] [--distinct] [--cpu-prof DIR] [--url ws://127.0.0.1:8080]
//
// Starts a server (unless --url), then N connections from 127.0.0.1 (at most what one IP may open)
// each alternate SUBSCRIBE and UNSUBSCRIBE of the same `--streams` names every `--period-ms`
// (4 messages/s at 250 ms: under the limit of 5). The names are every stream of the server's
// symbols, then the same names with the symbol in other letter cases until there are enough (what
// a hostile client sends); with --distinct the server gets enough symbols for that many distinct
// lowercase names. A witness on 127.0.0.2 (its own IP, so its own limits) reads solusdt@trade and
// measures latency (receipt − event time E, same machine clock) and trade-id gaps; a poller asks
// /healthz every 100 ms. The churning clients run in a child process, so their sending does not
// delay the witness's reading. Prints the witness latency and /healthz time before and during the
// churn, and how the churning connections were answered and closed.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { INTERVALS } from '../server/market/types.ts';

interface Options {
  connections: number;
  streams: number;
  periodMs: number;
  seconds: number;
  baselineSeconds: number;
  distinct: boolean;
  cpuProf: string | undefined;
  url: string | undefined;
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { connections: 300, streams: 1024, periodMs: 250, seconds: 20, baselineSeconds: 3, distinct: false, cpuProf: undefined, url: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--connections') o.connections = Number(next());
    else if (a === '--streams') o.streams = Number(next());
    else if (a === '--period-ms') o.periodMs = Number(next());
    else if (a === '--seconds') o.seconds = Number(next());
    else if (a === '--baseline-seconds') o.baselineSeconds = Number(next());
    else if (a === '--distinct') o.distinct = true;
    else if (a === '--cpu-prof') o.cpuProf = next();
    else if (a === '--url') o.url = next();
    else throw new Error(`unknown flag ${a}`);
  }
  return o;
}

/** Every stream name of one symbol (lowercase), as the wire spells them. */
function streamsOf(symbol: string): string[] {
  const s = symbol.toLowerCase();
  const names = ['trade', 'aggTrade', 'bookTicker', 'miniTicker', 'ticker', 'avgPrice', 'ticker_1h', 'ticker_4h', 'ticker_1d', 'depth', 'depth@100ms', 'depth@1000ms'];
  for (const l of [5, 10, 20]) names.push(`depth${l}`, `depth${l}@100ms`, `depth${l}@1000ms`);
  for (const i of INTERVALS) names.push(`kline_${i}`, `kline_${i}@+08:00`);
  return names.map((n) => `${s}@${n}`);
}

/** `count` names over `symbols`: all lowercase ones first, then letter-case variants of the symbol. */
function churnNames(symbols: readonly string[], count: number): string[] {
  const base = symbols.flatMap(streamsOf);
  const out = base.slice(0, count);
  for (let variant = 1; out.length < count; variant++) {
    for (const name of base) {
      if (out.length >= count) break;
      const at = name.indexOf('@');
      const sym = [...name.slice(0, at)].map((c, i) => ((variant >> i) & 1 ? c.toUpperCase() : c)).join('');
      out.push(sym + name.slice(at));
    }
  }
  return out;
}

const pct = (sorted: readonly number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50: pct(s, 50), p99: pct(s, 99), max: s.length ? s[s.length - 1]! : NaN };
};
const fmt = (x: { n: number; p50: number; p99: number; max: number }) => `n=${x.n} p50=${x.p50.toFixed(1)} ms p99=${x.p99.toFixed(1)} ms max=${x.max.toFixed(1)} ms`;

// ---- the churning clients (child process) ----

interface ChurnReport {
  readonly open: number;
  readonly replies: number;
  /** Stream payloads received while subscribed. */
  readonly frames: number;
  readonly errors: Record<string, number>;
  readonly closes: Record<string, number>;
}

function runChurn(url: string, o: Options, names: readonly string[]): void {
  const sub = (id: number) => JSON.stringify({ method: 'SUBSCRIBE', params: names, id });
  const unsub = (id: number) => JSON.stringify({ method: 'UNSUBSCRIBE', params: names, id });
  let open = 0;
  let replies = 0;
  let frames = 0;
  const errors: Record<string, number> = {};
  const closes: Record<string, number> = {};
  const timers: NodeJS.Timeout[] = [];
  let stopping = false;
  for (let c = 0; c < o.connections; c++) {
    const ws = new WebSocket(`${url}/ws`, { localAddress: '127.0.0.1', perMessageDeflate: false });
    ws.on('open', () => {
      open++;
      let id = 0;
      // Spread the connections over one period so the load is steady, not synchronized.
      const start = setTimeout(() => {
        const t = setInterval(() => {
          if (ws.readyState !== WebSocket.OPEN) return clearInterval(t);
          id++;
          ws.send(id % 2 === 1 ? sub(id) : unsub(id));
        }, o.periodMs);
        timers.push(t);
      }, (c / o.connections) * o.periodMs);
      timers.push(start);
    });
    ws.on('message', (data) => {
      const text = String(data);
      if (text.startsWith('{"error"')) {
        const code = String(JSON.parse(text).error.code);
        errors[code] = (errors[code] ?? 0) + 1;
      } else if (text.startsWith('{"result"')) replies++;
      else frames++;
    });
    ws.on('close', (code, reason) => {
      if (stopping) return;
      open--;
      const k = `${code} ${String(reason)}`;
      closes[k] = (closes[k] ?? 0) + 1;
    });
    ws.on('error', () => {});
  }
  const report = () => process.send!({ open, replies, frames, errors, closes } satisfies ChurnReport);
  const every = setInterval(report, 1000);
  process.on('message', (m) => {
    if (m !== 'stop') return;
    report();
    stopping = true;
    clearInterval(every);
    for (const t of timers) clearTimeout(t);
    process.exit(0);
  });
}

// ---- the witness and the health poller (main process) ----

function startWitness(url: string) {
  const latencies: number[] = [];
  let lastId: number | undefined;
  let gaps = 0;
  let closed = '';
  let lastAt = 0;
  let maxSilence = 0;
  const ws = new WebSocket(`${url}/ws/solusdt@trade`, { localAddress: '127.0.0.2', perMessageDeflate: false });
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as { E: number; t: number };
    const now = Date.now();
    latencies.push(now - m.E);
    if (lastAt) maxSilence = Math.max(maxSilence, now - lastAt);
    lastAt = now;
    if (lastId !== undefined && m.t !== lastId + 1) gaps++;
    lastId = m.t;
  });
  ws.on('close', (code, reason) => (closed = `${code} ${String(reason)}`));
  ws.on('error', () => {});
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    opened,
    take: () => latencies.splice(0),
    get gaps() {
      return gaps;
    },
    get closed() {
      return closed;
    },
    /** Longest time between two trades received (SOLUSDT trades come about 10 times a second). */
    takeMaxSilence() {
      const m = Math.max(maxSilence, lastAt ? Date.now() - lastAt : 0);
      maxSilence = 0;
      return m;
    },
    close: () => ws.close(),
  };
}

function startHealthPoller(httpBase: string) {
  const times: number[] = [];
  let slow = 0;
  let failed = 0;
  let inFlight = false;
  const poll = () => {
    if (inFlight) return;
    inFlight = true;
    const t0 = performance.now();
    const req = request(`${httpBase}/healthz`, { localAddress: '127.0.0.2', timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => {
        const ms = performance.now() - t0;
        times.push(ms);
        if (ms > 1000) slow++;
        inFlight = false;
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => {
      failed++;
      inFlight = false;
    });
    req.end();
  };
  const timer = setInterval(poll, 100);
  return {
    take: () => times.splice(0),
    get slow() {
      return slow;
    },
    get failed() {
      return failed;
    },
    stop: () => clearInterval(timer),
  };
}

async function startServer(o: Options, symbols: readonly string[]): Promise<{ url: string; child: ChildProcess }> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const nodeArgs = ['--import', 'tsx'];
  if (o.cpuProf) nodeArgs.push('--cpu-prof', '--cpu-prof-dir', o.cpuProf);
  const args = [...nodeArgs, 'server/main.ts', '--port', '0', '--symbols', symbols.map((s) => `${s}:10`).join(',')];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LIBUS_LISTEN_EXCLUSIVE_PORT: '1' } });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${out}`)));
  });
  return { url: `ws://127.0.0.1:${port}`, child };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2).filter((a) => a !== '--role=churn'));
  const base = ['SOLUSDT', 'BTCUSDT', 'ETHUSDT', 'BNBUSDT'];
  const perSymbol = streamsOf('x').length;
  // With --distinct, enough made-up symbols that every name is a different lowercase stream.
  const symbols = o.distinct
    ? [...base, ...Array.from({ length: Math.max(0, Math.ceil(o.streams / perSymbol) - base.length) }, (_, i) => `T${String.fromCharCode(65 + (i % 26))}${i}USDT`)]
    : base;
  const names = churnNames(symbols, o.streams);

  if (process.argv.includes('--role=churn')) return runChurn(process.env.CHURN_URL!, o, names);

  const server = o.url ? undefined : await startServer(o, symbols);
  const url = o.url ?? server!.url;
  const httpBase = url.replace(/^ws/, 'http');
  console.log(`churn: ${o.connections} connections × ${names.length} names (${new Set(names.map((n) => n.toLowerCase())).size} distinct ignoring symbol case) every ${o.periodMs} ms against ${url}`);

  const witness = startWitness(url);
  await witness.opened;
  const health = startHealthPoller(httpBase);
  await sleep(o.baselineSeconds * 1000);
  const baseW = summary(witness.take());
  const baseSilence = witness.takeMaxSilence();
  const baseH = summary(health.take());

  const churn = fork(fileURLToPath(import.meta.url), [...process.argv.slice(2), '--role=churn'], { env: { ...process.env, CHURN_URL: url }, execArgv: ['--import', 'tsx'] });
  let last: ChurnReport = { open: 0, replies: 0, frames: 0, errors: {}, closes: {} };
  churn.on('message', (m) => (last = m as ChurnReport));
  const perSecond: string[] = [];
  const during: number[] = [];
  for (let s = 0; s < o.seconds; s++) {
    await sleep(1000);
    const sample = witness.take();
    during.push(...sample);
    const w = summary(sample);
    perSecond.push(`${s + 1}s: witness p99 ${w.p99.toFixed(0)} ms max ${w.max.toFixed(0)} ms · churners open ${last.open}`);
  }
  const silence = witness.takeMaxSilence();
  churn.send('stop');
  await new Promise((r) => churn.once('exit', r));
  const duringH = summary(health.take());
  health.stop();
  witness.close();

  console.log(perSecond.join('\n'));
  console.log(`baseline   witness ${fmt(baseW)} · longest silence ${baseSilence} ms · /healthz ${fmt(baseH)}`);
  console.log(`churn      witness ${fmt(summary(during))} · longest silence ${silence} ms · trade-id gaps ${witness.gaps}${witness.closed ? ` · witness closed ${witness.closed}` : ''}`);
  console.log(`churn      /healthz ${fmt(duringH)} · over 1 s: ${health.slow} · failed: ${health.failed}`);
  console.log(`churners   open at the end ${last.open}/${o.connections} · replies ${last.replies} · stream frames ${last.frames} · errors ${JSON.stringify(last.errors)} · closed ${JSON.stringify(last.closes)}`);

  if (server) {
    server.child.kill('SIGINT');
    await new Promise((r) => server.child.once('exit', r));
  }
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
