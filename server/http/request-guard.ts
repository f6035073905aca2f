// The one place that refuses requests uWS's parser lets through but must not be served: a repeated
// Host (400 in the wire's REST error format, connection closed), or a repeated Content-Length (two
// lengths let a second request be smuggled inside the first when a proxy and uWS each believe a
// different one: the connection is dropped at once, unanswered, because this uWS build still serves
// requests pipelined behind a response ended with closeConnection). What only the parser could
// refuse (HTTP/1.0, absolute-form targets, no Host) is in docs/security.md.
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

/** A route handler that refuses a malformed request before `handler` sees it. */
export function guardRequest(handler: (res: HttpResponse, req: HttpRequest) => void): (res: HttpResponse, req: HttpRequest) => void {
  return (res, req) => {
    const header = repeatedHeader(req);
    if (header !== undefined) return refuse(res, header);
    handler(res, req);
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
      if (upgrade) return upgrade(res, req, context);
      res.upgrade({} as T, req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'), context);
    },
  };
}
