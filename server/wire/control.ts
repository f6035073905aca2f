// Live control messages (docs/protocol.md): request text → a checked request, or the wire's error.
// No Node or uWS imports. Limits that depend on a connection (stream count) are the gateway's.
import type { WireId } from './payloads.ts';
import { WsErrorCode, WsErrorMsg } from './errors.ts';
import { parseStream, type StreamSpec } from './streams.ts';

/** A stream as the client named it, and what it means. */
export interface NamedStream {
  readonly name: string;
  readonly spec: StreamSpec;
}

export type ControlRequest =
  | { readonly method: 'SUBSCRIBE' | 'UNSUBSCRIBE'; readonly id: WireId; readonly streams: readonly NamedStream[] }
  | { readonly method: 'LIST_SUBSCRIPTIONS'; readonly id: WireId }
  | { readonly method: 'SET_PROPERTY'; readonly id: WireId; readonly property: 'combined'; readonly value: boolean }
  | { readonly method: 'GET_PROPERTY'; readonly id: WireId; readonly property: 'combined' | 'gateway' };

export interface ControlError {
  readonly error: { readonly code: WsErrorCode; readonly msg: string };
  readonly id: WireId;
}

export type ControlParse = { readonly ok: true; readonly request: ControlRequest } | ({ readonly ok: false } & ControlError);

/** Most streams one SUBSCRIBE/UNSUBSCRIBE may name, whatever the connection's limit. */
export const MAX_PARAMS = 1024;

const fail = (code: WsErrorCode, msg: string, id: WireId): ControlParse => ({ ok: false, error: { code, msg }, id });

/** Integer ≥ 0 (exactly representable), a string of at most 36 characters, or null. */
export function isWireId(v: unknown): v is WireId {
  if (v === null) return true;
  if (typeof v === 'string') return v.length <= 36;
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Parse one text frame. `symbols` holds the known UPPERCASE symbols. A missing `id` is read as
 * null (still answered). Every failure carries the request's id when it could be read, else null.
 * `parse` reads one stream name (parseStream by default; the gateway passes a memoized one).
 */
export function parseControl(
  text: string,
  symbols: ReadonlySet<string>,
  parse: (name: string) => StreamSpec | undefined = (name) => parseStream(name, symbols),
): ControlParse {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch (err) {
    return fail(WsErrorCode.INVALID_JSON, WsErrorMsg.invalidJson(err instanceof Error ? err.message : String(err)), null);
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
    return fail(WsErrorCode.INVALID_REQUEST, WsErrorMsg.notObject, null);
  }
  const req = msg as Record<string, unknown>;
  const rawId = 'id' in req ? req.id : null;
  if (!isWireId(rawId)) return fail(WsErrorCode.INVALID_REQUEST, WsErrorMsg.badId, null);
  const id = rawId;
  const method = req.method;
  if (method === undefined) return fail(WsErrorCode.INVALID_REQUEST, WsErrorMsg.missingMethod, id);
  if (typeof method !== 'string') return fail(WsErrorCode.INVALID_REQUEST, WsErrorMsg.unknownMethod(String(method)), id);
  const params = req.params;
  if (params !== undefined && !Array.isArray(params)) return fail(WsErrorCode.INVALID_REQUEST, WsErrorMsg.paramsNotArray, id);

  switch (method) {
    case 'SUBSCRIBE':
    case 'UNSUBSCRIBE': {
      if (params === undefined) return fail(WsErrorCode.INVALID_REQUEST, WsErrorMsg.missingParams, id);
      if (params.length > MAX_PARAMS) return fail(WsErrorCode.INVALID_REQUEST, WsErrorMsg.tooManyParams, id);
      const streams: NamedStream[] = [];
      for (const name of params) {
        const spec = typeof name === 'string' ? parse(name) : undefined;
        if (!spec) return fail(WsErrorCode.INVALID_REQUEST, WsErrorMsg.invalidStream, id);
        streams.push({ name: name as string, spec });
      }
      return { ok: true, request: { method, id, streams } };
    }
    case 'LIST_SUBSCRIPTIONS':
      if (params !== undefined && params.length > 0) return fail(WsErrorCode.INVALID_REQUEST, WsErrorMsg.tooManyParams, id);
      return { ok: true, request: { method, id } };
    case 'SET_PROPERTY':
    case 'GET_PROPERTY': {
      const arity = method === 'SET_PROPERTY' ? 2 : 1;
      if (params === undefined || params.length === 0) return fail(WsErrorCode.INVALID_REQUEST, WsErrorMsg.propertyNotString, id);
      if (params.length > arity) return fail(WsErrorCode.INVALID_REQUEST, WsErrorMsg.tooManyParams, id);
      const property = params[0];
      if (typeof property !== 'string') return fail(WsErrorCode.INVALID_REQUEST, WsErrorMsg.propertyNotString, id);
      // "gateway" (read only, a tickwire extension): which gateway of a fleet serves this socket.
      if (method === 'GET_PROPERTY' && property === 'gateway') return { ok: true, request: { method, id, property } };
      if (property !== 'combined') return fail(WsErrorCode.UNKNOWN_PROPERTY, WsErrorMsg.unknownProperty, id);
      if (method === 'GET_PROPERTY') return { ok: true, request: { method, id, property } };
      const value = params[1];
      if (typeof value !== 'boolean') return fail(WsErrorCode.INVALID_VALUE_TYPE, WsErrorMsg.expectedBoolean, id);
      return { ok: true, request: { method, id, property, value } };
    }
    default:
      return fail(WsErrorCode.INVALID_REQUEST, WsErrorMsg.unknownMethod(method), id);
  }
}
