// A Server-Sent Events reader for tests on node:http: parses `id:`, `event:`, `data:` and comments as EventSource does.
import { request, type ClientRequest, type IncomingMessage } from 'node:http';

export interface SseEvent {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: string;
}

export interface SseClient {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  /** Events in order of arrival (comments are counted in `comments`, not here). */
  readonly events: SseEvent[];
  readonly comments: string[];
  /** The id of the last event that carried one: what EventSource would send as Last-Event-ID. */
  readonly lastId: string | undefined;
  /** Resolves when the server ends or drops the response. */
  readonly ended: Promise<void>;
  readonly res: IncomingMessage;
  close(): void;
}

export async function openSse(port: number, path: string, headers: Record<string, string> = {}): Promise<SseClient> {
  let req!: ClientRequest;
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    req = request({ host: '127.0.0.1', port, path, headers: { accept: 'text/event-stream', ...headers }, agent: false }, resolve);
    req.on('error', reject);
    req.end();
  });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let lastId: string | undefined;
  let buffer = '';
  let id: string | undefined;
  let event = '';
  let data: string[] = [];
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line === '') {
        if (data.length > 0) {
          if (id !== undefined) lastId = id;
          events.push({ id, event: event || 'message', data: data.join('\n') });
        }
        id = undefined;
        event = '';
        data = [];
      } else if (line.startsWith(':')) comments.push(line.slice(1));
      else {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') id = value;
        else if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
    }
  });
  const ended = new Promise<void>((resolve) => {
    res.on('end', resolve);
    res.on('close', resolve);
    res.on('error', () => resolve());
  });
  return {
    status: res.statusCode ?? 0,
    headers: res.headers,
    events,
    comments,
    get lastId() {
      return lastId;
    },
    ended,
    res,
    close() {
      req.destroy();
    },
  };
}
