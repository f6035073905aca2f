// Whether what this process wrote to its clients has left it. A socket's last bytes (the close frame
// after serverShutdown, say) can sit in the kernel's send queue after uWS has handed them over, and
// uWS gives no event when they are out. A process that exits then loses them whenever the peer had
// sent something it had not read yet: the kernel answers such a close with a reset and drops the
// queue. So a draining server waits, bounded, until the kernel reports nothing unsent on its port.
// Linux only (/proc/net/tcp); elsewhere there is nothing to read and nothing is waited for.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const TABLES = ['/proc/net/tcp', '/proc/net/tcp6'];
const LISTEN = '0A';

/**
 * The sockets of local port `port`, not listening and still holding unsent bytes in the kernel,
 * that belong to this process (several processes can share a port); undefined where /proc cannot
 * be read. Columns of a row: sl, local address:port, remote, state, tx_queue:rx_queue, …, inode.
 */
export function unsentSockets(port: number): number | undefined {
  const inodes = new Set<string>();
  let readable = false;
  for (const table of TABLES) {
    let text: string;
    try {
      text = readFileSync(table, 'latin1');
    } catch {
      continue;
    }
    readable = true;
    for (const line of text.split('\n')) {
      const col = line.trim().split(/\s+/);
      if (col.length < 10 || col[3] === LISTEN) continue;
      const local = col[1]!;
      if (parseInt(local.slice(local.lastIndexOf(':') + 1), 16) !== port) continue;
      const txQueue = parseInt(col[4]!.slice(0, col[4]!.indexOf(':')), 16);
      // inode 0: closed by its process and left to the kernel, which still delivers what it holds.
      if (txQueue > 0 && col[9] !== '0') inodes.add(col[9]!);
    }
  }
  if (!readable) return undefined;
  if (inodes.size === 0) return 0;
  let ours = 0;
  let fds: string[];
  try {
    fds = readdirSync('/proc/self/fd');
  } catch {
    return undefined;
  }
  for (const fd of fds) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // closed since the listing
    }
    if (target.startsWith('socket:[') && inodes.has(target.slice(8, -1))) ours++;
  }
  return ours;
}

/** How long a draining server waits for its last bytes to leave: past it, the rest is given up. */
export const SENT_OUT_TIMEOUT_MS = 2000;

/** Resolves once nothing this process wrote on `port` is left unsent, or after `timeoutMs`. */
export async function waitSentOut(port: number, timeoutMs: number, pollMs = 20): Promise<{ waitedMs: number; unsent: number }> {
  const started = Date.now();
  for (;;) {
    const unsent = unsentSockets(port) ?? 0;
    const waitedMs = Date.now() - started;
    if (unsent === 0 || waitedMs >= timeoutMs) return { waitedMs, unsent };
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** waitSentOut with the default bound; says in the log what was given up, if anything. */
export async function sentOut(port: number, log: (msg: string) => void): Promise<void> {
  const { unsent } = await waitSentOut(port, SENT_OUT_TIMEOUT_MS);
  if (unsent > 0) log(`${unsent} connection${unsent === 1 ? '' : 's'} still had unsent bytes ${SENT_OUT_TIMEOUT_MS / 1000} s after closing: their peers are not reading`);
}
