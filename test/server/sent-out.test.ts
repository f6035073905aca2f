// A draining server's last bytes: unsentSockets reads the kernel's send queues of this process's
// sockets on a port, so a server waits for its close frames to leave before it exits.
import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { unsentSockets, waitSentOut } from '../../server/sent-out.ts';

const linux = process.platform === 'linux';

describe.skipIf(!linux)('unsent bytes on a port', () => {
  let server: Server | undefined;
  let client: Socket | undefined;
  afterEach(() => {
    client?.destroy();
    server?.close();
  });

  /** A server on a free port whose one accepted socket is returned, with a client that does not read. */
  const pair = async () => {
    const srv = createServer();
    server = srv;
    srv.listen(0, '127.0.0.1');
    await once(srv, 'listening');
    const port = (srv.address() as AddressInfo).port;
    const accepted = once(srv, 'connection') as Promise<[Socket]>;
    const c = connect(port, '127.0.0.1');
    client = c;
    c.pause();
    const [peer] = await accepted;
    // Closing a socket with unread bytes resets it: expected here, at the end of each test.
    for (const s of [c, peer]) s.on('error', () => {});
    return { port, peer, client: c };
  };

  /** Write until the kernel holds some of it unsent: the client's receive buffer and ours are full. */
  const fill = async (peer: Socket, port: number) => {
    const chunk = Buffer.alloc(1 << 20, 'x');
    for (let i = 0; i < 256 && !unsentSockets(port); i++) {
      if (!peer.write(chunk)) await Promise.race([once(peer, 'drain'), new Promise((r) => setTimeout(r, 50))]);
    }
  };

  it('counts a socket whose peer does not read, and none once the peer has read everything', async () => {
    const { port, peer, client: c } = await pair();
    expect(unsentSockets(port)).toBe(0);
    await fill(peer, port);
    expect(unsentSockets(port)).toBe(1);
    // Not counted: another port, or this one's listening socket.
    expect(unsentSockets(port + 1 === 65536 ? port - 1 : port + 1)).toBe(0);
    peer.end();
    c.resume();
    const { unsent } = await waitSentOut(port, 30_000);
    expect(unsent).toBe(0);
  });

  it('gives up at its bound and says how many sockets still held bytes', async () => {
    const { port, peer } = await pair();
    await fill(peer, port);
    const result = await waitSentOut(port, 100);
    expect(result.unsent).toBe(1);
    expect(result.waitedMs).toBeGreaterThanOrEqual(100);
  });
});
