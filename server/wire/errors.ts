// Every error the wire sends, side by side: REST error codes and messages, WebSocket error replies,
// close codes and upgrade refusals (docs/protocol.md). Call sites use these names, never bare numbers.
// No Node or uWS imports: clients (dashboard, bench, tests) read these codes from here.
import type { WireId } from './payloads.ts';

/**
 * Codes of REST's `{"code":…,"msg":…}` bodies (also the body of a refused WebSocket upgrade), named
 * as Binance names them (its spot API docs, errors.md, codes 10xx and 11xx). Only the codes this server sends.
 */
export const RestErrorCode = {
  /** 500: the server failed unexpectedly; the failure is logged. */
  UNKNOWN: -1000,
  /** 503: the server is shutting down (refused upgrade). */
  DISCONNECTED: -1001,
  /** 429: over the request weight per minute, or too many connection attempts. */
  TOO_MANY_REQUESTS: -1003,
  /** WebSocket API: a method this server does not serve (docs/protocol.md#websocket-api). */
  UNSUPPORTED_OPERATION: -1020,
  /** A parameter outside its legal range of characters, a bad X-MBX-TIME-UNIT or timeUnit. */
  ILLEGAL_CHARS: -1100,
  /** A parameter sent twice. */
  TOO_MANY_PARAMETERS: -1101,
  /** A mandatory parameter missing or empty. */
  MANDATORY_PARAM_EMPTY_OR_MALFORMED: -1102,
  /** An optional parameter sent empty. */
  PARAM_EMPTY: -1105,
  BAD_INTERVAL: -1120,
  /** A well-spelled symbol this market does not list. */
  BAD_SYMBOL: -1121,
  /** Parameters that may not go together (`symbol` and `symbols`, `fromId` and a time range). */
  OPTIONAL_PARAMS_BAD_COMBO: -1128,
  /** A value out of range (a limit, a time zone, an id beyond 2^53). */
  INVALID_PARAMETER: -1130,
  /** `symbols` that is not a JSON array. */
  INVALID_JSON: -1135,
  INVALID_TICKER_TYPE: -1139,
  /** A symbol twice in `symbols`. */
  DUPLICATE_SYMBOLS: -1151,
} as const;
export type RestErrorCode = (typeof RestErrorCode)[keyof typeof RestErrorCode];

/** REST messages, worded as Binance words them. */
export const RestErrorMsg = {
  unknown: 'An unknown error occurred while processing the request.',
  shuttingDown: 'Server is shutting down.',
  /** A fleet gateway that has not caught up with the market yet. */
  catchingUp: 'This gateway is still catching up with the market; try again shortly (its /healthz says when it is ready).',
  tooMuchWeight: (limit: number) =>
    `Too much request weight used; current limit is ${limit} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.`,
  tooManyConnectionAttempts: 'Too many connection attempts; retry later.',
  illegalChars: (name: string | undefined) => (name === undefined ? 'Illegal characters found in a parameter.' : `Illegal characters found in parameter '${name}'.`),
  illegalCharsRange: (name: string, range: string) => `Illegal characters found in parameter '${name}'; legal range is '${range}'.`,
  badTimeUnit: 'Invalid timeUnit; expected MILLISECOND or MICROSECOND.',
  duplicateParam: 'Duplicate values for a parameter detected.',
  /** A header that must appear at most once (Host, Content-Length) sent twice: see server/http/request-guard.ts. */
  duplicateHeader: (name: string) => `Duplicate values for the header '${name}' detected.`,
  mandatory: (name: string) => `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`,
  symbolOrSymbols: "Param 'symbol' or 'symbols' must be sent, but both were empty/null!",
  empty: (name: string) => `Parameter '${name}' was empty.`,
  badInterval: 'Invalid interval.',
  badSymbol: 'Invalid symbol.',
  badCombo: 'Combination of optional parameters invalid.',
  invalid: (name: string) => `Data sent for parameter '${name}' is not valid.`,
  invalidJson: (name: string) => `JSON sent for parameter '${name}' is not valid`,
  badTickerType: 'Invalid ticker type.',
  duplicateSymbols: 'Symbol is present multiple times in the list.',
} as const;

/** The REST error body `{"code":…,"msg":"…"}`. */
export function encodeRestError(code: RestErrorCode, msg: string): string {
  return JSON.stringify({ code, msg });
}

/** Codes of `{"error":{"code":…,"msg":…},"id":…}` replies, as Binance sends them. */
export const WsErrorCode = {
  /** SET_PROPERTY / GET_PROPERTY with a property other than `combined`. */
  UNKNOWN_PROPERTY: 0,
  /** SET_PROPERTY `combined` with a value that is not a boolean. */
  INVALID_VALUE_TYPE: 1,
  /** Unknown or missing method, bad id, invalid stream, too many parameters, over the stream limit, binary frame. */
  INVALID_REQUEST: 2,
  /** The text is not JSON. */
  INVALID_JSON: 3,
} as const;
export type WsErrorCode = (typeof WsErrorCode)[keyof typeof WsErrorCode];

