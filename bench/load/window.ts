// The measurement window of one load process: whether it is open, what arrived in it (latency,
// staleness, bytes, requests, errors, the event range), and the result reported when it closes.
import type { Histogram } from 'hdr-histogram-js';
import type { ResultMsg } from './protocol.ts';
import { encodeHistogram, newLatencyHistogram, recordLatency } from '../histograms.ts';
import { createSequenceTracker, expectedUpdates, type SequenceTracker } from '../sequences.ts';

/** Now on the wall clock, µs since 1970 (comparable with the servers' event stamps). */
export const nowUs = (): number => (performance.timeOrigin + performance.now()) * 1000;
/** Stamps below this are milliseconds (µs since 1970 passed 1e14 in 1973). */
export const US_STAMP_MIN = 1e14;

/** One client's state the window reads: its stream's sequence and whether it is still open. */
export interface Client {
  readonly seq: SequenceTracker;
  open: boolean;
  /** Closed while measuring: its tail counts as lost. */
  closedInWindow: boolean;
}

export const newClient = (open: boolean): Client => ({ seq: createSequenceTracker(), open, closedInWindow: false });

/**
 * Counters are plain fields, bumped by the clients on every read (the hot path): outside the
 * window (`measuring` false) they are left alone.
 */
export interface Window {
  measuring: boolean;
  /** Bytes read and written on the sockets. */
  bytes: number;
  /** Frames without a trade (control replies, socket.io handshakes). */
  other: number;
  /** Poll requests answered, and requests or sockets that failed. */
  requests: number;
  errors: number;
  /** Set once an event stamp arrived in ms instead of µs. */
  msStamps: boolean;
  /** One trade with event stamp `E` (µs, or ms below US_STAMP_MIN) and id `t`, received at `recv` µs. */
  record(E: number, t: number, recv: number): void;
  /** A poll's staleness: now − newest event time it holds, µs. */
  recordStaleness(us: number): void;
  /**
   * Open the window. Polling clients keep their newest id as the baseline (the first poll in the
   * window counts only new trades); stream clients start afresh with the next frame.
   */
  begin(clients: readonly Client[], keepBaseline: boolean): void;
  /** Close the window and sum it over the clients; staleness only for pollers. */
  end(clients: readonly Client[], withStaleness: boolean): ResultMsg;
}

export function createWindow(): Window {
  const latency: Histogram = newLatencyHistogram();
  const staleness: Histogram = newLatencyHistogram();
  /** Earliest and latest trade by event time in the window (for the event rate): id and µs. */
  let minE = Infinity;
  let minEId = 0;
  let maxE = 0;
  let maxEId = 0;
  const w: Window = {
    measuring: false,
    bytes: 0,
    other: 0,
    requests: 0,
    errors: 0,
    msStamps: false,
    record(E, t, recv) {
      if (E < US_STAMP_MIN) {
        w.msStamps = true;
        E *= 1000;
      }
      recordLatency(latency, recv - E);
      if (E < minE) {
        minE = E;
        minEId = t;
      }
      if (E > maxE) {
        maxE = E;
        maxEId = t;
      }
    },
    recordStaleness(us) {
      recordLatency(staleness, us);
    },
    begin(clients, keepBaseline) {
      for (const c of clients) {
        c.seq.reset(keepBaseline ? c.seq.last : 0);
        c.closedInWindow = false;
      }
      latency.reset();
      staleness.reset();
      w.bytes = w.other = w.requests = w.errors = 0;
      minE = Infinity;
      maxE = minEId = maxEId = 0;
      w.measuring = true;
    },
    end(clients, withStaleness) {
      w.measuring = false;
      let received = 0;
      let missed = 0;
      let disordered = 0;
      let expectedOpen = 0;
      let maxLast = 0;
      let maxSpan = 0;
      let openAtStop = 0;
      const closed: [number, number][] = [];
      for (const c of clients) {
        const s = c.seq;
        received += s.received;
        missed += s.missed;
        disordered += s.disordered;
        if (s.last > maxLast) maxLast = s.last;
        const span = expectedUpdates(s);
        if (span > maxSpan) maxSpan = span;
        if (c.closedInWindow) closed.push([s.first, s.last]);
        else expectedOpen += span;
        if (c.open) openAtStop++;
      }
      return {
        type: 'result', received, missed, disordered, expectedOpen, closed, maxLast, maxSpan, bytes: w.bytes,
        firstEvent: maxE > 0 ? [minEId, minE] : null,
        lastEvent: maxE > 0 ? [maxEId, maxE] : null,
        latency: encodeHistogram(latency),
        ...(withStaleness ? { staleness: encodeHistogram(staleness) } : {}),
        requests: w.requests, errors: w.errors, other: w.other, msStamps: w.msStamps, openAtStop,
      };
    },
  };
  return w;
}
