// Run as a child process with NODE_EXTRA_CA_CERTS set (the only way the CA reaches it): Binance's own
// @binance/connector, given only https:// and wss:// base URLs, reads REST and a trade stream through
// the fleet's TLS proxy. Prints one JSON line with what it read, or {"error": …}; exits 0 either way.
import { Spot, WebsocketStream, type ConnectorLogger } from '@binance/connector';

const [restBase, wsBase] = process.argv.slice(2) as [string, string];
const quiet: ConnectorLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

async function main(): Promise<Record<string, unknown>> {
  const spot = new Spot('', '', { baseURL: restBase, logger: quiet, timeout: 10_000 });
  const info = (await spot.exchangeInfo({ symbol: 'SOLUSDT' })) as { data: { symbols: Array<{ symbol: string }> }; headers: Record<string, string> };
  const trades: Array<{ t: number }> = [];
  let gateway: unknown;
  const stream = new WebsocketStream({
    wsURL: wsBase,
    logger: quiet,
    callbacks: {
      message: (data: string) => {
        const m = JSON.parse(data) as { e?: string; t?: number; result?: unknown; id?: number };
        if (m.e === 'trade') trades.push({ t: m.t! });
        if (m.id === 7) gateway = m.result;
      },
    },
  });
  stream.trade('SOLUSDT');
  const deadline = Date.now() + 20_000;
  while (trades.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50)); // poll
  const ws = stream.wsConnection.ws;
  if (ws && ws.readyState === ws.OPEN) {
    ws.send(JSON.stringify({ method: 'GET_PROPERTY', params: ['gateway'], id: 7 }));
    const until = Date.now() + 5000;
    while (gateway === undefined && Date.now() < until) await new Promise((r) => setTimeout(r, 50)); // poll
    stream.disconnect();
  }
  return { symbols: info.data.symbols.map((s) => s.symbol), restGateway: info.headers['x-tickwire-gateway'], tradeIds: trades.map((t) => t.t), wsGateway: gateway };
}

main().then(
  (out) => {
    console.log(JSON.stringify(out));
    process.exit(0);
  },
  (err: Error & { code?: string; cause?: { code?: string } }) => {
    console.log(JSON.stringify({ error: `${err.code ?? err.cause?.code ?? ''} ${err.message}` }));
    process.exit(0);
  },
);
