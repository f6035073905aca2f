// One WebSocket API client on a raw TCP socket (`/ws-api/v3`): upgrades, and once told to start
// sends its request (the arm's `subscribe` text, e.g. `trades.recent`) every interval, one at a
// time, reading the new trades out of each response like the REST pollers do (poller.ts): the
// same polling, each request a frame on an open socket instead of an HTTP request.
import net from 'node:net';
import { clientFrame, createFrameParser, headEnd, upgradeRequest, OP_CLOSE, OP_PING, OP_PONG, OP_TEXT } from './frames.ts';
import type { StartMsg } from './protocol.ts';
import type { LoadContext } from './context.ts';
import { newTrades } from './rest-scan.ts';
import { newClient, nowUs, US_STAMP_MIN } from './window.ts';
import type { WsClient } from './ws-client.ts';

const RESULT_KEY = Buffer.from('"result":');

/** The `result` of a response frame buf[s, e) as its own buffer (an array for the trade methods), or null. */
export function resultOf(buf: Buffer, s: number, e: number): Buffer | null {
  const at = buf.indexOf(RESULT_KEY, s);
  if (at < 0 || at >= e) return null;
  return buf.subarray(at + RESULT_KEY.length, e);
}

/** Open one requester; its first request goes out `phaseMs` after it is told to start (requesters are spread over the interval). */
export function openWsApi(start: StartMsg, phaseMs: number, ctx: LoadContext): Promise<WsClient> {
  const w = ctx.window;
  const interval = start.pollIntervalMs ?? 1000;
  const request = clientFrame(OP_TEXT, Buffer.from(start.subscribe));
  return new Promise((resolve, reject) => {
    let head: Buffer | null = Buffer.alloc(0);
    let lastTime: number | undefined;
    let next = 0;
    let onFirst: (() => void) | undefined;
    const tick = () => {
      if (!ctx.running || !c.open) return;
      if (w.measuring) w.bytes += request.length;
      socket.write(request);
    };
    const schedule = () => {
      next += interval;
      const now = performance.now();
      if (next < now) next = now; // late: go at once, never two requests at a time
      setTimeout(tick, next - now);
    };
    const c: WsClient = {
      ...newClient(false),
      subscribe(onFirstFrame) {
        onFirst = onFirstFrame;
        next = performance.now() + phaseMs;
        setTimeout(tick, phaseMs);
      },
    };
    const takeTrades = (body: Buffer, recv: number) => {
      const fresh = newTrades(body, c.seq.last);
      if (fresh === null) {
        if (w.measuring) w.errors++;
        return;
      }
      if (fresh.length === 0) {
        if (w.measuring && c.seq.last > 0 && lastTime !== undefined) w.recordStaleness(recv - lastTime);
        return;
      }
      const scale = fresh[0]![1] < US_STAMP_MIN ? 1000 : 1;
      if (scale !== 1) w.msStamps = true;
      const newest = fresh[fresh.length - 1]!;
      if (!w.measuring) {
        c.seq.see(newest[0]); // baseline before the window
        lastTime = newest[1] * scale;
        return;
      }
      for (const [id, time] of fresh) {
        c.seq.see(id);
        w.record(time * scale, id, recv);
      }
      lastTime = newest[1] * scale;
      w.recordStaleness(recv - lastTime);
    };
    const parser = createFrameParser((op, buf, s, e) => {
      if (op === OP_TEXT) {
        const recv = nowUs();
        if (w.measuring) w.requests++;
        const result = resultOf(buf, s, e);
        if (result === null) {
          if (w.measuring) w.errors++;
        } else {
          takeTrades(Buffer.from(result), recv);
        }
        if (onFirst) {
          const f = onFirst;
          onFirst = undefined;
          f();
        }
        schedule();
      } else if (op === OP_PING) {
        socket.write(clientFrame(OP_PONG, Buffer.from(buf.subarray(s, e))));
      } else if (op === OP_CLOSE) {
        socket.end();
      }
    });
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const onRead = (n: number, buf: Uint8Array): boolean => {
      if (w.measuring) w.bytes += n;
      let chunk = Buffer.from(buf.buffer, buf.byteOffset, n);
      if (head !== null) {
        head = Buffer.concat([head, chunk]);
        const end = headEnd(head);
        if (end < 0) return true;
        const status = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
        if (!/^HTTP\/1\.1 101/.test(status)) {
          fail(new Error(`upgrade refused: ${status}`));
          return false;
        }
        chunk = head.subarray(end);
        head = null;
        clearTimeout(timer);
        c.open = true;
        ctx.sockets.add(socket);
        resolve(c);
        if (chunk.length === 0) return true;
      }
      try {
        parser.push(chunk);
      } catch (err) {
        w.errors++;
        socket.destroy(err as Error);
        return false;
      }
      return true;
    };
    const socket = net.connect({
      host: start.host, port: start.port, localAddress: start.localAddress,
      onread: { buffer: ctx.readBuffer, callback: onRead },
    });
    socket.setNoDelay(true);
    const timer = setTimeout(() => fail(new Error(`upgrade timed out after ${start.connectTimeoutMs} ms`)), start.connectTimeoutMs);
    socket.on('connect', () => socket.write(upgradeRequest(start.host, start.port, start.path)));
    socket.on('error', (err) => {
      if (head !== null) fail(err);
      else w.errors++;
    });
    socket.on('close', () => {
      ctx.sockets.delete(socket);
      if (head !== null) return fail(new Error('closed before the upgrade'));
      if (c.open && w.measuring) c.closedInWindow = true;
      c.open = false;
    });
  });
}
