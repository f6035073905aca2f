// Sequence tracking: loss judged by per-stream sequence numbers (trade ids), and event rates from
// sightings of a sequence at an event time. Unit-tested in test/bench/stats.test.ts.

/**
 * Loss on one stream, judged by its per-stream sequence number (the trade id `t`, +1 per trade).
 * Counted apart from throughput: a gap is a loss even when the rate looks fine.
 */
export interface SequenceTracker {
  /** First and last sequence seen since the last reset (0 before any). */
  readonly first: number;
  readonly last: number;
  /** Updates received, duplicates included. */
  readonly received: number;
  /** Sequence numbers skipped between consecutive updates. */
  readonly missed: number;
  /** Updates whose sequence was not above the previous one (duplicate or out of order). */
  readonly disordered: number;
  see(seq: number): void;
  /**
   * Start a new window. Without a baseline the next update is the first one and nothing before
   * it counts; with one (the newest sequence already held, e.g. by a poller) the window expects
   * baseline + 1 next and counts anything skipped after it as missed.
   */
  reset(baseline?: number): void;
}

export function createSequenceTracker(): SequenceTracker {
  let first = 0;
  let last = 0;
  let received = 0;
  let missed = 0;
  let disordered = 0;
  return {
    get first() { return first; },
    get last() { return last; },
    get received() { return received; },
    get missed() { return missed; },
    get disordered() { return disordered; },
    see(seq) {
      received++;
      if (last === 0) {
        first = last = seq;
      } else if (seq > last) {
        if (first === 0) first = last + 1;
        missed += seq - last - 1;
        last = seq;
      } else {
        disordered++;
      }
    },
    reset(baseline = 0) {
      first = received = missed = disordered = 0;
      last = baseline;
    },
  };
}

/**
 * Updates a stream should have carried in a window, from what its tracker saw. `endSeq`, when
 * given, is the newest sequence published (known from the other streams): a stream that stopped
 * early (its connection was closed) owes everything after its last update.
 */
export function expectedUpdates(t: Pick<SequenceTracker, 'first' | 'last'>, endSeq?: number): number {
  if (t.first === 0) return 0;
  const last = endSeq !== undefined && endSeq > t.last ? endSeq : t.last;
  return last - t.first + 1;
}

/** Fraction of expected updates that never arrived, in [0, 1]; 0 when nothing was expected. */
export function lossRate(missed: number, expected: number): number {
  if (!(expected > 0)) return 0;
  const r = missed / expected;
  return r < 0 ? 0 : r > 1 ? 1 : r;
}

/** A trade seen at some point: its sequence (trade id) and its event time, µs. */
export type SeqAt = readonly [seq: number, us: number];

/** Shortest span of event time a rate is stated over, µs (below it the rate is mostly noise). */
export const MIN_RATE_SPAN_US = 1_000_000;

/**
 * Events per second between two sightings, in event time: (Δseq) / (Δtime). Event time, not the
 * time we looked, so a server that answers late (busy broadcasting) still gives its true rate.
 * Null when the sightings are missing or closer than MIN_RATE_SPAN_US.
 */
export function eventRate(a: SeqAt | null | undefined, b: SeqAt | null | undefined): number | null {
  if (!a || !b) return null;
  const dt = b[1] - a[1];
  if (!(dt >= MIN_RATE_SPAN_US) || b[0] < a[0]) return null;
  return (b[0] - a[0]) / (dt / 1e6);
}

/** The earlier (or later) of two sightings by event time. */
export const earlier = (a: SeqAt | null, b: SeqAt | null): SeqAt | null => (!a ? b : !b ? a : b[1] < a[1] ? b : a);
export const later = (a: SeqAt | null, b: SeqAt | null): SeqAt | null => (!a ? b : !b ? a : b[1] > a[1] ? b : a);
