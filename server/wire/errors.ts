// WebSocket error replies (wire.md §4), close codes and upgrade refusals: one table, documented.
// No Node or uWS imports: clients (dashboard, bench, tests) read these codes from here.
import type { WireId } from './payloads.ts';

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

/** Messages, worded as Binance words them (errors.md, "WebSocket streams" section). */
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
export function encodeWsResult(result: null | boolean | readonly string[], id: WireId): string {
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
 * HTTP answers to an upgrade the gateway refuses (the body is the REST error shape, wire.md §6).
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
  tooManyAttempts: { status: '429 Too Many Requests', body: '{"code":-1003,"msg":"Too many connection attempts; retry later."}' },
  /** `timeUnit` other than MILLISECOND/MICROSECOND (either case). */
  badTimeUnit: { status: '400 Bad Request', body: '{"code":-1100,"msg":"Invalid timeUnit; expected MILLISECOND or MICROSECOND."}' },
  /** The server is shutting down. */
  shuttingDown: { status: '503 Service Unavailable', body: '{"code":-1001,"msg":"Server is shutting down."}' },
} as const;
