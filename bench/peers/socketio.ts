// peer-socketio: a Socket.IO server; a client joins the stream's room with a `subscribe` event and
// each event is emitted to the room (Socket.IO encodes a room broadcast once for all its members).
import http from 'node:http';
import { Server } from 'socket.io';
import { streamName } from '../../server/wire/streams.ts';
import { createFeed, listenHttp, peerFlags } from './feed.ts';

const flags = peerFlags(process.argv.slice(2));
const room = streamName.trade(flags.symbol);
const feed = await createFeed(flags);
// Requests Socket.IO does not claim: only the bench's trade counter (shape of /api/v3/trades?limit=1).
const server = http.createServer((req, res) => {
  if (req.url?.startsWith('/api/v3/trades')) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(feed.newestTrade());
  } else {
    res.writeHead(404).end();
  }
});
const io = new Server(server, { serveClient: false });
io.on('connection', (socket) => {
  socket.on('subscribe', (name: unknown) => {
    if (name === room) void socket.join(room);
  });
});

// The payload travels as the same JSON object (parsed once per event, not per client), so each
// frame is `42["trade",<the same payload>]`.
feed.onTrade((payload) => {
  io.to(room).emit('trade', JSON.parse(payload));
});

listenHttp(server, flags, 'peer-socketio');

const stop = () => {
  feed.stop();
  void io.close();
  setTimeout(() => process.exit(0), 500).unref();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
