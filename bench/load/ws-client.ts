// One WebSocket client on a raw TCP socket (Binance streams, or Socket.IO over its websocket
// transport): upgrades, subscribes when told, and records every trade frame in the window.
import { clientFrame, scanInt, scanEnd, KEY_E, KEY_T, OP_TEXT } from './frames.ts';
import type { StartMsg } from './protocol.ts';
import type { LoadContext } from './context.ts';
import { newClient, type Client } from './window.ts';
import { openUpgraded } from './ws-upgrade.ts';

export interface WsClient extends Client {
  /**
   * Send the subscription (or, for Socket.IO, once its namespace is joined); `onFirstFrame` runs
   * once, at the first frame that arrives after it (the reply, or a first update).
   */
  subscribe(onFirstFrame?: () => void): void;
}

/**
 * A client not yet open whose `subscribe` runs `send`. The client calls `firstFrame` at every
 * frame (or answer) it reads; the first call after a subscribe runs that subscribe's `onFirstFrame`.
 */
export function newWsClient(send: () => void): { c: WsClient; firstFrame: () => void } {
  let onFirst: (() => void) | undefined;
  const c: WsClient = {
    ...newClient(false),
    subscribe(onFirstFrame) {
      onFirst = onFirstFrame;
      send();
    },
  };
  const firstFrame = () => {
    if (onFirst === undefined) return;
    const f = onFirst;
    onFirst = undefined;
    f();
  };
  return { c, firstFrame };
}

const SIO_PING = Buffer.from('3');
const SIO_CONNECT = Buffer.from('40');

/** Open one client. Resolves when upgraded, rejects on failure or after start.connectTimeoutMs. */
export function openWs(start: StartMsg, sio: boolean, ctx: LoadContext): Promise<WsClient> {
  const w = ctx.window;
  let sioJoined = false;
  let wantSubscribe = false;
  const subscribeFrame = clientFrame(OP_TEXT, Buffer.from(start.subscribe));
  const { c, firstFrame } = newWsClient(() => {
    if (sio && !sioJoined) wantSubscribe = true;
    else socket.write(subscribeFrame);
  });
  const onSioText = (buf: Buffer, s: number, e: number) => {
    const first = buf[s];
    if (first === 0x30 /* '0' open */ && e - s > 1 && buf[s + 1] === 0x7b /* '{' */) {
      socket.write(clientFrame(OP_TEXT, SIO_CONNECT));
    } else if (first === 0x34 /* '4' */ && buf[s + 1] === 0x30 /* '0' connected */) {
      sioJoined = true;
      if (wantSubscribe) socket.write(subscribeFrame);
    } else if (first === 0x32 /* '2' ping */ && e - s === 1) {
      socket.write(clientFrame(OP_TEXT, SIO_PING));
    }
  };
  const { socket, opened } = openUpgraded(start, ctx, c, (_op, buf, s, e, recv) => {
    if (!sio || sioJoined) firstFrame();
    const E = w.measuring ? scanInt(buf, s, e, KEY_E) : -1;
    if (E < 0) {
      if (w.measuring) w.other++;
      if (sio) onSioText(buf, s, e);
      return;
    }
    const t = scanInt(buf, scanEnd, e, KEY_T);
    w.record(E, t, recv);
    if (t > 0) c.seq.see(t);
  });
  return opened;
}
