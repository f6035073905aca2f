// The REST endpoints described for people: path, weight, parameters, meaning. One list, read by
// rest-endpoints.ts (its paths are typed by it), the site's help page and the README generator.
// Pure data: no Node or uWS imports. Details and error codes: docs/protocol.md#rest-endpoints.

export interface RestEndpointDoc {
  /** Route path; rest-endpoints.ts serves exactly these, in this order (test/http/rest-catalog.test.ts). */
  readonly path: string;
  /** Weight of a request whose query cannot be read; equals the served endpoint's baseWeight. */
  readonly baseWeight: number;
  /** How the weight is counted, when it depends on the parameters. */
  readonly weight: string;
  /** Parameters, `*` marking the required ones; empty when there are none. */
  readonly params: string;
  /** What the endpoint answers, in one line. */
  readonly summary: string;
}

export const REST_ENDPOINT_DOCS = [
  { path: '/api/v3/ping', baseWeight: 1, weight: '1', params: '', summary: 'Connectivity check; answers `{}`.' },
  { path: '/api/v3/time', baseWeight: 1, weight: '1', params: '', summary: 'Server time: `{"serverTime":…}`.' },
  {
    path: '/api/v3/exchangeInfo', baseWeight: 20, weight: '20', params: '`symbol` or `symbols`',
    summary: 'Rate limits and the listed symbols with their filters (tick size, lot size).',
  },
  {
    path: '/api/v3/depth', baseWeight: 5, weight: '5, 25, 50 or 250 by `limit` (≤100, ≤500, ≤1000, ≤5000)',
    params: '`symbol`*, `limit` 1–5000 (100)', summary: 'Order book snapshot with its `lastUpdateId`.',
  },
  { path: '/api/v3/trades', baseWeight: 25, weight: '25', params: '`symbol`*, `limit` 1–1000 (500)', summary: 'The most recent trades, oldest first.' },
  {
    path: '/api/v3/historicalTrades', baseWeight: 25, weight: '25', params: '`symbol`*, `fromId`, `limit` 1–1000 (500)',
    summary: 'Trades from a trade id on (the newest without `fromId`); no API key needed.',
  },
  {
    path: '/api/v3/aggTrades', baseWeight: 4, weight: '4', params: '`symbol`*, `fromId` or `startTime`/`endTime`, `limit` 1–1000 (500)',
    summary: 'Aggregate trades (one per taker order and price), by id or time.',
  },
  {
    path: '/api/v3/klines', baseWeight: 2, weight: '2', params: '`symbol`*, `interval`*, `startTime`, `endTime`, `timeZone`, `limit` 1–1000 (500)',
    summary: 'Candlesticks of one of the 16 intervals, the open one included.',
  },
  {
    path: '/api/v3/uiKlines', baseWeight: 2, weight: '2', params: 'as `klines`',
    summary: 'Candlesticks for charts; the same rows as `klines` here.',
  },
  {
    path: '/api/v3/ticker/24hr', baseWeight: 2, weight: '2 for one symbol; `symbols` 1–20: 2, 21–100: 40, more: 80; all: 80',
    params: '`symbol` or `symbols` (none: all), `type` FULL|MINI', summary: 'Rolling 24 hour statistics.',
  },
  {
    path: '/api/v3/ticker', baseWeight: 4, weight: '4 per symbol, at most 200',
    params: '`symbol` or `symbols` (one is required), `windowSize` 1m–59m, 1h–23h, 1d–7d (1d), `type` FULL|MINI',
    summary: 'Rolling-window statistics over a window you choose (minute precision).',
  },
  {
    path: '/api/v3/ticker/price', baseWeight: 2, weight: '2 for one symbol, 4 otherwise', params: '`symbol` or `symbols` (none: all)',
    summary: 'Last trade price.',
  },
  {
    path: '/api/v3/ticker/bookTicker', baseWeight: 2, weight: '2 for one symbol, 4 otherwise', params: '`symbol` or `symbols` (none: all)',
    summary: 'Best bid and ask with their quantities.',
  },
  { path: '/api/v3/avgPrice', baseWeight: 2, weight: '2', params: '`symbol`*', summary: 'Average price over the last 5 minutes.' },
] as const satisfies readonly RestEndpointDoc[];

/** A path the REST table serves. */
export type RestPath = (typeof REST_ENDPOINT_DOCS)[number]['path'];
