// ccxt's binance (with ccxt.pro) pointed at a local tickwire: REST and WebSocket hosts given, every
// other Binance URL it knows rewritten to a refused local port so nothing can leave the machine.
import ccxt from 'ccxt';

export type Binance = InstanceType<typeof ccxt.pro.binance>;

/** A local port nothing listens on: any URL of ccxt's that is not tickwire's is sent here and refused. */
const NOWHERE = '127.0.0.1:9';

/**
 * ccxt's binance on tickwire: the settings of docs/protocol.md#pointing-binance-clients-at-tickwire, REST at `restHost` and the
 * spot WebSocket at `wsHost` (two gateways of one fleet may serve the two), plus every other Binance
 * host it knows (sapi, fapi, dapi, ws-api, …) rewritten to a refused local port, so that a call a test
 * did not foresee fails there instead of reaching the internet.
 */
export function binanceOn(restHost: string, wsHost: string = restHost): Binance {
  const exchange = new ccxt.pro.binance({
    options: {
      fetchMarkets: { types: ['spot'] }, // not the futures exchangeInfo on fapi/dapi
      fetchCurrencies: false, // sapi capital/config, a signed call
      fetchMargins: false, // sapi margin pairs
    },
  });
  const rewrite = (node: Record<string, unknown>, path: string): void => {
    for (const [key, value] of Object.entries(node)) {
      const at = path ? `${path}.${key}` : key;
      if (typeof value === 'object' && value !== null) rewrite(value as Record<string, unknown>, at);
      else if (typeof value === 'string') {
        const scheme = /^wss?:/.test(value) ? 'ws' : 'http';
        node[key] = at === 'public' ? `http://${restHost}/api/v3` : at === 'ws.spot' ? `ws://${wsHost}/ws` : `${scheme}://${NOWHERE}/${at}`;
      }
    }
  };
  rewrite(exchange.urls.api as Record<string, unknown>, '');
  return exchange;
}
