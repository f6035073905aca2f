// A load process: opens many WebSocket (or polling HTTP) clients from one source address, measures
// what they receive in the runner's window, and reports counts and a latency histogram over IPC.
import net from 'node:net';
import type { Histogram } from 'hdr-histogram-js';
import {
  createFrameParser, clientFrame, headEnd, scanInt, scanEnd, upgradeRequest,
  KEY_E, KEY_T, OP_CLOSE, OP_PING, OP_PONG, OP_TEXT, OP_BINARY,
} from './frames.ts';
import type { FromLoad, ResultMsg, StartMsg, ToLoad } from './protocol.ts';
import { newTrades } from './rest-scan.ts';
import { createResponseParser, getRequest } from './http1.ts';
import { encodeHistogram, newLatencyHistogram, recordLatency } from '../histograms.ts';
import { createSequenceTracker, expectedUpdates, type SequenceTracker } from '../sequences.ts';

const send = (m: FromLoad): void => {
  process.send?.(m);
};
const nowUs = (): number => (performance.timeOrigin + performance.now()) * 1000;
/** Stamps below this are milliseconds (µs since 1970 passed 1e14 in 1973). */
const US_STAMP_MIN = 1e14;

let measuring = false;
const latency: Histogram = newLatencyHistogram();
const staleness: Histogram = newLatencyHistogram();
let bytes = 0;
let other = 0;
let requests = 0;
let errors = 0;
let msStamps = false;

interface Client {
  readonly seq: SequenceTracker;
  open: boolean;
  /** Closed while measuring: its tail counts as lost. */
  closedInWindow: boolean;
}
const clients: Client[] = [];
const wsClients: WsClient[] = [];
const sockets = new Set<net.Socket>();

/** Earliest and latest trade by event time in the window (for the event rate): id and µs. */
let minE = Infinity;
let minEId = 0;
let maxE = 0;
let maxEId = 0;

function record(E: number, t: number, recv: number): void {
  if (E < US_STAMP_MIN) {
    msStamps = true;
    E *= 1000;
  }
  recordLatency(latency, recv - E);
  if (E < minE) {
    minE = E;
    minEId = t;
  }
  if (E > maxE) {
    maxE = E;
    maxEId = t;
  }
}

const SIO_PING = Buffer.from('3');
const SIO_CONNECT = Buffer.from('40');
/**
 * One read buffer for every socket of this process (net's `onread`): a read is handled
 * synchronously, so nothing is allocated per read; the frame parser copies what it must keep.
 */
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);

interface WsClient extends Client {
  /** Send the subscription (or, for Socket.IO, once its namespace is joined). */
  subscribe(): void;
}

