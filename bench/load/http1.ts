// The polling clients' HTTP/1.1: one fixed keep-alive GET and a response parser for
// Content-Length bodies. Hand-rolled for the same reason as frames.ts: Node's http client spends
// ~100 µs of JS per request (ClientRequest, IncomingMessage, agent bookkeeping), so 10,000
// requests/s would saturate the load core before the server; this costs a header scan per response.

export function getRequest(host: string, port: number, path: string, headers: Readonly<Record<string, string>> = {}): Buffer {
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  return Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\n${extra}\r\n`, 'latin1');
}

export type ResponseHandler = (status: number, body: Buffer) => void;

export interface ResponseParser {
  /** Feed bytes as they arrive (the caller may reuse its buffer afterwards: nothing is kept by view). */
  push(chunk: Buffer): void;
}

const CRLF2 = Buffer.from('\r\n\r\n');

/**
 * Responses on one keep-alive connection, in order. Only Content-Length bodies are understood;
 * a chunked or unframed response throws (the servers under test frame every reply).
 */
export function createResponseParser(onResponse: ResponseHandler): ResponseParser {
  let parts: Buffer[] = [];
  let held = 0;
  /** Status and body length of the response being read, once its head is complete. */
  let status = 0;
  let headLen = -1;
  let bodyLen = 0;
  return {
    push(chunk) {
      parts.push(Buffer.from(chunk));
      held += chunk.length;
      for (;;) {
        if (headLen < 0) {
          const buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
          parts = [buf];
          const end = buf.indexOf(CRLF2);
          if (end < 0) return;
          const head = buf.toString('latin1', 0, end);
          const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
          if (!m) throw new Error(`http: not a response: ${JSON.stringify(head.slice(0, 40))}`);
          status = Number(m[1]);
          const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
          if (!cl) throw new Error('http: response without Content-Length');
          headLen = end + 4;
          bodyLen = Number(cl[1]);
        }
        if (held < headLen + bodyLen) return;
        const buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
        const body = buf.subarray(headLen, headLen + bodyLen);
        const rest = buf.subarray(headLen + bodyLen);
        parts = rest.length ? [rest] : [];
        held = rest.length;
        headLen = -1;
        onResponse(status, body);
        if (held === 0) return;
      }
    },
  };
}
