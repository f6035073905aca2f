// Fan-out throughput: frames per second delivered to N subscribers of one trade stream.
//
//   npm run bench:fanout -- [subscribers=1000] [seconds=8] [batch=5]
//
// batch 0 publishes nothing: the server CPU is then the cost of holding the connections (the
// housekeeping sweep over every socket).
//
// Two child processes: a gateway (memory bus, hand-made trades, no simulator) and a client holding
// N raw TCP WebSockets that only count frames (header parsing, no JSON), so the client stays cheap.
// Flow control by credit: the server keeps at most WINDOW trades ahead of the slowest socket, so
// the figure is a sustained rate with bounded buffers, not a burst into memory. Each side reports
// its own CPU time: a run whose client sits near 100% of a core is client-bound.
import { fork, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

const WINDOW = Number(process.env.WINDOW ?? 5000);
const role = process.argv[2];

if (role === 'server') await runServer(Number(process.argv[3]));
else if (role === 'client') await runClient(Number(process.argv[3]), Number(process.argv[4]));
else await orchestrate(Number(process.argv[2] ?? 1000), Number(process.argv[3] ?? 8), Number(process.argv[4] ?? 5));

async function runServer(batch: number): Promise<void> {
  const { startGateway } = await import('../../test/gateway/harness.ts');
  const { event } = await import('../../test/wire/fixtures.ts');
  const server = await startGateway({
    maxBackpressureBytes: 64 * 1024 * 1024, connAttemptsPerIp: 1_000_000, pingIntervalMs: 3_600_000, pongTimeoutMs: 3_600_000,
  });
  let published = 0;
  let credit = 0; // trades the slowest socket has received
  let running = false;
  let cpu = process.cpuUsage();
  let scheduled = false;
  // Publish up to the window, 20 batches per turn of the event loop so uWS writes in between;
  // with the window full, wait for the next credit instead of spinning.
  let turns = 0;
  let starved = 0; // turns that ended with the window full (waiting for the clients)
  const pump = () => {
    scheduled = false;
    if (!running) return;
    turns++;
    for (let turn = 0; turn < 20 && published - credit < WINDOW; turn++) {
      const events = [];
      for (let i = 0; i < batch; i++) events.push(event.trade(++published));
      server.publish(events);
    }
    if (published - credit < WINDOW) schedule();
    else starved++;
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(pump);
  };
  process.on('message', (msg: { credit?: number; start?: boolean; stop?: boolean; cpu?: boolean }) => {
    if (msg.credit !== undefined) {
      credit = msg.credit;
      schedule();
    }
    if (msg.start && !running) {
      running = true;
      schedule();
    }
    if (msg.cpu) {
      const d = process.cpuUsage(cpu);
      cpu = process.cpuUsage();
      process.send!({ serverCpuMs: (d.user + d.system) / 1000, published, turns, starved });
      turns = 0;
      starved = 0;
    }
    if (msg.stop) {
      running = false;
      void server.close().then(() => process.exit(0));
    }
  });
  process.send!({ port: server.port });
}

async function runClient(port: number, n: number): Promise<void> {
  const counts = new Array<number>(n).fill(0);
  const sockets: Socket[] = [];
  const open = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const sock = connect(port, '127.0.0.1');
      sockets.push(sock);
      let head = '';
      let upgraded = false;
      let pending: Buffer | undefined; // a frame header split across chunks
      let skip = 0; // payload bytes still to pass over
      sock.on('error', reject);
      sock.on('connect', () =>
        sock.write(`GET /ws/solusdt@trade HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`),
      );
      sock.on('data', (chunk: Buffer) => {
        let buf = chunk;
        if (!upgraded) {
          head += chunk.toString('latin1');
          const end = head.indexOf('\r\n\r\n');
          if (end < 0) return;
          if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(head.split('\r\n')[0]));
          upgraded = true;
          resolve();
          buf = Buffer.from(head.slice(end + 4), 'latin1');
        }
        if (pending) {
          buf = Buffer.concat([pending, buf]);
          pending = undefined;
        }
        let at = 0;
        while (at < buf.length) {
          if (skip > 0) {
            const k = Math.min(skip, buf.length - at);
            skip -= k;
            at += k;
            continue;
          }
          const left = buf.length - at;
          if (left < 2) break;
          const len7 = buf[at + 1]! & 0x7f;
          const headerLen = len7 === 126 ? 4 : len7 === 127 ? 10 : 2;
          if (left < headerLen) break;
          const len = len7 === 126 ? buf.readUInt16BE(at + 2) : len7 === 127 ? Number(buf.readBigUInt64BE(at + 2)) : len7;
          if ((buf[at]! & 0x0f) === 1) counts[i]!++;
          at += headerLen;
          skip = len;
        }
        if (at < buf.length) pending = buf.subarray(at);
      });
    });
  for (let i = 0; i < n; i += 100) await Promise.all(Array.from({ length: Math.min(100, n - i) }, (_, k) => open(i + k)));
  let cpu = process.cpuUsage();
  const report = setInterval(() => {
    let min = Infinity;
    let total = 0;
    for (const c of counts) {
      total += c;
      if (c < min) min = c;
    }
    const d = process.cpuUsage(cpu);
    cpu = process.cpuUsage();
    process.send!({ min, total, clientCpuMs: (d.user + d.system) / 1000 });
  }, 20);
  process.send!({ connected: n });
  process.on('message', (msg: { stop?: boolean }) => {
    if (msg.stop) {
      clearInterval(report);
      for (const s of sockets) s.destroy();
      process.exit(0);
    }
  });
}

