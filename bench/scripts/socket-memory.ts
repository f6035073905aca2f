// Where a WebSocket connection's memory goes on the tickwire server: JS heap (the per-socket
// Session, its subscription Map, the gateway's socket Set) against native memory (uWS's socket,
// its topic subscriber, buffers), measured in one process with a full GC before each reading.
// Run with: node --expose-gc --import tsx bench/scripts/socket-memory.ts [connections]
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../server/config.ts';
import { startServer } from '../../server/app.ts';
import type { FromLoad, StartMsg } from '../load/protocol.ts';

const n = Number(process.argv[2] ?? 5000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const settle = async () => {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 200));
  }
  return process.memoryUsage();
};

// A slow market (one order a second): the measurement is of idle, subscribed sockets.
const server = await startServer(loadConfig(['--host', '127.0.0.1', '--port', '0', '--symbols', 'SOLUSDT:1', '--seed', '1',
  '--ws-conn-attempts-per-ip', '100000000', '--ws-max-messages-per-sec', '1000']));
const before = await settle();

const worker = fork(fileURLToPath(new URL('../load/worker.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'] });
const next = (type: FromLoad['type']) => new Promise<FromLoad>((resolve) => {
  const on = (m: FromLoad) => {
    if (m.type === type || m.type === 'error') {
      worker.off('message', on);
      resolve(m);
    }
  };
  worker.on('message', on);
});
const ready = next('ready');
worker.send({
  type: 'start', kind: 'ws', host: '127.0.0.1', port: server.port, path: '/ws?timeUnit=MICROSECOND',
  subscribe: JSON.stringify({ method: 'SUBSCRIBE', params: ['solusdt@trade'], id: 1 }),
  connections: n, localAddress: '127.0.0.2', rampConcurrency: 200, connectTimeoutMs: 30_000,
} satisfies StartMsg);
const r = await ready;
if (r.type !== 'ready') throw new Error(JSON.stringify(r));
const connected = await settle();
const subscribed = next('subscribed');
worker.send({ type: 'subscribe' });
await subscribed;
const after = await settle();

const per = (a: NodeJS.MemoryUsage, b: NodeJS.MemoryUsage, k: keyof NodeJS.MemoryUsage) => ((b[k] - a[k]) / r.open).toFixed(0);
console.log(`${r.open} connections (${r.failed} failed)`);
for (const [label, a, b] of [['connected, no stream', before, connected], ['subscribed to one stream', connected, after], ['total', before, after]] as const) {
  console.log(`${label}: per connection rss ${per(a, b, 'rss')} B, JS heap ${per(a, b, 'heapUsed')} B, external ${per(a, b, 'external')} B`);
}
worker.kill();
await server.close();
process.exit(0);
