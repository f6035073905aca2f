// REST market data on the uWS app: weight accounting, 429s, errors and counters around rest-endpoints.ts.
// Handlers are synchronous: they read the request, answer, and return (no onAborted, no cork needed).
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import type { Config } from '../config.ts';
import type { Clock } from '../market/clock.ts';
import type { MarketView } from '../market/types.ts';
import type { Counter, Metrics } from '../metrics.ts';
import { encodeRestError, RestErrorCode, RestErrorMsg } from '../wire/errors.ts';
import { RestError, parseQuery, timeUnitParam, type Query } from './params.ts';
import { createEndpoints, type Endpoint } from './rest-endpoints.ts';
import { createWeightLimiter, type WeightLimiter } from './weights.ts';
import { guardRequest } from './request-guard.ts';

export const JSON_TYPE = 'application/json;charset=UTF-8';

/** Methods every REST endpoint answers. */
const ALLOW = 'GET, HEAD, OPTIONS';

/** The REST error body of a 405 (code -1, like the 404 of an unknown endpoint: the request never reached one). */
export function methodNotAllowedBody(method: string, path: string): string {
  return JSON.stringify({ code: -1, msg: `Method ${method.slice(0, 20)} is not allowed on ${path}; use GET or HEAD.` });
}

export interface RestOptions {
  readonly market: MarketView;
  readonly rest: Config['rest'];
  readonly metrics: Metrics;
  readonly clock: Clock;
}

/** `limiter` is the per-IP weight table, shared with the WebSocket API (docs/protocol.md#websocket-api). */
export function attachRest(app: TemplatedApp, opts: RestOptions): { close(): void; readonly limiter: WeightLimiter } {
  const { metrics } = opts;
  const limiter = createWeightLimiter({ limit: opts.rest.weightPerMinute, clock: opts.clock });
  const tooMuch = encodeRestError(RestErrorCode.TOO_MANY_REQUESTS, RestErrorMsg.tooMuchWeight(limiter.limit));
  const rejected = new Map<number, Counter>();
  const rejectedCounter = (code: number): Counter => {
    let c = rejected.get(code);
    if (!c) {
      c = metrics.counter('tickwire_rest_rejected_total', 'REST requests refused, by Binance error code', { code: String(code) });
      rejected.set(code, c);
    }
    return c;
  };

  for (const endpoint of createEndpoints(opts.market, { weightPerMinute: limiter.limit })) {
    const counters = new Map<string, Counter>();
    const counter = (status: string): Counter => {
      let c = counters.get(status);
      if (!c) {
        c = metrics.counter('tickwire_rest_requests_total', 'REST requests answered, by endpoint and HTTP status', {
          endpoint: endpoint.path,
          status,
        });
        counters.set(status, c);
      }
      return c;
    };
    const ok = counter('200');

    // HEAD gets what GET gets, status and headers (Content-Length included), without the body.
    const answer = (res: HttpResponse, req: HttpRequest, head: boolean): void => {
      // Everything from req is read here, first: it is only valid during this callback.
      const rawQuery = req.getQuery() ?? '';
      const timeUnit = req.getHeader('x-mbx-time-unit');
      const ip = Buffer.from(res.getRemoteAddressAsText()).toString('latin1');

      let status = '200 OK';
      let body: string;
      let used = 0;
      try {
        let query: Query | RestError;
        try {
          query = parseQuery(rawQuery);
        } catch (err) {
          if (!(err instanceof RestError)) throw err;
          query = err;
        }
        used = limiter.charge(ip, query instanceof RestError ? endpoint.baseWeight : endpoint.weight(query));
        if (used > limiter.limit) {
          res.writeStatus('429 Too Many Requests').writeHeader('Retry-After', String(limiter.retryAfterSec()));
          status = '429';
          body = tooMuch;
          rejectedCounter(RestErrorCode.TOO_MANY_REQUESTS).inc();
        } else {
          if (query instanceof RestError) throw query;
          body = endpoint.reply(query, timeUnitParam(timeUnit));
        }
      } catch (err) {
        if (err instanceof RestError) {
          status = String(err.status);
          body = encodeRestError(err.code, err.message);
          rejectedCounter(err.code).inc();
          res.writeStatus(err.status === 400 ? '400 Bad Request' : status);
        } else {
          status = '500';
          body = encodeRestError(RestErrorCode.UNKNOWN, RestErrorMsg.unknown);
          logFailure(endpoint, rawQuery, err);
          res.writeStatus('500 Internal Server Error');
        }
      }
      const usedText = String(used);
      res
        .writeHeader('Content-Type', JSON_TYPE)
        .writeHeader('Access-Control-Allow-Origin', '*')
        .writeHeader('x-mbx-used-weight', usedText)
        .writeHeader('x-mbx-used-weight-1m', usedText);
      if (head) res.writeHeader('Content-Length', String(Buffer.byteLength(body))).endWithoutBody();
      else res.end(body);
      if (status === '200 OK') ok.inc();
      else counter(status).inc();
    };
    app.get(endpoint.path, guardRequest((res, req) => answer(res, req, false)));
    app.head(endpoint.path, guardRequest((res, req) => answer(res, req, true)));
    // Every other method but OPTIONS (the CORS preflight below): 405 naming the ones that work.
    const notAllowed = counter('405');
    app.any(endpoint.path, guardRequest((res, req) => {
      if (req.getMethod() === 'options') return preflight(res);
      const method = req.getMethod().toUpperCase();
      notAllowed.inc();
      res
        .writeStatus('405 Method Not Allowed')
        .writeHeader('Allow', ALLOW)
        .writeHeader('Content-Type', JSON_TYPE)
        .writeHeader('Access-Control-Allow-Origin', '*')
        .end(methodNotAllowedBody(method, endpoint.path));
    }));
  }

  // CORS preflight for browsers sending X-MBX-TIME-UNIT from another origin (the Vite dev server).
  app.options('/api/*', guardRequest((res) => preflight(res)));

  return {
    limiter,
    close() {
      limiter.clear();
    },
  };
}

function preflight(res: HttpResponse): void {
  res
    .writeStatus('204 No Content')
    .writeHeader('Access-Control-Allow-Origin', '*')
    .writeHeader('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS')
    .writeHeader('Access-Control-Allow-Headers', 'X-MBX-TIME-UNIT, Content-Type')
    .writeHeader('Access-Control-Max-Age', '86400')
    .endWithoutBody();
}

function logFailure(endpoint: Endpoint, query: string, err: unknown): void {
  console.error(
    JSON.stringify({
      level: 'error',
      msg: 'REST handler failed',
      endpoint: endpoint.path,
      query,
      error: err instanceof Error ? err.message : String(err),
      stack: err instanceof Error ? err.stack : undefined,
    }),
  );
}