async function orchestrate(n: number, seconds: number, batch: number): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  const child = (args: string[]) => fork(self, args, { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const next = <T>(p: ChildProcess, key: string) =>
    new Promise<T>((resolve) => {
      const on = (m: any) => {
        if (key in m) {
          p.off('message', on);
          resolve(m);
        }
      };
      p.on('message', on);
    });

  const server = child(['server', String(batch)]);
  const { port } = await next<{ port: number }>(server, 'port');
  const client = child(['client', String(port), String(n)]);
  await next(client, 'connected');

  let last = { min: 0, total: 0, clientCpuMs: 0 };
  let clientCpuMs = 0;
  client.on('message', (m: any) => {
    if ('total' in m) {
      last = m;
      clientCpuMs += m.clientCpuMs;
      server.send({ credit: m.min });
    }
  });
  if (batch > 0) server.send({ start: true });
  await new Promise((r) => setTimeout(r, 1000)); // warm-up
  server.send({ cpu: true });
  await next(server, 'serverCpuMs');
  clientCpuMs = 0;
  const t0 = performance.now();
  const total0 = last.total;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const dt = (performance.now() - t0) / 1000;
  const frames = last.total - total0;
  server.send({ cpu: true });
  const s = await next<{ serverCpuMs: number; published: number; turns: number; starved: number }>(server, 'serverCpuMs');
  server.send({ stop: true });
  client.send({ stop: true });

  const perSec = frames / dt;
  if (batch === 0) {
    console.log(`subscribers ${n} · idle ${dt.toFixed(1)} s: server CPU ${((s.serverCpuMs / 1000 / dt) * 100).toFixed(2)}% of a core holding the connections`);
    return;
  }
  console.log(
    `subscribers ${n} · batch ${batch} trades · ${dt.toFixed(1)} s: ${Math.round(perSec).toLocaleString('en-US')} frames/s delivered ` +
      `(${Math.round(perSec / n).toLocaleString('en-US')} trades/s per subscriber) · server CPU ${((s.serverCpuMs / 1000 / dt) * 100).toFixed(0)}% of a core, ` +
      `client CPU ${((clientCpuMs / 1000 / dt) * 100).toFixed(0)}% · ${(s.serverCpuMs * 1e6 / frames).toFixed(0)} ns server CPU per frame · ` +
      `${Math.round(s.turns / dt)} publish turns/s, ${Math.round((100 * s.starved) / Math.max(1, s.turns))}% waiting on the clients`,
  );
}
