// One Server-Sent Events reader on a raw HTTP/1.1 socket: connects, sends `GET /sse?streams=…`
// when told to subscribe, undoes the chunked framing, and records every trade event's `E` (event
// time) and `t` (trade id) from its `data:` line. Hand-rolled like ws-client.ts: Node's http
// client and an EventSource would cost more JS per event than the server spends on it.
import type { StartMsg } from './protocol.ts';
import type { LoadContext } from './context.ts';
import { connectRaw, openOnConnect } from './connect.ts';
import { getRequest } from './http1.ts';
import { nowUs } from './window.ts';
import { newWsClient, type WsClient } from './ws-client.ts';

/**
 * Chunked transfer decoding, incremental: `onData` gets each piece of body as it is complete
 * (latin1 text; the wire's JSON is ASCII).
 */
export function createDechunker(onData: (text: string) => void): { push(buf: Buffer, s: number, e: number): void } {
  let size = -1; // -1: reading a size line
  let sizeText = '';
  let skip = 0; // CRLF after a chunk's data
  return {
    push(buf, s, e) {
      let i = s;
      while (i < e) {
        if (skip > 0) {
          const n = Math.min(skip, e - i);
          skip -= n;
          i += n;
        } else if (size < 0) {
          const nl = buf.indexOf(0x0a, i);
          if (nl < 0 || nl >= e) {
            sizeText += buf.toString('latin1', i, e);
            return;
          }
          sizeText += buf.toString('latin1', i, nl);
          size = parseInt(sizeText, 16);
          sizeText = '';
          i = nl + 1;
          if (!(size >= 0)) throw new Error('sse: bad chunk size');
          if (size === 0) return; // the last chunk: the server ended the stream
        } else {
          const n = Math.min(size, e - i);
          onData(buf.toString('latin1', i, i + n));
          size -= n;
          i += n;
          if (size === 0) {
            size = -1;
            skip = 2;
          }
        }
      }
    },
  };
}

/** Trades in complete events of `text` as [E, t] pairs, and the incomplete tail to keep. */
export function sseTrades(text: string): { trades: [E: number, t: number][]; rest: string } {
  const cut = text.lastIndexOf('\n\n');
  if (cut < 0) return { trades: [], rest: text };
  const trades: [number, number][] = [];
  for (let i = text.indexOf('"E":'); i >= 0 && i < cut; i = text.indexOf('"E":', i + 4)) {
    const j = text.indexOf('"t":', i);
    if (j < 0 || j > cut) break;
    trades.push([parseInt(text.slice(i + 4, i + 24), 10), parseInt(text.slice(j + 4, j + 24), 10)]);
  }
  return { trades, rest: text.slice(cut + 2) };
}

/** Open one reader's socket. Resolves once connected; `subscribe` sends the request. */
export function openSse(start: StartMsg, ctx: LoadContext): Promise<WsClient> {
  const w = ctx.window;
  let head: Buffer | null = Buffer.alloc(0);
  let text = '';
  let recv = 0;
  const { c, firstFrame } = newWsClient(() => {
    const req = getRequest(start.host, start.port, start.path);
    if (w.measuring) w.bytes += req.length;
    socket.write(req);
  });
  const dechunk = createDechunker((piece) => {
    text += piece;
    const { trades, rest } = sseTrades(text);
    text = rest;
    if (trades.length > 0) firstFrame();
    if (!w.measuring) return;
    for (const [E, t] of trades) {
      w.record(E, t, recv);
      c.seq.see(t);
    }
  });
  const socket = connectRaw(start, ctx, (chunk) => {
    recv = nowUs();
    if (head !== null) {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return true;
      const status = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
      if (!/^HTTP\/1\.1 200/.test(status)) {
        w.errors++;
        socket.destroy();
        return false;
      }
      chunk = head.subarray(end + 4);
      head = null;
    }
    dechunk.push(chunk, 0, chunk.length);
    return true;
  });
  return openOnConnect(socket, start, ctx, c);
}
