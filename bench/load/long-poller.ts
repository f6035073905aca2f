// One long-polling client on its own keep-alive HTTP/1.1 connection: when told to subscribe it
// asks `/poll` for the cursor of now, then asks again with the answer's cursor as soon as each
// answer comes (the server holds the request until there is a trade). Every trade of an answer is
// recorded like a pushed one: latency from its event time, loss by trade id.
import type { StartMsg } from './protocol.ts';
import type { LoadContext } from './context.ts';
import { KEY_E, KEY_T, scanEnd, scanInt } from './frames.ts';
import { connectRaw, openOnConnect } from './connect.ts';
import { createResponseParser, getRequest } from './http1.ts';
import { answerHandler } from './polling.ts';
import { newWsClient, type WsClient } from './ws-client.ts';

/** How long the server may hold one request, ms (docs/protocol.md#long-polling). */
export const LONG_POLL_WAIT_MS = 20_000;

const CURSOR_KEY = Buffer.from('"cursor":"');

/** The `cursor` of a /poll answer, or null when the body has none. */
export function answerCursor(body: Buffer): string | null {
  const at = body.indexOf(CURSOR_KEY);
  if (at < 0) return null;
  const from = at + CURSOR_KEY.length;
  const to = body.indexOf(0x22, from);
  return to < 0 ? null : body.toString('latin1', from, to);
}

export function openLongPoll(start: StartMsg, ctx: LoadContext): Promise<WsClient> {
  const w = ctx.window;
  let cursor: string | null = null;
  const ask = () => {
    if (!ctx.running || socket.destroyed) return;
    const path = cursor === null ? start.path : `${start.path}&cursor=${cursor}&waitMs=${LONG_POLL_WAIT_MS}`;
    const req = getRequest(start.host, start.port, path);
    if (w.measuring) w.bytes += req.length;
    socket.write(req);
  };
  const { c, firstFrame } = newWsClient(ask);
  const takeEvents = (body: Buffer, recv: number) => {
    cursor = answerCursor(body) ?? cursor;
    if (!w.measuring) return;
    for (let i = 0; ; ) {
      const E = scanInt(body, i, body.length, KEY_E);
      if (E < 0) break;
      const t = scanInt(body, scanEnd, body.length, KEY_T);
      i = scanEnd;
      w.record(E, t, recv);
      if (t > 0) c.seq.see(t);
    }
  };
  const parser = createResponseParser(answerHandler(w, takeEvents, () => {
    firstFrame();
    ask();
  }));
  const socket = connectRaw(start, ctx, (chunk) => parser.push(chunk));
  return openOnConnect(socket, start, ctx, c);
}
