// A full garbage collection in the soak's server, asked for over Node's inspector protocol (the
// server runs with --inspect on loopback): what the process holds after it is what it keeps, where
// RSS at a random moment also holds whatever garbage V8 has not yet collected (tens of MB, up and
// down with each major GC and with the young generation's resizing).
import WebSocket from 'ws';

export interface Inspector {
  /** HeapProfiler.collectGarbage: V8 collects everything it can and gives back what it may. */
  collectGarbage(): Promise<void>;
  close(): void;
}

export async function openInspector(url: string): Promise<Inspector> {
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let nextId = 1;
  const waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as { id?: number; error?: { message: string } };
    const w = m.id === undefined ? undefined : waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id!);
    if (m.error) w.reject(new Error(`inspector: ${m.error.message}`));
    else w.resolve();
  });
  ws.on('close', () => {
    for (const w of waiting.values()) w.reject(new Error('inspector: connection closed'));
    waiting.clear();
  });
  return {
    collectGarbage() {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        ws.send(JSON.stringify({ id, method: 'HeapProfiler.collectGarbage' }));
      });
    },
    close: () => ws.close(),
  };
}
