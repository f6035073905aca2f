// Malformed REST requests (well-framed HTTP/1.1, hostile targets, queries, methods and headers),
// sent on raw keep-alive connections, and the checks on each answer.
import net from 'node:net';
import fc from 'fast-check';
import { REST_ENDPOINT_DOCS } from '../../server/http/rest-catalog.ts';
import { hostileText, restQuery, wellFormed } from './arbitraries.ts';

export const MIN_REST_REQUESTS = 5000;

export interface RestCase {
  readonly method: string;
  readonly target: string;
  readonly headers: readonly (readonly [string, string])[];
}

/** A request-target byte by byte: anything outside visible ASCII is percent-encoded (UTF-8). */
const targetSafe = (s: string) =>
  [...Buffer.from(wellFormed(s), 'utf8')].map((b) => (b > 0x20 && b < 0x7f ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
/** A header value: visible ASCII and spaces only. */
const headerSafe = (s: string) => s.replace(/[^\x20-\x7e]/g, '?').trim();

const paths = REST_ENDPOINT_DOCS.map((d) => d.path);
const target = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(fc.constantFrom(...paths), restQuery).map(([p, q]) => `${p}?${targetSafe(q)}`) },
  { weight: 1, arbitrary: fc.constantFrom(...paths) },
  { weight: 1, arbitrary: hostileText(40).map((t) => `/api/v3/${targetSafe(t)}`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '/api/v3/depth/', '/api//v3/depth?symbol=SOLUSDT', '/api/v3/depth%00?symbol=SOLUSDT', '/api/v3/../v3/time', '/%2e%2e/%2e%2e/etc/passwd',
      '/metrics?x=1', '/healthz?', '/', '/index.html', '/ws', '/stream', '/api', '/api/', '/api/v3', `/api/v3/time?${'a=1&'.repeat(300)}`,
      `/api/v3/klines?symbol=SOLUSDT&interval=1m&${'x'.repeat(1500)}=1`, '/api/v3/ticker/price?symbol=SOLUSDT#frag', '/api/v3/time?%',
    ),
  },
);
const header = fc.oneof(
  fc.tuple(fc.constant('X-MBX-TIME-UNIT'), fc.oneof(fc.constantFrom('MICROSECOND', 'microsecond', 'MILLISECOND', 'SECOND', ''), hostileText(20))),
  fc.tuple(fc.constantFrom('X-Junk', 'If-None-Match', 'Origin', 'Accept', 'Content-Type', 'Cookie'), hostileText(60)),
  fc.tuple(fc.constant('X-Long'), fc.constant('v'.repeat(1500))),
);
export const restRequest: fc.Arbitrary<RestCase> = fc.record({
  method: fc.oneof({ weight: 12, arbitrary: fc.constant('GET') }, { weight: 1, arbitrary: fc.constantFrom('POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'get') }),
  target,
  headers: fc.array(header, { maxLength: 3 }).map((hs) => hs.map(([k, v]) => [k, headerSafe(v)] as const)),
});

interface Answer {
  readonly status: number;
  readonly head: string;
  readonly body: Buffer;
}

/** Responses on one keep-alive connection: Content-Length bodies, or none for 1xx/204/304. */
function responseReader(onAnswer: (a: Answer) => void) {
  let buf = Buffer.alloc(0);
  return (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.toString('latin1', 0, end);
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? -1);
      const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      const len = cl ? Number(cl[1]) : 0;
      if (buf.length < end + 4 + len) return;
      onAnswer({ status, head, body: buf.subarray(end + 4, end + 4 + len) });
      buf = buf.subarray(end + 4 + len);
    }
  };
}

/** What is wrong with one answer, or undefined. */
function judge(c: RestCase, a: Answer): string | undefined {
  if (a.status < 100 || a.status >= 500) return `status ${a.status}`;
  if (c.target.startsWith('/api/') && a.status >= 400) {
    try {
      const body = JSON.parse(a.body.toString('utf8')) as { code?: unknown; msg?: unknown };
      if (typeof body.code !== 'number' || typeof body.msg !== 'string') return `${a.status} without the wire's {code,msg}: ${a.body.toString('utf8').slice(0, 120)}`;
    } catch {
      return `${a.status} with a body that is not JSON: ${a.body.toString('utf8').slice(0, 120)}`;
    }
  }
  return undefined;
}

const describeCase = (c: RestCase) => `${c.method} ${c.target.slice(0, 160)}${c.headers.length ? ` [${c.headers.map(([k, v]) => `${k}: ${v.slice(0, 30)}`).join('; ')}]` : ''}`;

/** Send every case, `connections` keep-alive connections at once, one request at a time on each; return the problems. */
export async function runRest(port: number, cases: readonly RestCase[], connections: number): Promise<{ problems: string[]; refusedByParser: number }> {
  const problems: string[] = [];
  let refusedByParser = 0;
  let next = 0;
  await Promise.all(Array.from({ length: connections }, () => new Promise<void>((resolve) => {
    let socket: net.Socket;
    let current: RestCase | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const open = () => {
      socket = net.connect(port, '127.0.0.1');
      socket.setNoDelay(true);
      socket.on('data', responseReader((a) => {
        clearTimeout(timer);
        const why = current && judge(current, a);
        if (why) problems.push(`${describeCase(current!)} → ${why}`);
        current = undefined;
        sendNext();
      }));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearTimeout(timer);
        // uWS's parser closes the connection on a method that is not an upper-case token (`get`):
        // a refusal without a status line, documented in docs/security.md. Anything else must be answered.
        if (current && !/^[A-Z]+$/.test(current.method)) refusedByParser++;
        else if (current) problems.push(`${describeCase(current)} → connection closed without an answer`);
        current = undefined;
        if (next < cases.length) open();
        else resolve();
      });
      sendNext();
    };
    const sendNext = () => {
      if (next >= cases.length) {
        socket.end();
        return;
      }
      const c = (current = cases[next++]!);
      const headers = c.headers.map(([k, v]) => `${k}: ${v}\r\n`).join('');
      socket.write(`${c.method} ${c.target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${headers}\r\n`);
      timer = setTimeout(() => {
        problems.push(`${describeCase(c)} → no answer within 5 s`);
        current = undefined;
        socket.destroy();
      }, 5000);
    };
    open();
  })));
  return { problems, refusedByParser };
}
