// The one place that refuses requests uWS's parser lets through but must not be served: a repeated
// Host (400 in the wire's REST error format, connection closed), or a repeated Content-Length (two
// lengths let a second request be smuggled inside the first when a proxy and uWS each believe a
// different one: the connection is dropped at once, unanswered, because this uWS build still serves
// requests pipelined behind a response ended with closeConnection). What only the parser could
// refuse (HTTP/1.0, absolute-form targets, no Host) is in docs/security.md. Also the one place
// that keeps a handler's bug from ending the process: see `answering`.
import type { HttpRequest, HttpResponse, WebSocketBehavior } from 'uWebSockets.js';
import { encodeRestError, RestErrorCode, RestErrorMsg } from '../wire/errors.ts';

/** Headers a request may carry at most once (RFC 9110 §7.2 Host; RFC 9112 §6.3 Content-Length). */
const SINGLE = ['host', 'content-length'] as const;

/** The header sent more than once, or undefined when the request may be served. */
export function repeatedHeader(req: HttpRequest): string | undefined {
  let host = 0;
  let length = 0;
  req.forEach((key) => {
    if (key === 'host') host++;
    else if (key === 'content-length') length++;
  });
  if (host > 1) return SINGLE[0];
  if (length > 1) return SINGLE[1];
  return undefined;
}

/**
 * A repeated Host: 400 with the REST error body, `Connection: close`. A repeated Content-Length:
 * the connection is closed with nothing written, so the bytes after the headers (a smuggled
 * request, by one of the two lengths) are never read as a request.
 */
function refuse(res: HttpResponse, header: string): void {
  if (header === 'content-length') {
    res.close();
    return;
  }
  res
    .writeStatus('400 Bad Request')
    .writeHeader('Content-Type', 'application/json;charset=UTF-8')
    .end(encodeRestError(RestErrorCode.TOO_MANY_PARAMETERS, RestErrorMsg.duplicateHeader(header)), true);
}

/** The ways a handler answers a request, or takes charge of answering it later (onAborted). */
const ANSWERS = ['end', 'endWithoutBody', 'tryEnd', 'close', 'upgrade', 'onAborted'] as const;
let unansweredLoggedMs = -Infinity;
let unansweredSinceLog = 0;

/**
 * Run `handler` and make sure it answered. uWS ends the whole process (SIGABRT, "Returning from a
 * request handler without responding or attaching an abort handler is forbidden!") when a handler
 * returns having neither answered nor attached onAborted. Such a handler is a bug: here it is
 * answered 500 and logged with its URL (at most once a second), and every other client goes on.
 */
function answering(res: HttpResponse, req: HttpRequest, handler: () => void): void {
  let answered = false;
  const r = res as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of ANSWERS) {
    const call = r[name]!;
    r[name] = (...args) => {
      answered = true;
      return call.apply(res, args);
    };
  }
  handler();
  if (answered) return;
  unansweredSinceLog++;
  const now = Date.now();
  if (now - unansweredLoggedMs >= 1000) {
    console.error(JSON.stringify({ level: 'error', msg: 'a request handler returned without answering; answered 500', url: req.getUrl(), method: req.getMethod(), count: unansweredSinceLog }));
    unansweredLoggedMs = now;
    unansweredSinceLog = 0;
  }
  res.writeStatus('500 Internal Server Error').writeHeader('Content-Type', 'application/json;charset=UTF-8').end(encodeRestError(RestErrorCode.UNKNOWN, RestErrorMsg.unknown));
}

/**
 * A route handler that refuses a malformed request before `handler` sees it, and answers 500 for
 * a handler that returns without answering (see `answering`).
 */
export function guardRequest(handler: (res: HttpResponse, req: HttpRequest) => void): (res: HttpResponse, req: HttpRequest) => void {
  return (res, req) => {
    const header = repeatedHeader(req);
    if (header !== undefined) return refuse(res, header);
    answering(res, req, () => handler(res, req));
  };
}

/** The same guard in front of a WebSocket behaviour's upgrade (an upgrade is a request like any other). */
export function guardUpgrade<T>(behavior: WebSocketBehavior<T>): WebSocketBehavior<T> {
  const upgrade = behavior.upgrade;
  return {
    ...behavior,
    upgrade(res, req, context) {
      const header = repeatedHeader(req);
      if (header !== undefined) return refuse(res, header);
      if (upgrade) return answering(res, req, () => upgrade(res, req, context));
      res.upgrade({} as T, req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'), context);
    },
  };
}
