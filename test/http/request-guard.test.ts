// guardRequest stands between uWS and every handler: a handler that returns without answering
// would make uWS end the process (SIGABRT); the guard answers 500 in the REST error format and
// logs it, so this test's own process — which hosts the app — must live through it.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { request } from 'node:http';
import type { HttpResponse } from 'uWebSockets.js';
import { loadUws } from '../../server/uws.ts';
import { guardRequest } from '../../server/http/request-guard.ts';
import { listenLocal, type Listening } from '../listen.ts';

const { uws } = loadUws();
let port = 0;
let listening: Listening | undefined;

function get(path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    }).on('error', reject).end();
  });
}

beforeAll(async () => {
  const app = uws.App();
  app.get('/forgets', guardRequest(() => {
    // returns having neither answered nor attached onAborted
  }));
  app.get('/answers', guardRequest((res) => void res.writeStatus('200 OK').end('ok')));
  app.get('/later', guardRequest((res: HttpResponse) => {
    let aborted = false;
    res.onAborted(() => (aborted = true));
    setTimeout(() => {
      if (!aborted) res.cork(() => res.end('later'));
    }, 5);
  }));
  listening = await listenLocal(app);
  port = listening.port;
});
afterAll(() => listening?.close());

describe('guardRequest', () => {
  it('answers 500 in the REST error format for a handler that returned without answering, and logs it', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const r = await get('/forgets');
      expect(r.status).toBe(500);
      expect(JSON.parse(r.text)).toEqual({ code: -1000, msg: 'An unknown error occurred while processing the request.' });
      expect(errors).toHaveBeenCalledTimes(1);
      expect(JSON.parse(String(errors.mock.calls[0]![0]))).toMatchObject({ level: 'error', url: '/forgets', method: 'get' });
    } finally {
      errors.mockRestore();
    }
    // The app (in this very process) goes on serving.
    expect(await get('/answers')).toEqual({ status: 200, text: 'ok' });
  });

  it('leaves alone a handler that answers, at once or later after attaching onAborted', async () => {
    expect(await get('/answers')).toEqual({ status: 200, text: 'ok' });
    expect(await get('/later')).toEqual({ status: 200, text: 'later' });
  });
});
