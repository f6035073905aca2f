// The WebSocket API's own wire (`/ws-api/v3`, docs/protocol.md#websocket-api): reading a request
// frame `{id, method, params}` and writing responses `{id, status, result | error, rateLimits}`.
// No Node or uWS imports. Results are REST bodies as REST serializes them, spliced in as text.
import type { WireId } from './payloads.ts';
import { isWireId } from './control.ts';
import { RestErrorCode, RestErrorMsg, WsApiErrorMsg } from './errors.ts';

/** A request that could be read: `params` already turned into REST's query map (name → text). */
export interface WsApiRequest {
  readonly id: WireId;
  readonly method: string;
  readonly query: ReadonlyMap<string, string>;
  /** `params.returnRateLimits`, when given as a boolean; undefined leaves the connection's choice. */
  readonly returnRateLimits: boolean | undefined;
}

export interface WsApiFailure {
  readonly id: WireId;
  readonly status: number;
  readonly code: RestErrorCode;
  readonly msg: string;
}

export type WsApiParse = { readonly ok: true; readonly request: WsApiRequest } | ({ readonly ok: false } & WsApiFailure);

const bad = (id: WireId, msg: string): WsApiParse => ({ ok: false, id, status: 400, code: RestErrorCode.MANDATORY_PARAM_EMPTY_OR_MALFORMED, msg });

/**
 * Read one text frame. `id` is mandatory (null is a valid id); `params` may be left out. Every
 * failure carries the request's id when it could be read, else null. A parameter's JSON value
 * becomes the text REST would have received: strings as they are, numbers and booleans as JSON
 * spells them, arrays and objects as JSON text (so `symbols: ["A","B"]` is REST's `symbols=["A","B"]`),
 * null as empty. REST's own checks then judge them, with REST's codes.
 */
export function parseWsApiRequest(text: string): WsApiParse {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch (err) {
    return bad(null, WsApiErrorMsg.notJson(err instanceof Error ? err.message : String(err)));
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return bad(null, WsApiErrorMsg.notObject);
  const req = msg as Record<string, unknown>;
  if (!('id' in req) || !isWireId(req.id)) return bad(null, WsApiErrorMsg.badId);
  const id = req.id;
  if (typeof req.method !== 'string' || req.method === '') return bad(id, RestErrorMsg.mandatory('method'));
  const params = req.params ?? {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return bad(id, WsApiErrorMsg.paramsNotObject);
  const query = new Map<string, string>();
  let returnRateLimits: boolean | undefined;
  for (const [name, value] of Object.entries(params as Record<string, unknown>)) {
    if (name === 'returnRateLimits') {
      if (typeof value !== 'boolean') {
        return { ok: false, id, status: 400, code: RestErrorCode.INVALID_PARAMETER, msg: RestErrorMsg.invalid('returnRateLimits') };
      }
      returnRateLimits = value;
      continue;
    }
    query.set(name, paramText(value));
  }
  return { ok: true, request: { id, method: req.method, query, returnRateLimits } };
}

function paramText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** The `rateLimits` array: this connection's IP's REQUEST_WEIGHT use in the current minute. */
export function encodeWsApiRateLimits(limit: number, count: number): string {
  return `[{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":${limit},"count":${count}}]`;
}

const idText = (id: WireId): string => JSON.stringify(id);

/** `{"id":…,"status":200,"result":<REST body>,"rateLimits":[…]}`; rateLimits left out when undefined. */
export function encodeWsApiResult(id: WireId, result: string, rateLimits: string | undefined): string {
  return `{"id":${idText(id)},"status":200,"result":${result}${rateLimits === undefined ? '' : `,"rateLimits":${rateLimits}`}}`;
}

/**
 * `{"id":…,"status":…,"error":{"code":…,"msg":…[,"data":…]},"rateLimits":[…]}`. A 429 carries
 * `data: {serverTime, retryAfter}` (epoch ms when the client may send again), as Binance does.
 */
export function encodeWsApiError(
  f: WsApiFailure, rateLimits: string | undefined, data?: { readonly serverTime: number; readonly retryAfter: number },
): string {
  const error = JSON.stringify(data === undefined ? { code: f.code, msg: f.msg } : { code: f.code, msg: f.msg, data });
  return `{"id":${idText(f.id)},"status":${f.status},"error":${error}${rateLimits === undefined ? '' : `,"rateLimits":${rateLimits}`}}`;
}
