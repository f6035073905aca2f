// One WebSocket API request answered through the REST endpoint table: the same parameter checks,
// weight (charged to the same per-IP limiter as REST) and body as the REST twin. Pure apart from
// the limiter it is given, so it can be called without a socket (docs/protocol.md#websocket-api).
import type { Clock } from '../market/clock.ts';
import type { Endpoint } from '../http/rest-endpoints.ts';
import { RestError } from '../http/params.ts';
import type { WeightLimiter } from '../http/weights.ts';
import type { TimeUnit } from '../wire/encode.ts';
import { RestErrorCode, RestErrorMsg, WsApiErrorMsg } from '../wire/errors.ts';
import {
  encodeWsApiError, encodeWsApiRateLimits, parseWsApiRequest, encodeWsApiResult, type WsApiFailure,
} from '../wire/ws-api.ts';
import { WS_API_METHOD_NAMES, WS_API_METHODS } from './methods.ts';

/** Weight of a frame that names no method this server serves (malformed, unknown): flooding with them still costs. */
export const MALFORMED_WEIGHT = 1;

export interface Answer {
  /** The response text. */
  readonly text: string;
  /** The method as asked (`?` when unreadable), and the status sent: the request counter's labels. */
  readonly method: string;
  readonly status: number;
  /** Set when the request failed: the error code sent. */
  readonly code?: RestErrorCode;
}

export interface Answerer {
  answer(text: string, ip: string, unit: TimeUnit, returnRateLimits: boolean): Answer;
}

export function createAnswerer(opts: {
  readonly endpoints: readonly Endpoint[];
  readonly limiter: WeightLimiter;
  readonly clock: Clock;
  /** Called with an unexpected failure (answered with -1000). */
  readonly onFailure: (method: string, err: unknown) => void;
}): Answerer {
  const { limiter, clock } = opts;
  const byPath = new Map(opts.endpoints.map((e) => [e.path as string, e]));
  const byMethod = new Map<string, Endpoint>();
  for (const name of WS_API_METHOD_NAMES) {
    const endpoint = byPath.get(WS_API_METHODS[name]);
    if (!endpoint) throw new Error(`ws-api: no REST endpoint ${WS_API_METHODS[name]} for method ${name}`);
    byMethod.set(name, endpoint);
  }

  return {
    answer(text, ip, unit, connectionRateLimits) {
      const parsed = parseWsApiRequest(text);
      let returnRateLimits = connectionRateLimits;
      let method = '?';
      let endpoint: Endpoint | undefined;
      let failure: WsApiFailure | undefined;
      let weight = MALFORMED_WEIGHT;
      if (!parsed.ok) {
        failure = parsed;
      } else {
        const req = parsed.request;
        if (req.returnRateLimits !== undefined) returnRateLimits = req.returnRateLimits;
        endpoint = byMethod.get(req.method);
        if (endpoint) {
          method = req.method;
          weight = endpoint.weight(req.query);
        } else {
          failure = { id: req.id, status: 400, code: RestErrorCode.UNSUPPORTED_OPERATION, msg: WsApiErrorMsg.unknownMethod(req.method, WS_API_METHOD_NAMES) };
        }
      }
      const used = limiter.charge(ip, weight);
      const rateLimits = returnRateLimits ? encodeWsApiRateLimits(limiter.limit, used) : undefined;
      const id = parsed.ok ? parsed.request.id : parsed.id;
      if (used > limiter.limit) {
        const nowMs = Math.floor(clock.nowUs() / 1000);
        const f: WsApiFailure = { id, status: 429, code: RestErrorCode.TOO_MANY_REQUESTS, msg: RestErrorMsg.tooMuchWeight(limiter.limit) };
        return {
          text: encodeWsApiError(f, rateLimits, { serverTime: nowMs, retryAfter: nowMs + limiter.retryAfterSec() * 1000 }),
          method, status: 429, code: f.code,
        };
      }
      if (failure) return { text: encodeWsApiError(failure, rateLimits), method, status: failure.status, code: failure.code };
      try {
        const body = endpoint!.reply(parsed.ok ? parsed.request.query : new Map(), unit);
        return { text: encodeWsApiResult(id, body, rateLimits), method, status: 200 };
      } catch (err) {
        if (err instanceof RestError) {
          return { text: encodeWsApiError({ id, status: err.status, code: err.code, msg: err.message }, rateLimits), method, status: err.status, code: err.code };
        }
        opts.onFailure(method, err);
        const f: WsApiFailure = { id, status: 500, code: RestErrorCode.UNKNOWN, msg: RestErrorMsg.unknown };
        return { text: encodeWsApiError(f, rateLimits), method, status: 500, code: f.code };
      }
    },
  };
}