/** Messages, worded as Binance words them (Binance spot API docs, errors.md, "WebSocket streams" section). */
export const WsErrorMsg = {
  unknownProperty: 'Unknown property',
  expectedBoolean: 'Invalid value type: expected Boolean',
  propertyNotString: 'Invalid request: property name must be a string',
  badId: 'Invalid request: request ID must be an unsigned integer, a string of up to 36 characters, or null',
  notObject: 'Invalid request: expected a JSON object',
  missingMethod: 'Invalid request: missing field `method`',
  unknownMethod: (method: string) =>
    `Invalid request: unknown variant ${JSON.stringify(method).slice(0, 60)}, expected one of \`SUBSCRIBE\`, \`UNSUBSCRIBE\`, \`LIST_SUBSCRIPTIONS\`, \`SET_PROPERTY\`, \`GET_PROPERTY\``,
  paramsNotArray: 'Invalid request: params must be an array',
  missingParams: 'Invalid request: missing field `params`',
  tooManyParams: 'Invalid request: too many parameters',
  invalidStream: 'Invalid request: invalid stream',
  overStreamLimit: (max: number) => `Invalid request: too many streams, at most ${max} per connection`,
  /** Over the per-IP budget of subscription changes (docs/security.md); nothing was subscribed. */
  tooManyChanges: (retryMs: number) => `Invalid request: too many subscription changes from this address; retry in ${retryMs} ms`,
  invalidJson: (detail: string) => `Invalid JSON: ${detail}`,
  /**
   * Binary frames are answered with code 3 and the connection lives on: every Binance client
   * sends text, so a binary frame is a bug on the client's side that deserves an explanation,
   * not a disconnect loop.
   */
  binaryFrame: 'Invalid JSON: binary frames are not accepted, send requests as text frames',
} as const;

/** The reply text for an error; `id` is echoed with its JSON type (null when it could not be read). */
export function encodeWsError(code: WsErrorCode, msg: string, id: WireId): string {
  return JSON.stringify({ error: { code, msg }, id });
}

/** The reply text for a success. */
export function encodeWsResult(result: null | boolean | string | readonly string[], id: WireId): string {
  return JSON.stringify({ result, id });
}

/**
 * Close codes the gateway sends (RFC 6455 §7.4.1). Every close below goes out as a close frame
 * with the code and the reason text beside it, so a client can tell them apart; the ones sent to
 * a peer that reads nothing more can only reach it if it resumes reading before uWS gives up on
 * the closing socket (then the client sees 1006, no frame).
 *
 * - 1000 lifetime: the connection reached ws.maxLifetimeMs (24 h). Reconnect.
 * - 1001 shutdown: the server is going away; `serverShutdown` was sent just before. Reconnect elsewhere/later.
 * - 1008 too many messages: more than ws.maxMessagesPerSec incoming frames (text, binary, ping and pong
 *   frames all count) in a burst or per second sustained (token bucket; frames the server read late
 *   because it was busy are not held against the client, docs/security.md). Policy violation.
 * - 1008 pong timeout: no pong within ws.pongTimeoutMs of our ping. Policy violation (keep-alive).
 * - 1008 slow consumer: more than ws.maxBackpressureBytes waiting to be written to this client
 *   (config.ts fixes 1008 for it). Everyone else keeps receiving; the client should reconnect and
 *   resynchronise (REST snapshot). Centrifugo uses 3008 for the same case; a Binance client only
 *   knows standard codes, so we stay with 1008 and say "slow consumer" in the reason.
 * - 1009 too big: a message (one frame, or fragments together) longer than ws.maxPayloadBytes, up to
 *   1 MiB (or twice the limit when that is larger). A frame whose header announces more than that is
 *   refused by uWS on the header, before its payload is read, and the TCP connection is dropped
 *   without a close frame (the client sees 1006): that is what bounds the memory one frame can take.
 *   docs/security.md, "Frame size", has the reasons and the figures.
 */
export const CloseCode = {
  LIFETIME: 1000,
  SHUTDOWN: 1001,
  TOO_MANY_MESSAGES: 1008,
  PONG_TIMEOUT: 1008,
  SLOW_CONSUMER: 1008,
  TOO_BIG: 1009,
} as const;

export const CloseReason = {
  LIFETIME: 'max lifetime reached',
  SHUTDOWN: 'server shutdown',
  TOO_MANY_MESSAGES: 'too many messages',
  PONG_TIMEOUT: 'pong timeout',
  SLOW_CONSUMER: 'slow consumer',
  TOO_BIG: 'message too big',
} as const;

/**
 * HTTP answers to an upgrade the gateway refuses (the body is the REST error shape).
 * An upgrade on a path that is not a stream path never reaches the gateway: the site answers 404.
 * `headers` are sent beside Content-Type.
 */
