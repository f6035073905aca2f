// peer-ws: the server the tutorials teach. Express for HTTP, the `ws` library for WebSockets, and
// each event broadcast with a loop over `wss.clients` calling `client.send` (serialized once).
import http from 'node:http';
import express from 'express';
import { WebSocketServer, WebSocket } from 'ws';
import { createFeed, listenHttp, peerFlags } from './feed.ts';

const flags = peerFlags(process.argv.slice(2));
const app = express();
const server = http.createServer(app);
const feed = await createFeed(flags);
// The bench's trade counter (the shape of GET /api/v3/trades?limit=1), not a REST API.
app.get('/api/v3/trades', (_req, res) => {
  res.type('application/json').send(feed.newestTrade());
});
// Any path is accepted; a client gets the trades once it sends a SUBSCRIBE (any one: there is one
// stream here), as a Binance client would.
const wss = new WebSocketServer({ server });
const subscribed = new WeakSet<WebSocket>();
wss.on('connection', (ws) => {
  ws.on('message', (data) => {
    try {
      const msg = JSON.parse(String(data)) as { method?: string; id?: unknown };
      if (msg.method === 'SUBSCRIBE') subscribed.add(ws);
      ws.send(JSON.stringify({ result: null, id: msg.id ?? null }));
    } catch {
      ws.send(JSON.stringify({ error: { code: 3, msg: 'Invalid JSON' }, id: null }));
    }
  });
});

feed.onTrade((payload) => {
  for (const client of wss.clients) {
    if (client.readyState === WebSocket.OPEN && subscribed.has(client)) client.send(payload);
  }
});

listenHttp(server, flags, 'peer-ws');

const stop = () => {
  feed.stop();
  for (const c of wss.clients) c.terminate();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
