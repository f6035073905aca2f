// A soak load process: churning WebSocket clients (connect, subscribe, unsubscribe, drop), the
// heavy SUBSCRIBE/UNSUBSCRIBE churn of 1,024 streams, and REST pollers; counts reported over IPC.
import http from 'node:http';
import WebSocket from 'ws';
import { addStats, emptyStats, type FromSoakLoad, type SoakStart, type SoakStats, type ToSoakLoad } from './protocol.ts';

const send = (m: FromSoakLoad): void => void process.send?.(m);

/** mulberry32: a small seeded generator, so a soak's load is the same for the same seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let stats = emptyStats();
let stopping = false;
const TICK_MS = 100;
/** Per client and second: mean actions. Each stays well under the 5 messages/s limit. */
const SUBSCRIBE_PER_S = 0.4;
const UNSUBSCRIBE_PER_S = 0.3;
const LIST_PER_S = 0.05;
/** Mean connection life 60 s: with 3,000 clients about 50 reconnects a second. */
const DROP_PER_S = 1 / 60;

interface Churner {
  ws: WebSocket | undefined;
  subs: Set<string>;
  nextId: number;
  /** Set when we close it ourselves: its close is not the server's doing. */
  leaving: boolean;
}

function start(msg: SoakStart): () => Promise<void> {
  const random = rng(msg.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const base = `ws://127.0.0.1:${msg.port}`;
  const churners: Churner[] = [];
  const heavies: Churner[] = [];
  const timers: ReturnType<typeof setInterval>[] = [];

  const connect = (c: Churner, path: string, onOpen?: (ws: WebSocket) => void): void => {
    c.leaving = false;
    c.subs.clear();
    const ws = new WebSocket(base + path, { perMessageDeflate: false });
    c.ws = ws;
    let wasOpen = false;
    ws.on('open', () => {
      wasOpen = true;
      stats.connects++;
      onOpen?.(ws);
    });
    ws.on('message', (data) => {
      stats.framesIn++;
      const text = String(data);
      if (text.startsWith('{"result"')) stats.replies++;
      else if (text.startsWith('{"error"')) {
        const code = /"code":(-?\d+)/.exec(text)?.[1] ?? '?';
        stats.wsErrors[code] = (stats.wsErrors[code] ?? 0) + 1;
      }
    });
    ws.on('error', () => {
      if (ws.readyState !== WebSocket.OPEN) stats.connectFailures++;
    });
    ws.on('close', (code) => {
      if (c.ws !== ws) return;
      c.ws = undefined;
      if (wasOpen && !c.leaving && !stopping) stats.serverCloses[code] = (stats.serverCloses[code] ?? 0) + 1;
    });
  };

  // Churning clients: a path of each kind, then random actions; a dropped one reconnects next tick.
  const paths = (): string => {
    const r = random();
    if (r < 0.4) return '/ws';
    if (r < 0.7) return `/ws/${pick(msg.streams)}/${pick(msg.streams)}`;
    if (r < 0.9) return `/stream?streams=${pick(msg.streams)}`;
    return '/stream';
  };
  for (let i = 0; i < msg.clients; i++) churners.push({ ws: undefined, subs: new Set(), nextId: 1, leaving: false });
  // Open gradually (at most 200 per tick) so the start is itself not a flood.
  let opened = 0;
  const p = (perS: number) => random() < (perS * TICK_MS) / 1000;
  timers.push(setInterval(() => {
    if (stopping) return;
    let budget = 200;
    for (let i = 0; i < churners.length; i++) {
      const c = churners[i]!;
      if (i >= opened) {
        if (budget-- <= 0) break;
        opened++;
      }
      const ws = c.ws;
      if (!ws) {
        if (budget-- > 0) connect(c, paths());
        continue;
      }
      if (ws.readyState !== WebSocket.OPEN) continue;
      if (p(DROP_PER_S)) {
        c.leaving = true;
        stats.drops++;
        // Half leave politely, half vanish (the TCP connection reset without a close frame).
        if (random() < 0.5) ws.close(1000);
        else ws.terminate();
        continue;
      }
      if (p(SUBSCRIBE_PER_S)) {
        const names = Array.from({ length: 1 + Math.floor(random() * 8) }, () => pick(msg.streams));
        for (const n of names) c.subs.add(n);
        ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: names, id: c.nextId++ }));
        stats.subscribes++;
      } else if (p(UNSUBSCRIBE_PER_S) && c.subs.size > 0) {
        const names = [...c.subs].filter(() => random() < 0.5);
        for (const n of names) c.subs.delete(n);
        ws.send(JSON.stringify({ method: 'UNSUBSCRIBE', params: names, id: c.nextId++ }));
        stats.unsubscribes++;
      } else if (p(LIST_PER_S)) {
        ws.send(JSON.stringify({ method: 'LIST_SUBSCRIPTIONS', id: c.nextId++ }));
      }
    }
  }, TICK_MS));

  // Heavy churn: SUBSCRIBE then UNSUBSCRIBE all 1,024 names, one message every 250 ms.
  for (let i = 0; i < msg.heavy; i++) heavies.push({ ws: undefined, subs: new Set(), nextId: 1, leaving: false });
  let phase = false;
  timers.push(setInterval(() => {
    if (stopping) return;
    phase = !phase;
    const text = JSON.stringify({ method: phase ? 'SUBSCRIBE' : 'UNSUBSCRIBE', params: msg.heavyStreams, id: 1 });
    for (const h of heavies) {
      if (!h.ws) connect(h, '/ws');
      else if (h.ws.readyState === WebSocket.OPEN) {
        h.ws.send(text);
        if (phase) stats.subscribes++;
        else stats.unsubscribes++;
      }
    }
  }, 250));

  // REST pollers: one request a second each, spread over the second, on keep-alive connections.
  const agent = new http.Agent({ keepAlive: true, maxSockets: Math.max(1, msg.pollers) });
  const symbol = msg.streams.find((s) => s.endsWith('@trade'))!.split('@')[0]!.toUpperCase();
  const queries = [
    `/api/v3/ticker/price?symbol=${symbol}`, `/api/v3/depth?symbol=${symbol}&limit=100`, `/api/v3/trades?symbol=${symbol}&limit=100`,
    `/api/v3/klines?symbol=${symbol}&interval=1m&limit=100`, `/api/v3/ticker/24hr`, `/api/v3/avgPrice?symbol=${symbol}`,
    `/api/v3/aggTrades?symbol=${symbol}&limit=100`, `/api/v3/ticker/bookTicker`, `/api/v3/exchangeInfo`, `/api/v3/time`,
  ];
  for (let i = 0; i < msg.pollers; i++) {
    setTimeout(() => {
      if (stopping) return;
      timers.push(setInterval(() => {
        if (stopping) return;
        const req = http.get({ host: '127.0.0.1', port: msg.port, path: pick(queries), agent }, (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) stats.restOk++;
            else stats.restOther[String(res.statusCode)] = (stats.restOther[String(res.statusCode)] ?? 0) + 1;
          });
        });
        req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
        req.on('error', () => {
          stats.restOther.error = (stats.restOther.error ?? 0) + 1;
        });
      }, 1000));
    }, random() * 1000);
  }

  timers.push(setInterval(() => {
    send(stats);
    stats = emptyStats();
  }, 1000));

  return async () => {
    stopping = true;
    for (const t of timers) clearInterval(t);
    agent.destroy();
    const all = [...churners, ...heavies].map((c) => c.ws).filter((ws): ws is WebSocket => ws !== undefined);
    for (const ws of all) ws.terminate();
  };
}

let stop: (() => Promise<void>) | undefined;
process.on('message', (m: ToSoakLoad) => {
  if (m.type === 'start') stop = start(m);
  else if (m.type === 'stop') {
    void (stop?.() ?? Promise.resolve()).then(() => {
      const last = addStats(emptyStats(), stats);
      send({ type: 'stopped', stats: last });
      process.disconnect?.();
      setTimeout(() => process.exit(0), 100).unref();
    });
  }
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
