// The calibration arm's server: not a feed but a firehose. It answers the WebSocket upgrade, and
// once a socket sends anything (the subscription) writes it pre-built trade frames as fast as the
// sockets take them: every socket gets the same block of frames, block after block, with trade ids
// counting up (so the load generator checks sequence as it does on any arm) and one event stamp
// per block. What one load process reads from it is the generator's own ceiling: the rate above
// which a row's figures describe the generator, not the server.
import net from 'node:net';
import { createHash } from 'node:crypto';
import { peerFlags, readyLine } from './feed.ts';

const flags = peerFlags(process.argv.slice(2));
/** Frames per block: about 60 KiB, one write per socket per block. */
const FRAMES_PER_BLOCK = 400;
/** Width of the zero-padded trade id, patched in place in every block. */
const ID_DIGITS = 12;
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

// A trade payload as tickwire sends it (µs stamps), the id and stamp at fixed offsets.
const stampDigits = 16;
const payload = (id: string, stamp: string) =>
  `{"e":"trade","E":${stamp},"s":"${flags.symbol}","t":${id},"p":"142.37000000","q":"0.52000000","T":${stamp},"m":true,"M":true}`;
const sample = payload('0'.repeat(ID_DIGITS), '0'.repeat(stampDigits));
// Text frames, unmasked: a 2-byte header up to 125 bytes of payload, else 4 (16-bit length).
const headerLen = sample.length <= 125 ? 2 : 4;
const frameLen = headerLen + sample.length;
const block = Buffer.alloc(frameLen * FRAMES_PER_BLOCK);
const idAt = sample.indexOf('"t":') + 4;
const eAt = sample.indexOf('"E":') + 4;
const tAt = sample.indexOf('"T":') + 4;
for (let i = 0; i < FRAMES_PER_BLOCK; i++) {
  block[i * frameLen] = 0x81;
  if (headerLen === 2) block[i * frameLen + 1] = sample.length;
  else {
    block[i * frameLen + 1] = 126;
    block.writeUInt16BE(sample.length, i * frameLen + 2);
  }
  block.write(sample, i * frameLen + headerLen, 'latin1');
}
let nextId = 1;

/** Patch ids nextId… and the block's stamp into the frames (one block shared by every socket). */
function fillBlock(): void {
  const stamp = String(Math.round((performance.timeOrigin + performance.now()) * 1000)).padStart(stampDigits, '0');
  for (let i = 0; i < FRAMES_PER_BLOCK; i++) {
    const at = i * frameLen + headerLen;
    block.write(String(nextId++).padStart(ID_DIGITS, '0'), at + idAt, 'latin1');
    block.write(stamp, at + eAt, 'latin1');
    block.write(stamp, at + tAt, 'latin1');
  }
}

const streaming = new Set<net.Socket>();
let waiting = 0;
let scheduled = false;

/** Write the next block to every streaming socket; the one after waits until every socket drained it. */
function pump(): void {
  scheduled = false;
  if (streaming.size === 0 || waiting > 0) return;
  fillBlock();
  // Each socket gets its own copy: Node keeps the Buffer until the kernel took it, and the next
  // block is patched into the shared one.
  const copy = Buffer.from(block);
  for (const s of streaming) {
    if (!s.write(copy)) {
      waiting++;
      s.once('drain', () => {
        if (--waiting === 0) schedule();
      });
    }
  }
  if (waiting === 0) schedule();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(pump);
}

const server = net.createServer((socket) => {
  let head = '';
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  socket.on('close', () => streaming.delete(socket));
  const onData = (d: Buffer) => {
    head += d.toString('latin1');
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    const key = /sec-websocket-key:\s*(\S+)/i.exec(head)?.[1];
    if (!key) {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      return;
    }
    const accept = createHash('sha1').update(key + GUID).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    socket.off('data', onData);
    // Any frame from the client is its subscription: start streaming to it.
    socket.once('data', () => {
      streaming.add(socket);
      schedule();
    });
  };
  socket.on('data', onData);
});

server.listen(flags.port, flags.host, () => {
  const addr = server.address() as net.AddressInfo;
  console.log(readyLine('frame-source', flags.host, addr.port));
});
const stop = () => process.exit(0);
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