/** One WebSocket client on a raw TCP socket. Resolves when upgraded, rejects on failure. */
function openWs(start: StartMsg, sio: boolean): Promise<WsClient> {
  return new Promise((resolve, reject) => {
    let head: Buffer | null = Buffer.alloc(0);
    let recv = 0;
    let sioJoined = false;
    let wantSubscribe = false;
    const subscribeFrame = clientFrame(OP_TEXT, Buffer.from(start.subscribe));
    const c: WsClient = {
      seq: createSequenceTracker(),
      open: false,
      closedInWindow: false,
      subscribe() {
        if (sio && !sioJoined) wantSubscribe = true;
        else socket.write(subscribeFrame);
      },
    };
    const onSioText = (buf: Buffer, s: number, e: number) => {
      const first = buf[s];
      if (first === 0x30 /* '0' open */ && e - s > 1 && buf[s + 1] === 0x7b /* '{' */) {
        socket.write(clientFrame(OP_TEXT, SIO_CONNECT));
      } else if (first === 0x34 /* '4' */ && buf[s + 1] === 0x30 /* '0' connected */) {
        sioJoined = true;
        if (wantSubscribe) socket.write(subscribeFrame);
      } else if (first === 0x32 /* '2' ping */ && e - s === 1) {
        socket.write(clientFrame(OP_TEXT, SIO_PING));
      }
    };
    const parser = createFrameParser((op, buf, s, e) => {
      if (op === OP_TEXT || op === OP_BINARY) {
        const E = measuring ? scanInt(buf, s, e, KEY_E) : -1;
        if (E < 0) {
          if (measuring) other++;
          if (sio) onSioText(buf, s, e);
          return;
        }
        const t = scanInt(buf, scanEnd, e, KEY_T);
        record(E, t, recv);
        if (t > 0) c.seq.see(t);
      } else if (op === OP_PING) {
        socket.write(clientFrame(OP_PONG, Buffer.from(buf.subarray(s, e))));
      } else if (op === OP_CLOSE) {
        socket.end();
      }
    });
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const onRead = (n: number, buf: Uint8Array): boolean => {
      if (measuring) bytes += n;
      let chunk = Buffer.from(buf.buffer, buf.byteOffset, n);
      if (head !== null) {
        head = Buffer.concat([head, chunk]);
        const end = headEnd(head);
        if (end < 0) return true;
        const status = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
        if (!/^HTTP\/1\.1 101/.test(status)) {
          fail(new Error(`upgrade refused: ${status}`));
          return false;
        }
        chunk = head.subarray(end);
        head = null;
        clearTimeout(timer);
        c.open = true;
        sockets.add(socket);
        resolve(c);
        if (chunk.length === 0) return true;
      }
      recv = nowUs();
      try {
        parser.push(chunk);
      } catch (err) {
        errors++;
        socket.destroy(err as Error);
        return false;
      }
      return true;
    };
    const socket = net.connect({
      host: start.host, port: start.port, localAddress: start.localAddress,
      onread: { buffer: READ_BUFFER, callback: onRead },
    });
    socket.setNoDelay(true);
    const timer = setTimeout(() => fail(new Error(`upgrade timed out after ${start.connectTimeoutMs} ms`)), start.connectTimeoutMs);
    socket.on('connect', () => socket.write(upgradeRequest(start.host, start.port, start.path)));
    socket.on('error', (err) => {
      if (head !== null) fail(err);
      else errors++;
    });
    socket.on('close', () => {
      sockets.delete(socket);
      if (head !== null) return fail(new Error('closed before the upgrade'));
      if (c.open && measuring) c.closedInWindow = true;
      c.open = false;
    });
  });
}

/** One polling client: GET start.path every interval on its own keep-alive connection. */
function startPoller(start: StartMsg, phaseMs: number): Client {
  const c: Client = { seq: createSequenceTracker(), open: true, closedInWindow: false };
  const interval = start.pollIntervalMs ?? 1000;
  const request = getRequest(start.host, start.port, start.path, { 'X-MBX-TIME-UNIT': 'MICROSECOND' });
  let next = performance.now() + phaseMs;
  let socket: net.Socket | null = null;
  let inFlight = false;
  const schedule = () => {
    inFlight = false;
    next += interval;
    const now = performance.now();
    if (next < now) next = now; // late: go at once, never two requests at a time
    setTimeout(tick, next - now);
  };
  const connect = (): net.Socket => {
    const parser = createResponseParser((status, body) => {
      const recv = nowUs();
      if (measuring) requests++;
      if (status !== 200) {
        if (measuring) errors++;
      } else {
        takeTrades(c, body, recv);
      }
      schedule();
    });
    const s = net.connect({
      host: start.host, port: start.port, localAddress: start.localAddress,
      onread: {
        buffer: READ_BUFFER,
        callback: (n, buf) => {
          if (measuring) bytes += n;
          try {
            parser.push(Buffer.from(buf.buffer, buf.byteOffset, n));
          } catch {
            errors++;
            s.destroy();
          }
          return true;
        },
      },
    });
    s.setNoDelay(true);
    s.on('error', () => {
      if (measuring) errors++;
    });
    s.on('close', () => {
      sockets.delete(s);
      if (socket === s) socket = null;
      if (inFlight) schedule(); // the answer will not come: try again on a new connection
    });
    sockets.add(s);
    return s;
  };
  const tick = () => {
    if (!running) return;
    socket ??= connect();
    inFlight = true;
    if (measuring) bytes += request.length;
    socket.write(request);
  };
  socket = connect();
  setTimeout(tick, phaseMs);
  return c;
}

