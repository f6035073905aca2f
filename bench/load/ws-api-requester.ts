// One WebSocket API client on a raw TCP socket (`/ws-api/v3`): upgrades, and once told to start
// sends its request (the arm's `subscribe` text, e.g. `trades.recent`) every interval, one at a
// time, reading the new trades out of each response like the REST pollers do (poller.ts): the
// same polling, each request a frame on an open socket instead of an HTTP request.
import { clientFrame, OP_TEXT } from './frames.ts';
import type { StartMsg } from './protocol.ts';
import type { LoadContext } from './context.ts';
import { createRounds, createTradeTaker } from './polling.ts';
import { newWsClient, type WsClient } from './ws-client.ts';
import { openUpgraded } from './ws-upgrade.ts';

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
  const request = clientFrame(OP_TEXT, Buffer.from(start.subscribe));
  const rounds = createRounds(start.pollIntervalMs ?? 1000, () => {
    if (!ctx.running || !c.open) return;
    if (w.measuring) w.bytes += request.length;
    socket.write(request);
  });
  const { c, firstFrame } = newWsClient(() => rounds.start(phaseMs));
  const takeTrades = createTradeTaker(c, w);
  const { socket, opened } = openUpgraded(start, ctx, c, (op, buf, s, e, recv) => {
    if (op !== OP_TEXT) return;
    if (w.measuring) w.requests++;
    const result = resultOf(buf, s, e);
    if (result === null) {
      if (w.measuring) w.errors++;
    } else {
      takeTrades(Buffer.from(result), recv);
    }
    firstFrame();
    rounds.next();
  });
  return opened;
}
