// Hand-written fakes for the dashboard models: manual timers, a frame loop driven by hand,
// and a REST server over an in-memory trade history.
import { signal } from '@preact/signals';
import type { Timers } from '../../web/src/state/poller.ts';
import type { FrameScheduler } from '../../web/src/state/frame.ts';
import type { Rest, RestResult } from '../../web/src/state/rest.ts';
import type { AggRow } from '../../web/src/state/trades.ts';

export interface ManualTimers extends Timers {
  /** Move time forward, firing due timers in order (and timers they set, if due). */
  advance(ms: number): Promise<void>;
  pending(): number;
}

export function manualTimers(start = 1_000_000): ManualTimers {
  let now = start;
  let seq = 0;
  const due = new Map<number, { at: number; cb: () => void }>();
  const settle = async () => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };
  return {
    now: () => now,
    setTimeout(cb, ms) {
      const id = ++seq;
      due.set(id, { at: now + Math.max(0, ms), cb });
      return id;
    },
    clearTimeout(h) {
      due.delete(h as number);
    },
    async advance(ms) {
      const end = now + ms;
      await settle();
      for (;;) {
        let next: [number, { at: number; cb: () => void }] | undefined;
        for (const e of due) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
        if (!next) break;
        due.delete(next[0]);
        now = Math.max(now, next[1].at);
        next[1].cb();
        await settle();
      }
      now = end;
      await settle();
    },
    pending: () => due.size,
  };
}

/** Frames run only when the test calls `tick()`; the hidden-tab fallback never fires. */
export function manualFrames(clock: () => number): { sched: FrameScheduler; tick(): void; readonly requested: number } {
  let cbs: (() => void)[] = [];
  let requested = 0;
  return {
    sched: {
      frame(cb) {
        requested++;
        cbs.push(cb);
        return () => {
          cbs = cbs.filter((c) => c !== cb);
        };
      },
      later: () => () => {},
      now: clock,
    },
    tick() {
      const run = cbs;
      cbs = [];
      for (const c of run) c();
    },
    get requested() {
      return requested;
    },
  };
}

/** Aggregate trades 1..n at 10 ms apart, one trade id each unless `wide` gives some three. */
export function history(n: number, startMs = 1_700_000_000_000): AggRow[] {
  const rows: AggRow[] = [];
  let tid = 100;
  for (let a = 1; a <= n; a++) {
    const width = a % 7 === 0 ? 3 : 1;
    rows.push({ a, p: (100 + (a % 13) / 100).toFixed(8), q: '1.00000000', f: tid, l: tid + width - 1, T: startMs + a * 10, m: a % 2 === 0 });
    tid += width;
  }
  return rows;
}

/**
 * A REST fake answering aggTrades from `rows(symbol)` (the window rules of docs/protocol.md:
 * fromId, else startTime, else the newest `limit`), bookTicker and 24hr MINI.
 */
export function fakeRest(rows: (symbol: string) => readonly AggRow[], opts: { delayMs?: number; timers?: Timers; fail?: () => boolean } = {}): Rest & { calls: string[] } {
  const calls: string[] = [];
  const answer = (path: string): unknown => {
    const u = new URL(path, 'http://x/');
    const all = rows(u.searchParams.get('symbol') ?? '');
    if (u.pathname === '/api/v3/aggTrades') {
      const limit = Number(u.searchParams.get('limit') ?? 500);
      const from = u.searchParams.get('fromId');
      const start = u.searchParams.get('startTime');
      const sel =
        from !== null ? all.filter((r) => r.a >= Number(from)).slice(0, limit)
        : start !== null ? all.filter((r) => r.T >= Number(start)).slice(0, limit)
        : all.slice(-limit);
      return sel.map((r) => ({ ...r, M: true }));
    }
    if (u.pathname === '/api/v3/ticker/bookTicker') return { symbol: 'SOLUSDT', bidPrice: '99.00000000', bidQty: '1', askPrice: '101.00000000', askQty: '1' };
    if (u.pathname === '/api/v3/ticker/24hr') return { symbol: 'SOLUSDT', openPrice: '100.00000000', lastPrice: '102.00000000' };
    if (u.pathname === '/api/v3/time') return { serverTime: 0 };
    throw new Error(`fakeRest: no route for ${path}`);
  };
  return {
    calls,
    async get<T>(path: string, o: { signal?: AbortSignal; onBytes?: (n: number) => void } = {}): Promise<RestResult<T>> {
      calls.push(path);
      if (opts.delayMs && opts.timers) {
        const t = opts.timers;
        await new Promise<void>((resolve, reject) => {
          const h = t.setTimeout(resolve, opts.delayMs!);
          o.signal?.addEventListener('abort', () => {
            t.clearTimeout(h);
            reject(new Error('aborted'));
          });
        });
      }
      if (opts.fail?.()) throw new Error('fakeRest: connection refused');
      const data = answer(path) as T;
      const bytes = JSON.stringify(data).length;
      o.onBytes?.(bytes);
      return { data, bytes };
    },
    gateway: signal<string | null>(null),
    close() {},
  };
}