function takeTrades(c: Client, body: Buffer, recv: number): void {
  const fresh = newTrades(body, c.seq.last);
  if (fresh === null) {
    if (measuring) errors++;
    return;
  }
  if (fresh.length === 0) {
    if (measuring && c.seq.last > 0) pollStale(recv, c);
    return;
  }
  const scale = fresh[0]![1] < US_STAMP_MIN ? 1000 : 1;
  if (scale !== 1) msStamps = true;
  if (!measuring) {
    c.seq.see(fresh[fresh.length - 1]![0]); // baseline before the window
    lastTime.set(c, fresh[fresh.length - 1]![1] * scale);
    return;
  }
  for (const [id, time] of fresh) {
    c.seq.see(id);
    record(time * scale, id, recv);
  }
  lastTime.set(c, fresh[fresh.length - 1]![1] * scale);
  recordLatency(staleness, recv - fresh[fresh.length - 1]![1] * scale);
}

/** Newest trade time a poller holds, µs: a poll with nothing new is as stale as that. */
const lastTime = new WeakMap<Client, number>();

function pollStale(recv: number, c: Client): void {
  const t = lastTime.get(c);
  if (t !== undefined) recordLatency(staleness, recv - t);
}

let running = true;

async function connectAll(start: StartMsg): Promise<void> {
  if (start.kind === 'poll') {
    const interval = start.pollIntervalMs ?? 1000;
    for (let i = 0; i < start.connections; i++) clients.push(startPoller(start, (interval * i) / start.connections));
    send({ type: 'ready', open: start.connections, failed: 0 });
    return;
  }
  let failed = 0;
  let firstError: string | undefined;
  let nextIndex = 0;
  const lane = async () => {
    while (nextIndex < start.connections) {
      nextIndex++;
      try {
        const c = await openWs(start, start.kind === 'sio');
        clients.push(c);
        wsClients.push(c);
      } catch (err) {
        failed++;
        firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(start.rampConcurrency, start.connections) }, lane));
  send({ type: 'ready', open: clients.length, failed, ...(firstError ? { firstError } : {}) });
}

function beginWindow(): void {
  // Polling clients keep their newest id as the baseline (the first poll in the window counts
  // only new trades); stream clients start afresh with the next frame.
  for (const c of clients) {
    c.seq.reset(start?.kind === 'poll' ? c.seq.last : 0);
    c.closedInWindow = false;
  }
  latency.reset();
  staleness.reset();
  bytes = other = requests = errors = 0;
  minE = Infinity;
  maxE = minEId = maxEId = 0;
  measuring = true;
}

function endWindow(): ResultMsg {
  measuring = false;
  let received = 0;
  let missed = 0;
  let disordered = 0;
  let expectedOpen = 0;
  let maxLast = 0;
  let maxSpan = 0;
  let openAtStop = 0;
  const closed: [number, number][] = [];
  for (const c of clients) {
    const s = c.seq;
    received += s.received;
    missed += s.missed;
    disordered += s.disordered;
    if (s.last > maxLast) maxLast = s.last;
    const span = expectedUpdates(s);
    if (span > maxSpan) maxSpan = span;
    if (c.closedInWindow) closed.push([s.first, s.last]);
    else expectedOpen += span;
    if (c.open) openAtStop++;
  }
  return {
    type: 'result', received, missed, disordered, expectedOpen, closed, maxLast, maxSpan, bytes,
    firstEvent: maxE > 0 ? [minEId, minE] : null,
    lastEvent: maxE > 0 ? [maxEId, maxE] : null,
    latency: encodeHistogram(latency),
    ...(start?.kind === 'poll' ? { staleness: encodeHistogram(staleness) } : {}),
    requests, errors, other, msStamps, openAtStop,
  };
}

let start: StartMsg | undefined;

process.on('message', (m: ToLoad) => {
  if (m.type === 'start') {
    start = m;
    connectAll(m).catch((err: unknown) => send({ type: 'error', message: String((err as Error)?.message ?? err) }));
  } else if (m.type === 'subscribe') {
    // All at once, after every connection is up: no stream runs during the ramp, and every arm
    // starts its window from the same state.
    for (const c of wsClients) if (c.open) c.subscribe();
  } else if (m.type === 'measure') {
    beginWindow();
  } else if (m.type === 'stop') {
    send(endWindow());
    running = false;
    for (const s of sockets) s.destroy();
  }
});

process.on('disconnect', () => process.exit(0));
