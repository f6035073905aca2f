// A client that lives through failures the way a careful Binance client does: one trade stream over a
// WebSocket through the proxy; when the socket closes it reconnects (the proxy picks a live gateway)
// and fills the gap from REST (historicalTrades fromId, through the proxy), so it can prove it holds
// every trade id. Used by bench/edge-restart.ts and the edge tests (test/edge), with hundreds of copies.
import WebSocket from 'ws';

/** Server flags for a fleet whose clients all arrive from one address (haproxy's): per-IP limits raised. */
export const OPEN_LIMITS = ['--rest-weight-per-minute', '1000000000', '--ws-conn-attempts-per-ip', '100000000'];

export interface BackfillWitness {
  readonly symbol: string;
  /** Trade ids held: every id from `first` to `wholeUpTo`, and these above it (kept small, so that a
   * thousand clients over minutes do not hold millions of ids). */
  readonly ids: { readonly wholeUpTo: number; readonly above: number; has(id: number): boolean };
  /** First id ever received; the witness must hold every id from here on. */
  readonly first: number | undefined;
  /** The gateway serving the socket now (the upgrade's X-Tickwire-Gateway), undefined while disconnected. */
  readonly gateway: string | undefined;
  readonly connected: boolean;
  /** Closes of sockets that had opened, with code and whether that socket got serverShutdown first. */
  readonly closes: ReadonlyArray<{ code: number; gateway: string | undefined; serverShutdown: boolean; atMs: number }>;
  /** Connection attempts that never opened (refused, an HTTP error instead of the 101, a timeout). */
  readonly failedAttempts: ReadonlyArray<{ error: string; atMs: number }>;
  /** Milliseconds from each close to the next open. */
  readonly reconnectMs: readonly number[];
  /** Ids the socket delivered twice (a reused or repeated id; backfill overlap is not counted). */
  readonly duplicates: number;
  /** Trade ids fetched by REST backfill. */
  readonly backfilled: number;
  /** Lowest id from `first` on that is missing, at or below `upTo`; undefined when none is. */
  missingUpTo(upTo: number): number | undefined;
  close(): void;
}

export interface WitnessOptions {
  /** ws(s)://host:port of the proxy. */
  readonly wsUrl: string;
  /** http(s)://host:port of the proxy. */
  readonly restUrl: string;
  readonly symbol: string;
  /** Called with (receive time − event time E) in ms for every trade from the socket. */
  readonly onLatency?: (ms: number, gateway: string | undefined) => void;
}

