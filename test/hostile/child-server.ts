// The hostile suite's server: `server/main.ts` in a child process on port 0 (so a crash is seen as
// an exit, not a dead test worker), and a witness on its trade stream that must miss no trade id.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ChildServer {
  readonly port: number;
  readonly child: ChildProcess;
  /** Exit code and signal once it has exited. */
  exited(): string | undefined;
  /** The last of what it wrote on stdout and stderr. */
  output(): string;
  stop(): Promise<void>;
}

export async function startChildServer(args: readonly string[]): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--port', '0', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let exit: string | undefined;
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-8000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const gone = new Promise<void>((resolve) => child.on('exit', (code, signal) => {
    exit = `code ${code}, signal ${signal}`;
    resolve();
  }));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server not listening after 60 s: ${out}`)), 60_000);
    child.stdout!.on('data', () => {
      const m = /listening on http:\/\/[^\s:]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    void gone.then(() => reject(new Error(`server exited (${exit}) before listening: ${out}`)));
  });
  return {
    port, child,
    exited: () => exit,
    output: () => out,
    async stop() {
      if (exit === undefined) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    },
  };
}

export interface Witness {
  readonly trades: number;
  /** Trade ids skipped (a gap of n ids counts n). */
  readonly lost: number;
  readonly outOfOrder: number;
  /** Set when the server closed the witness: "code reason". */
  readonly closedBy: string | undefined;
  close(): void;
}

export async function openWitness(port: number, stream: string): Promise<Witness> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/${stream}`, { perMessageDeflate: false });
  let trades = 0;
  let lost = 0;
  let outOfOrder = 0;
  let last = -1;
  let closedBy: string | undefined;
  let leaving = false;
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as { e?: string; t?: number };
    if (m.e !== 'trade' || typeof m.t !== 'number') return;
    if (last >= 0 && m.t !== last + 1) {
      if (m.t > last) lost += m.t - last - 1;
      else outOfOrder++;
    }
    last = Math.max(last, m.t);
    trades++;
  });
  ws.on('close', (code, reason) => {
    if (!leaving) closedBy = `${code} ${String(reason)}`;
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    get trades() { return trades; },
    get lost() { return lost; },
    get outOfOrder() { return outOfOrder; },
    get closedBy() { return closedBy; },
    close() {
      leaving = true;
      ws.terminate();
    },
  };
}
