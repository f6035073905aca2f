// Messages between the runner and a load process (over the child-process IPC channel).

export type LoadKind =
  /** Binance WebSocket stream (raw or combined): frames carry `E` (µs) and trade id `t`. */
  | 'ws'
  /** Socket.IO over its websocket transport: `42["trade",{...}]` frames, engine.io pings answered. */
  | 'sio'
  /** REST polling of /api/v3/trades at a fixed interval per client. */
  | 'poll';

export interface StartMsg {
  readonly type: 'start';
  readonly kind: LoadKind;
  readonly host: string;
  readonly port: number;
  /** Request path (with query) for the upgrade or the poll. */
  readonly path: string;
  /** ws/sio: the text frame that subscribes to the trade stream, sent on the runner's 'subscribe'. */
  readonly subscribe: string;
  readonly connections: number;
  /** Source address to bind (127.0.0.2, .3, …) so that each process has its own port range. */
  readonly localAddress: string;
  /** Connection attempts in flight at once (the bounded ramp). */
  readonly rampConcurrency: number;
  /** poll only: interval between a client's requests, ms. */
  readonly pollIntervalMs?: number;
  /** Give up connecting after this long, ms. */
  readonly connectTimeoutMs: number;
  /**
   * A probe process: a few connections measured one by one (each its own window), reported as
   * one result per connection in subscription order. Bulk load processes leave it out.
   */
  readonly probe?: boolean;
}

/**
 * Subscribe the process's connections [from, to) (all when absent), then answer `subscribed` once
 * each of them got a first frame back (the reply, or a first update from servers that do not reply).
 */
export interface SubscribeMsg {
  readonly type: 'subscribe';
  readonly from?: number;
  readonly to?: number;
}

export type ToLoad = StartMsg | SubscribeMsg | { readonly type: 'measure' } | { readonly type: 'stop' };

export interface ReadyMsg {
  readonly type: 'ready';
  readonly open: number;
  readonly failed: number;
  readonly firstError?: string;
}

export interface ResultMsg {
  readonly type: 'result';
  /** Updates received in the window (WS frames with a trade; new trades for polling). */
  readonly received: number;
  /** Sequence numbers skipped on streams that stayed open. */
  readonly missed: number;
  readonly disordered: number;
  /** Σ over open streams of last − first + 1 in the window. */
  readonly expectedOpen: number;
  /** Streams closed during the window: their first and last sequence in it (first 0: none). */
  readonly closed: readonly (readonly [first: number, last: number])[];
  /** Newest sequence seen by any stream of this process. */
  readonly maxLast: number;
  /** Largest last − first + 1 of one stream: the publish count the stream saw. */
  readonly maxSpan: number;
  /** The earliest and the latest trade (by event time) any stream saw in the window: [id, µs]. */
  readonly firstEvent: readonly [number, number] | null;
  readonly lastEvent: readonly [number, number] | null;
  /** Bytes read and written on the sockets in the window, framing and headers included. */
  readonly bytes: number;
  /** Latency histogram (event stamp to receipt, µs), hdr compressed base64. */
  readonly latency: string;
  /** poll only: staleness at each response (now − newest event time), µs. */
  readonly staleness?: string;
  /** poll only: requests answered in the window, and requests that failed (non-200 or error). */
  readonly requests: number;
  readonly errors: number;
  /** Frames without a trade (control replies, socket.io handshakes). */
  readonly other: number;
  /** True when event stamps arrived in ms (the server ignored the µs request). */
  readonly msStamps: boolean;
  readonly openAtStop: number;
}

/** A probe process's result: one window per connection, in the order they subscribed. */
export interface ProbeResultMsg {
  readonly type: 'probe-result';
  readonly positions: readonly ResultMsg[];
}

export type FromLoad = ReadyMsg | ResultMsg | ProbeResultMsg | { readonly type: 'subscribed'; readonly count: number } | { readonly type: 'error'; readonly message: string };
