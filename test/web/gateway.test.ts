// Which gateway serves the page: the socket asks GET_PROPERTY "gateway" on each connection and shows
// the move after a gateway dies; the polls read X-Tickwire-Gateway from every response.
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { socketGatewayText } from '../../web/src/components/gateway-badge.tsx';
import { browserTimers } from '../../web/src/state/poller.ts';
import { createRest } from '../../web/src/state/rest.ts';
import { createSocket, type SocketCtor } from '../../web/src/state/socket.ts';

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A stand-in for a fleet behind a proxy: connection n is served by "gw<n>". */
async function namedGateways() {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  let conns = 0;
  wss.on('connection', (ws) => {
    const name = `gw${++conns}`;
    ws.on('message', (raw) => {
      const msg = JSON.parse(String(raw)) as { method: string; params: string[]; id: number };
      ws.send(JSON.stringify({ result: msg.method === 'GET_PROPERTY' && msg.params[0] === 'gateway' ? name : null, id: msg.id }));
    });
  });
  closers.push(() => new Promise<void>((r) => {
    for (const c of wss.clients) c.terminate();
    wss.close(() => r());
  }));
  return { url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}/stream`, dropAll: () => wss.clients.forEach((c) => c.terminate()) };
}

describe('the gateway serving the page', () => {
  it('is asked once the socket is live, and after a drop shows the new gateway and the old one', async () => {
    const gws = await namedGateways();
    const socket = createSocket({
      url: gws.url, WebSocket: WebSocket as unknown as SocketCtor, timers: browserTimers,
      backoff: { baseMs: 40, maxMs: 200 }, controlGapMs: 20, onMessage: () => {},
    });
    closers.push(() => socket.stop());
    socket.setStreams(['solusdt@aggTrade']);
    socket.start();
    await until(() => socket.gateway.value === 'gw1');
    expect(socketGatewayText(socket.status.value, socket.gateway.value, socket.previousGateway.value)).toBe('socket on gw1');
    const seen: string[] = [];
    const stop = socket.status.subscribe((s) => {
      const text = socketGatewayText(s, socket.gateway.peek(), socket.previousGateway.peek());
      if (text) seen.push(text);
    });
    gws.dropAll();
    await until(() => socket.gateway.value === 'gw2');
    stop();
    expect(seen).toContain('socket reconnecting (was gw1)');
    expect(socketGatewayText(socket.status.value, socket.gateway.value, socket.previousGateway.value)).toBe('socket on gw2 (was gw1)');
  });

  it('is null when the server answers GET_PROPERTY "gateway" with an error (no fleet)', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    wss.on('connection', (ws) => ws.on('message', (raw) => {
      const msg = JSON.parse(String(raw)) as { method: string; id: number };
      if (msg.method !== 'GET_PROPERTY') return void ws.send(JSON.stringify({ result: null, id: msg.id }));
      ws.send(JSON.stringify({ error: { code: 0, msg: 'Unknown property' }, id: msg.id }));
      // A frame after the answer: once it has arrived, the answer has been handled.
      ws.send(JSON.stringify({ stream: 'solusdt@aggTrade', data: { e: 'aggTrade' } }));
    }));
    closers.push(() => new Promise<void>((r) => {
      for (const c of wss.clients) c.terminate();
      wss.close(() => r());
    }));
    let frames = 0;
    const socket = createSocket({ url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}/stream`, WebSocket: WebSocket as unknown as SocketCtor, timers: browserTimers, controlGapMs: 20, onMessage: () => frames++ });
    closers.push(() => socket.stop());
    socket.setStreams(['solusdt@aggTrade']);
    socket.start();
    await until(() => frames === 1);
    expect(socket.gateway.value).toBeNull();
    // Not the page's error: an older server simply has no gateway names.
    expect(socket.lastError.value).toBeNull();
  });

  it('of the polls is the X-Tickwire-Gateway of the last response', async () => {
    let n = 0;
    const server: Server = createServer((_req, res) => {
      res.setHeader('X-Tickwire-Gateway', `gw${(n++ % 2) + 1}`);
      res.setHeader('Content-Type', 'application/json');
      res.end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise<void>((r) => server.close(() => r())));
    const rest = createRest(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
    expect(rest.gateway.value).toBeNull();
    await rest.get('/api/v3/ping');
    expect(rest.gateway.value).toBe('gw1');
    await rest.get('/api/v3/ping');
    expect(rest.gateway.value).toBe('gw2');
  });

  it('is not shown at all by a page without a fleet', () => {
    expect(socketGatewayText({ kind: 'live' }, null, null)).toBeNull();
    expect(socketGatewayText({ kind: 'connecting' }, null, null)).toBeNull();
  });
});
