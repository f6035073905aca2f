import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { browserTimers } from '../../web/src/state/poller.ts';
import { createSocket, wsFrameBytes, type Socket, type SocketCtor } from '../../web/src/state/socket.ts';

/** A stand-in for the gateway: answers SUBSCRIBE and remembers what each connection asked for. */
async function fakeGateway() {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const requests: { conn: number; msg: { method: string; params: string[]; id: number } }[] = [];
  let conns = 0;
  wss.on('connection', (ws) => {
    const conn = ++conns;
    ws.on('message', (raw) => {
      const msg = JSON.parse(String(raw));
      requests.push({ conn, msg });
      ws.send(JSON.stringify({ result: null, id: msg.id }));
    });
  });
  const port = (wss.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}/stream`,
    wss,
    requests,
    get conns() {
      return conns;
    },
    broadcast(text: string) {
      for (const c of wss.clients) c.send(text);
    },
    dropAll() {
      for (const c of wss.clients) c.terminate();
    },
    close: () => new Promise<void>((r) => {
      for (const c of wss.clients) c.terminate();
      wss.close(() => r());
    }),
  };
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const opened: { close(): Promise<void> | void }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0)) await o.close();
});

function open(url: string, extra: Partial<Parameters<typeof createSocket>[0]> = {}) {
  const got: { stream: string; data: unknown; bytes: number }[] = [];
  const subscribed: boolean[] = [];
  const socket: Socket = createSocket({
    url,
    WebSocket: WebSocket as unknown as SocketCtor,
    timers: browserTimers,
    backoff: { baseMs: 40, maxMs: 200 },
    controlGapMs: 20,
    onMessage: (stream, data, bytes) => got.push({ stream, data, bytes }),
    onSubscribed: ({ reconnect }) => subscribed.push(reconnect),
    ...extra,
  });
  opened.push({ close: () => socket.stop() });
  return { socket, got, subscribed };
}

describe('the page socket', () => {
  it('counts the frame header with each payload', () => {
    expect(wsFrameBytes(125)).toBe(127);
    expect(wsFrameBytes(126)).toBe(130);
    expect(wsFrameBytes(70000)).toBe(70010);
  });

  it('subscribes on open, goes live on the reply and hands over combined payloads', async () => {
    const gw = await fakeGateway();
    opened.push(gw);
    const { socket, got, subscribed } = open(gw.url);
    socket.setStreams(['solusdt@aggTrade', 'solusdt@bookTicker']);
    socket.start();
    await until(() => socket.status.value.kind === 'live');
    expect(gw.requests[0]!.msg).toMatchObject({ method: 'SUBSCRIBE', params: ['solusdt@aggTrade', 'solusdt@bookTicker'] });
    expect(subscribed).toEqual([false]);
    const text = JSON.stringify({ stream: 'solusdt@bookTicker', data: { u: 1, s: 'SOLUSDT', b: '1', B: '1', a: '2', A: '1' } });
    gw.broadcast(text);
    await until(() => got.length === 1);
    expect(got[0]).toMatchObject({ stream: 'solusdt@bookTicker', bytes: text.length + 2 });
    expect(socket.bytes.value).toBe(text.length + 2);
  });

  it('reconnects after the server drops it, resubscribes and reports a reconnect', async () => {
    const gw = await fakeGateway();
    opened.push(gw);
    const { socket, subscribed } = open(gw.url);
    socket.setStreams(['solusdt@aggTrade']);
    socket.start();
    await until(() => socket.status.value.kind === 'live');
    const seen: string[] = [];
    const stop = socket.status.subscribe((s) => seen.push(s.kind));
    gw.dropAll();
    await until(() => subscribed.length === 2);
    stop();
    expect(subscribed).toEqual([false, true]);
    expect(seen).toEqual(expect.arrayContaining(['reconnecting', 'connecting', 'live']));
    expect(gw.requests.filter((r) => r.conn === 2 && r.msg.method === 'SUBSCRIBE').map((r) => r.msg.params)).toEqual([['solusdt@aggTrade']]);
    expect(socket.reconnects.value).toBe(1);
  });

  it('keeps retrying while nobody listens and counts down to the next attempt', async () => {
    const gw = await fakeGateway();
    const url = gw.url;
    await gw.close();
    const { socket } = open(url, { backoff: { baseMs: 1500, maxMs: 3000 }, random: () => 0.999 });
    socket.start();
    await until(() => socket.status.value.kind === 'reconnecting');
    const s = socket.status.value;
    // First delay: 750 + 0.999 × 750 ≈ 1499 ms, shown as 2 s, then 1 s a second later.
    expect(s).toMatchObject({ kind: 'reconnecting', attempt: 1, inS: 2 });
    await until(() => socket.status.value.kind === 'reconnecting' && socket.status.value.inS === 1, 1200);
    socket.stop();
    expect(socket.status.value.kind).toBe('offline');
  });

  it('swaps streams on a live connection with SUBSCRIBE then UNSUBSCRIBE, paced', async () => {
    const gw = await fakeGateway();
    opened.push(gw);
    const { socket } = open(gw.url);
    socket.setStreams(['solusdt@aggTrade']);
    socket.start();
    await until(() => socket.status.value.kind === 'live');
    socket.setStreams(['btcusdt@aggTrade']);
    await until(() => gw.requests.length === 4);
    // Once live the socket also asks which gateway serves it (a fleet's; see gateway.test.ts).
    expect(gw.requests.map((r) => [r.msg.method, r.msg.params])).toEqual([
      ['SUBSCRIBE', ['solusdt@aggTrade']],
      ['GET_PROPERTY', ['gateway']],
      ['SUBSCRIBE', ['btcusdt@aggTrade']],
      ['UNSUBSCRIBE', ['solusdt@aggTrade']],
    ]);
  });

  it('survives frames that are not JSON and records the server’s control errors', async () => {
    const gw = await fakeGateway();
    opened.push(gw);
    const { socket, got } = open(gw.url);
    socket.start();
    await until(() => socket.status.value.kind === 'live');
    gw.broadcast('not json');
    gw.broadcast(JSON.stringify({ error: { code: 2, msg: 'Invalid request: invalid stream' }, id: 9 }));
    await until(() => socket.lastError.value?.startsWith('code 2') === true);
    expect(got).toHaveLength(0);
    expect(socket.status.value.kind).toBe('live');
  });
});