export const UpgradeRefusal = {
  /** A GET on a stream path with neither `Upgrade` nor `Sec-WebSocket-Key`: a plain HTTP request. */
  notWebSocket: {
    status: '426 Upgrade Required', headers: { Upgrade: 'websocket', 'Sec-WebSocket-Version': '13' },
    body: '{"code":-1102,"msg":"This path serves WebSocket streams: open it with a WebSocket client (Upgrade: websocket)."}',
  },
  /** RFC 6455 §4.2.1: the handshake lacks `Upgrade: websocket`. */
  badUpgrade: { status: '400 Bad Request', body: '{"code":-1102,"msg":"Mandatory header \'Upgrade: websocket\' was not sent, was empty/null, or malformed."}' },
  /** RFC 6455 §4.2.1: the handshake lacks `Connection: Upgrade` (a token of the list). */
  badConnection: { status: '400 Bad Request', body: '{"code":-1102,"msg":"Mandatory header \'Connection: Upgrade\' was not sent, was empty/null, or malformed."}' },
  /** RFC 6455 §4.2.1: `Sec-WebSocket-Key` missing, or not 16 bytes in base64. */
  badKey: { status: '400 Bad Request', body: '{"code":-1102,"msg":"Mandatory header \'Sec-WebSocket-Key\' was not sent, was empty/null, or malformed; expected 16 bytes in base64."}' },
  /** RFC 6455 §4.2.2: `Sec-WebSocket-Version` missing or not 13; the answer names the version we speak. */
  badVersion: {
    status: '426 Upgrade Required', headers: { 'Sec-WebSocket-Version': '13' },
    body: '{"code":-1102,"msg":"Unsupported or missing Sec-WebSocket-Version; this server speaks 13."}',
  },
  /** More than ws.connAttemptsPerIp attempts in ws.connAttemptWindowMs from one IP. */
  tooManyAttempts: { status: '429 Too Many Requests', body: encodeRestError(RestErrorCode.TOO_MANY_REQUESTS, RestErrorMsg.tooManyConnectionAttempts) },
  /** `timeUnit` other than MILLISECOND/MICROSECOND (either case). */
  badTimeUnit: { status: '400 Bad Request', body: encodeRestError(RestErrorCode.ILLEGAL_CHARS, RestErrorMsg.badTimeUnit) },
  /** The server is shutting down. */
  shuttingDown: { status: '503 Service Unavailable', body: encodeRestError(RestErrorCode.DISCONNECTED, RestErrorMsg.shuttingDown) },
  /** A fleet gateway still catching up: a proxy tries another gateway (haproxy: retry-on 503). */
  catchingUp: { status: '503 Service Unavailable', body: encodeRestError(RestErrorCode.DISCONNECTED, RestErrorMsg.catchingUp) },
} as const;

/**
 * WebSocket API (`/ws-api/v3`) refusals that REST has no twin for: the frame itself is wrong.
 * Parameter errors use RestErrorMsg, exactly as REST words them (docs/protocol.md#websocket-api).
 */
export const WsApiErrorMsg = {
  notJson: (detail: string) => `Malformed request: the text is not JSON (${detail.slice(0, 80)}).`,
  notObject: 'Malformed request: expected a JSON object {"id":…,"method":…,"params":{…}}.',
  binaryFrame: 'Malformed request: binary frames are not accepted, send requests as JSON text frames.',
  badId: "Mandatory parameter 'id' was not sent, was empty/null, or malformed; it must be an integer, a string of up to 36 characters, or null.",
  paramsNotObject: "Malformed request: 'params' must be a JSON object.",
  unknownMethod: (method: string, known: readonly string[]) =>
    `Unknown method ${JSON.stringify(method).slice(0, 60)}; this server serves ${known.join(', ')}.`,
  shuttingDown: 'Server is shutting down.',
} as const;

/** Refusals of `GET /sse…` and `GET /poll` (HTTP 400 with the REST error body; docs/protocol.md#server-sent-events). */
export const StreamRequestErrorMsg = {
  noStreams: "Mandatory parameter 'streams' was not sent, was empty/null, or malformed; name streams as /sse/<stream> or ?streams=<s1>/<s2>.",
  invalidStream: (name: string) => `Invalid stream name ${JSON.stringify(name).slice(0, 80)}; see docs/protocol.md#stream-names.`,
  tooManyStreams: (max: number) => `Too many streams; at most ${max} per request.`,
  badCursor: (what: string) => `Invalid ${what}: expected one slot per stream, in the order the streams are named, joined by '.'.`,
  notPollable: (name: string) => `Stream ${JSON.stringify(name).slice(0, 80)} cannot be long-polled: only @trade and @aggTrade streams keep a history to answer from.`,
  tooManyHeld: (scope: 'ip' | 'total', max: number) =>
    scope === 'ip' ? `Too many long-poll requests held for this IP; at most ${max} at once.` : `Too many long-poll requests held; at most ${max} at once on this server.`,
} as const;
