// A plain `ws` client of the WebSocket API for tests: send a request, wait for the response with its id.
import WebSocket from 'ws';

export interface ApiClient {
  readonly ws: WebSocket;
  /** Every text frame received, parsed, in order. */
  readonly frames: any[];
  /** Send `{id, method, params}` and resolve with the response carrying that id. */
  call(method: string, params?: Record<string, unknown>, id?: string | number | null): Promise<any>;
  /** Send raw text (or a binary frame) and resolve with the next frame received. */
  raw(data: string | Buffer): Promise<any>;
  close(): Promise<void>;
}

let nextId = 1;

export async function openApi(port: number, query = ''): Promise<ApiClient> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws-api/v3${query}`);
  const frames: any[] = [];
  const waiting: ((msg: any) => boolean)[] = [];
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString());
    frames.push(msg);
    const i = waiting.findIndex((w) => w(msg));
    if (i >= 0) waiting.splice(i, 1);
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const next = (match: (msg: any) => boolean) =>
    new Promise<any>((resolve, reject) => {
      const onClose = (code: number) => reject(new Error(`closed (${code}) while waiting for a response`));
      ws.once('close', onClose);
      waiting.push((msg) => {
        if (!match(msg)) return false;
        ws.off('close', onClose);
        resolve(msg);
        return true;
      });
    });
  return {
    ws,
    frames,
    call(method, params, id = `t${nextId++}`) {
      const reply = next((m) => m.id === id);
      ws.send(JSON.stringify(params === undefined ? { id, method } : { id, method, params }));
      return reply;
    },
    raw(data) {
      const reply = next(() => true);
      ws.send(data);
      return reply;
    },
    async close() {
      if (ws.readyState === WebSocket.CLOSED) return;
      const closed = new Promise((resolve) => ws.once('close', resolve));
      ws.terminate();
      await closed;
    },
  };
}
