// What a `GET /sse…` or `GET /poll` request names: its streams (path or `streams=`), time unit and
// cursor (docs/protocol.md#server-sent-events). Unlike a WebSocket URL, an unknown stream name is
// refused here: an HTTP client gets a 400 it can read, not a silent stream of nothing. Pure.
import type { NamedStream } from '../wire/control.ts';
import { parseTimeUnit, type TimeUnit } from '../wire/encode.ts';
import { RestErrorCode, RestErrorMsg, StreamRequestErrorMsg } from '../wire/errors.ts';
import { parseStream } from '../wire/streams.ts';

export interface StreamRequest {
  readonly streams: readonly NamedStream[];
  readonly unit: TimeUnit;
  /** Every query parameter, decoded (cursor, waitMs…), for the transport to read. */
  readonly params: ReadonlyMap<string, string>;
}

export type StreamRequestParse =
  | { readonly ok: true; readonly request: StreamRequest }
  | { readonly ok: false; readonly code: RestErrorCode; readonly msg: string };

const fail = (code: RestErrorCode, msg: string): StreamRequestParse => ({ ok: false, code, msg });

/** `prefix` is the route (`/sse`, `/poll`); streams may follow it as path segments or come as `streams=a/b`. */
export function parseStreamRequest(
  prefix: string, url: string, query: string, symbols: ReadonlySet<string>, maxStreams: number,
): StreamRequestParse {
  const params = new Map<string, string>();
  for (const pair of query === '' ? [] : query.split('&')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    let value: string;
    try {
      value = decodeURIComponent(eq < 0 ? '' : pair.slice(eq + 1));
    } catch {
      return fail(RestErrorCode.ILLEGAL_CHARS, RestErrorMsg.illegalChars(key));
    }
    if (params.has(key)) return fail(RestErrorCode.TOO_MANY_PARAMETERS, RestErrorMsg.duplicateParam);
    params.set(key, value);
  }
  const unit = parseTimeUnit(params.get('timeUnit') ?? '');
  if (unit === undefined) return fail(RestErrorCode.ILLEGAL_CHARS, RestErrorMsg.badTimeUnit);

  let names: string[] = [];
  const rest = url.slice(prefix.length);
  if (rest.length > 1) {
    if (params.has('streams')) return fail(RestErrorCode.OPTIONAL_PARAMS_BAD_COMBO, RestErrorMsg.badCombo);
    try {
      names = rest.slice(1).split('/').map((p) => decodeURIComponent(p));
    } catch {
      return fail(RestErrorCode.ILLEGAL_CHARS, RestErrorMsg.illegalChars('streams'));
    }
  } else if (params.get('streams')) {
    names = params.get('streams')!.split('/');
  }
  if (names.length === 0) return fail(RestErrorCode.MANDATORY_PARAM_EMPTY_OR_MALFORMED, StreamRequestErrorMsg.noStreams);
  if (names.length > maxStreams) return fail(RestErrorCode.TOO_MANY_PARAMETERS, StreamRequestErrorMsg.tooManyStreams(maxStreams));
  const streams: NamedStream[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    const spec = parseStream(name, symbols);
    if (!spec) return fail(RestErrorCode.ILLEGAL_CHARS, StreamRequestErrorMsg.invalidStream(name));
    if (seen.has(name)) return fail(RestErrorCode.TOO_MANY_PARAMETERS, RestErrorMsg.duplicateParam);
    seen.add(name);
    streams.push({ name, spec });
  }
  return { ok: true, request: { streams, unit, params } };
}