export function openBackfillWitness(opts: WitnessOptions): BackfillWitness {
  /** Ids above the whole prefix; the prefix first..contig is held. */
  const above = new Set<number>();
  let contig = -1;
  const has = (id: number) => (first !== undefined && id >= first && id <= contig) || above.has(id);
  const add = (id: number) => {
    if (id <= contig) return;
    above.add(id);
    while (above.has(contig + 1)) above.delete(++contig);
  };
  const ids = {
    get wholeUpTo() {
      return contig;
    },
    get above() {
      return above.size;
    },
    has,
  };
  const closes: Array<{ code: number; gateway: string | undefined; serverShutdown: boolean; atMs: number }> = [];
  const failedAttempts: Array<{ error: string; atMs: number }> = [];
  const reconnectMs: number[] = [];
  let first: number | undefined;
  let gateway: string | undefined;
  let ws: WebSocket | undefined;
  let connected = false;
  let closedByUs = false;
  let duplicates = 0;
  let backfilled = 0;
  let highestSeen = -1;
  let closedAt: number | undefined;
  /** Highest id below which everything from `first` is held (or about to be backfilled). */
  let backfilling: Promise<void> | undefined;

  const lower = opts.symbol.toLowerCase();
  const fetchFrom = async (fromId: number, upTo: number): Promise<void> => {
    // Retried until whole (or closed): the REST answer may come from a gateway a few events behind
    // the socket's, or fail while the proxy or a gateway restarts.
    for (let attempt = 0; !closedByUs; attempt++) {
      let from = fromId;
      while (from <= upTo) {
        const rows = await fetch(`${opts.restUrl}/api/v3/historicalTrades?symbol=${opts.symbol}&fromId=${from}&limit=1000`, { signal: AbortSignal.timeout(10_000) })
          .then((res) => (res.status === 200 ? (res.json() as Promise<Array<{ id: number }>>) : undefined))
          .catch(() => undefined); // a proxy or gateway going away mid-answer: tried again below
        if (!rows) break;
        for (const r of rows) {
          if (!has(r.id)) backfilled++;
          add(r.id);
        }
        if (rows.length < 1000) break;
        from = rows[rows.length - 1]!.id + 1;
      }
      let complete = true;
      for (let id = fromId; id <= upTo; id++) if (!has(id)) complete = false;
      if (complete) return;
      await new Promise((r) => setTimeout(r, Math.min(2000, 100 + attempt * 100))); // retry back-off
    }
  };

  const connect = () => {
    if (closedByUs) return;
    // A handshake that hangs (a gateway dying mid-upgrade) counts as a failed attempt after 10 s.
    const socket = new WebSocket(`${opts.wsUrl}/ws/${lower}@trade`, { handshakeTimeout: 10_000 });
    ws = socket;
    let needsBackfill = first !== undefined;
    let opened = false;
    let sawShutdown = false;
    let error = '';
    socket.on('upgrade', (res) => (gateway = String(res.headers['x-tickwire-gateway'] ?? '') || undefined));
    socket.on('open', () => {
      connected = true;
      opened = true;
      if (closedAt !== undefined) reconnectMs.push(Date.now() - closedAt);
      closedAt = undefined;
    });
    socket.on('message', (raw) => {
      const data = JSON.parse(raw.toString()) as { e?: string; t?: number; E?: number };
      if (data.e === 'serverShutdown') {
        sawShutdown = true;
        return;
      }
      if (data.e !== 'trade' || typeof data.t !== 'number') return;
      if (opts.onLatency && typeof data.E === 'number') opts.onLatency(Date.now() - data.E, gateway);
      const id = data.t;
      if (first === undefined) {
        first = id;
        contig = id - 1;
      }
      if (has(id) && id <= highestSeen) duplicates++;
      add(id);
      if (needsBackfill) {
        needsBackfill = false;
        // Everything between the last id held before this socket and its first one comes from REST.
        let from = Math.max(first, contig + 1);
        while (has(from) && from < id) from++;
        if (from < id) backfilling = fetchFrom(from, id - 1).finally(() => (backfilling = undefined));
      }
      if (id > highestSeen) highestSeen = id;
    });
    socket.on('close', (code) => {
      if (ws !== socket) return;
      connected = false;
      if (opened) closes.push({ code, gateway, serverShutdown: sawShutdown, atMs: Date.now() });
      else failedAttempts.push({ error: error || `closed with ${code} before opening`, atMs: Date.now() });
      gateway = undefined;
      closedAt ??= Date.now();
      // Spread the reconnects a little, as real clients do (and so a thousand do not arrive at once).
      if (!closedByUs) setTimeout(connect, 50 + Math.random() * 200);
    });
    // 'close' always follows 'error' (also for a connect that never opened): the retry starts there.
    socket.on('error', (err) => (error = err.message));
  };
  connect();

  return {
    symbol: opts.symbol,
    ids,
    get first() {
      return first;
    },
    get gateway() {
      return gateway;
    },
    get connected() {
      return connected;
    },
    closes,
    failedAttempts,
    reconnectMs,
    get duplicates() {
      return duplicates;
    },
    get backfilled() {
      return backfilled;
    },
    missingUpTo(upTo) {
      if (first === undefined) return upTo;
      return contig >= upTo ? undefined : contig + 1;
    },
    close() {
      closedByUs = true;
      void backfilling;
      ws?.terminate();
    },
  };
}

/** The market's latest trade id of `symbol`, asked through the proxy. */
export async function latestTradeId(restUrl: string, symbol: string, timeoutMs = 30_000): Promise<number> {
  // Tried again for a while: the proxy may have just restarted or be between gateways.
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${restUrl}/api/v3/trades?symbol=${symbol}&limit=1`, { headers: { connection: 'close' } });
      const text = await res.text();
      if (res.status === 200) return (JSON.parse(text) as Array<{ id: number }>)[0]!.id;
      last = `${res.status} ${text.slice(0, 200)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200)); // retry interval
  }
  throw new Error(`GET ${restUrl}/api/v3/trades answered no trade within ${timeoutMs} ms: ${last}`);
}
