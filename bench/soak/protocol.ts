// Messages between the soak (bench/soak.ts) and its load processes (bench/soak/load.ts), over IPC.

export interface SoakStart {
  readonly type: 'start';
  readonly port: number;
  /** Churning clients this process keeps open (on average: some are always reconnecting). */
  readonly clients: number;
  /** REST pollers, each one request a second. */
  readonly pollers: number;
  /** Clients that alternate SUBSCRIBE and UNSUBSCRIBE of 1,024 streams every 250 ms. */
  readonly heavy: number;
  /** Every stream name the load may subscribe to. */
  readonly streams: readonly string[];
  /** Names for the heavy clients: 1,024 distinct valid spellings. */
  readonly heavyStreams: readonly string[];
  readonly seed: number;
}

export interface SoakStats {
  readonly type: 'stats';
  connects: number;
  connectFailures: number;
  drops: number;
  subscribes: number;
  unsubscribes: number;
  replies: number;
  /** Error replies to control messages, by wire error code (none expected). */
  wsErrors: Record<string, number>;
  /** Closes the client did not ask for, by close code. */
  serverCloses: Record<string, number>;
  framesIn: number;
  restOk: number;
  /** REST answers other than 200, by status ('error' for a failed connection). */
  restOther: Record<string, number>;
}

export type ToSoakLoad = SoakStart | { readonly type: 'stop' };
export type FromSoakLoad = SoakStats | { readonly type: 'ready' } | { readonly type: 'stopped'; readonly stats: SoakStats };

export const emptyStats = (): SoakStats => ({
  type: 'stats', connects: 0, connectFailures: 0, drops: 0, subscribes: 0, unsubscribes: 0, replies: 0,
  wsErrors: {}, serverCloses: {}, framesIn: 0, restOk: 0, restOther: {},
});

/** Add `b` into `a` (counts and per-key counts). */
export function addStats(a: SoakStats, b: SoakStats): SoakStats {
  for (const k of ['connects', 'connectFailures', 'drops', 'subscribes', 'unsubscribes', 'replies', 'framesIn', 'restOk'] as const) a[k] += b[k];
  for (const k of ['wsErrors', 'serverCloses', 'restOther'] as const) {
    for (const [key, n] of Object.entries(b[k])) a[k][key] = (a[k][key] ?? 0) + n;
  }
  return a;
}
