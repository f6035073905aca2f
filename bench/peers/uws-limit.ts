// limit: bare uWS publishing the pre-serialized payloads to one topic, with no protocol work
// (no paths, no parsing: any message subscribes to the one topic): the ceiling for our layers.
// Listens with SO_REUSEPORT (uWS's default), so several processes can share one port.
// Its slow-client budget is the server's own flag, `--ws-max-backpressure-bytes` (environment
// WS_MAX_BACKPRESSURE_BYTES), read by the server's config parser: same default, same checks.
import { ConfigError, loadConfig } from '../../server/config.ts';
import { loadUws } from '../../server/uws.ts';
import { streamName } from '../../server/wire/streams.ts';
import { createFeed, peerFlags, readyLine } from './feed.ts';

const BACKPRESSURE_FLAG = 'ws-max-backpressure-bytes';
const flags = peerFlags(process.argv.slice(2));
let maxBackpressure: number;
try {
  const given = flags.extra.get(BACKPRESSURE_FLAG);
  const env = { WS_MAX_BACKPRESSURE_BYTES: process.env.WS_MAX_BACKPRESSURE_BYTES };
  maxBackpressure = loadConfig(given === undefined ? [] : [`--${BACKPRESSURE_FLAG}`, given], env).ws.maxBackpressureBytes;
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`limit: ${err.message}`);
  process.exit(2);
}
const { uws } = loadUws();
const topic = streamName.trade(flags.symbol);
const app = uws.App();
app.ws('/*', {
  compression: uws.DISABLED,
  maxPayloadLength: 16 * 1024,
  maxBackpressure,
  idleTimeout: 0,
  // Any message subscribes to the one topic: no parsing, no reply.
  message: (ws) => {
    ws.subscribe(topic);
  },
});
const feed = await createFeed(flags);
// The bench's trade counter (the shape of GET /api/v3/trades?limit=1).
app.get('/api/v3/trades', (res) => {
  res.writeHeader('content-type', 'application/json').end(feed.newestTrade());
});
feed.onTrade((payload) => {
  app.publish(topic, payload, false);
});

let listenSocket: unknown;
app.listen(flags.host, flags.port, (socket) => {
  if (!socket) {
    console.error(`limit: could not listen on ${flags.host}:${flags.port}`);
    process.exit(1);
  }
  listenSocket = socket;
  console.log(`${readyLine('limit', flags.host, uws.us_socket_local_port(socket))} (slow-client budget ${maxBackpressure} bytes)`);
});

const stop = () => {
  feed.stop();
  if (listenSocket) uws.us_listen_socket_close(listenSocket as never);
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
