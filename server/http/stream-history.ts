// Resuming streams from the market's recent history: the cursor that SSE sends as each event's
// `id:` and long-polling hands back as `cursor`, and the events a cursor has not seen yet
// (docs/protocol.md#server-sent-events, #long-polling). Pure: no Node or uWS imports.
//
// A cursor is one slot per stream of the request, in the request's order, joined by `.`:
// the last trade id (`@trade`), aggregate trade id (`@aggTrade`) or order-book update id
// (`@depth` diffs) the client has; empty for streams whose every event is a whole state
// (tickers, book ticker, klines, partial depth), where the next event replaces what was missed.
// Only trades and aggregate trades can be replayed (the market keeps the newest 10,000 of each);
// a diff-depth cursor that is behind the book can only be answered with a gap (resync from REST).
import type { MarketView } from '../market/types.ts';
import { combinedPrefix, encodeAggTrade, encodeTrade, type TimeUnit } from '../wire/encode.ts';
import type { NamedStream } from '../wire/control.ts';

/** Streams whose missed events can be sent again from history. */
export const isReplayable = (s: NamedStream): boolean => s.spec.kind === 'trade' || s.spec.kind === 'aggTrade';
/** Streams whose position a cursor records. */
export const hasCursor = (s: NamedStream): boolean => isReplayable(s) || s.spec.kind === 'diffDepth';

/** Slot values, -1 for "none yet" (a stream that has sent nothing, or one without a cursor). */
export type Cursor = number[];

const SLOT = /^(0|[1-9][0-9]{0,15})?$/;

export function formatCursor(c: readonly number[]): string {
  let out = '';
  for (let i = 0; i < c.length; i++) out += (i === 0 ? '' : '.') + (c[i]! < 0 ? '' : String(c[i]));
  return out;
}

/** Read a cursor for these streams; undefined when it does not fit them (wrong count, not integers). */
export function parseCursor(text: string, streams: readonly NamedStream[]): Cursor | undefined {
  const parts = text.split('.');
  if (parts.length !== streams.length) return undefined;
  const out: Cursor = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (!SLOT.test(p)) return undefined;
    const v = p === '' ? -1 : Number(p);
    if (!Number.isSafeInteger(v)) return undefined;
    out.push(hasCursor(streams[i]!) ? v : -1);
  }
  return out;
}

/** The cursor of "now": the newest id of each stream, so that only later events are new. */
export function currentCursor(market: MarketView, streams: readonly NamedStream[]): Cursor {
  return streams.map((s) => {
    const spec = s.spec;
    if (spec.kind === 'trade') return market.recentTrades(spec.symbol, 1)[0]?.id ?? 0;
    if (spec.kind === 'aggTrade') return market.aggTrades(spec.symbol, { limit: 1 })[0]?.id ?? 0;
    if (spec.kind === 'diffDepth') return market.depth(spec.symbol, 1).lastUpdateId;
    return -1;
  });
}

export interface Gap {
  readonly stream: string;
  /** tooOld: history no longer holds the first missed event; tooMany: more was missed than one SSE
   *  resume sends (the rest is in REST's history); notReplayable: depth diffs were missed;
   *  unknownCursor: the cursor is ahead of this market (another market, or a reset one). */
  readonly reason: 'tooOld' | 'tooMany' | 'notReplayable' | 'unknownCursor';
  /** The first id the client missed (tooOld), and the first id it gets instead. */
  readonly missedFrom?: number;
  readonly resumedAt?: number;
}

export interface Replayed {
  /** Index of the stream in the request. */
  readonly slot: number;
  /** The id the event carries (the slot's new value). */
  readonly value: number;
  /** The combined-framing text, byte for byte what the stream sends live. */
  readonly text: string;
}

/**
 * What `cursor` has not seen, oldest first per stream, at most `max` events in all; the cursor is
 * moved on in place. Gaps are reported once per stream, and the cursor moved past them.
 */
export function collectSince(
  market: MarketView, streams: readonly NamedStream[], cursor: Cursor, unit: TimeUnit, max: number,
): { readonly events: Replayed[]; readonly gaps: Gap[] } {
  const events: Replayed[] = [];
  const gaps: Gap[] = [];
  for (let slot = 0; slot < streams.length && events.length < max; slot++) {
    const s = streams[slot]!;
    const spec = s.spec;
    const from = cursor[slot]!;
    if (from < 0) continue;
    if (spec.kind === 'diffDepth') {
      const now = market.depth(spec.symbol, 1).lastUpdateId;
      if (now > from) gaps.push({ stream: s.name, reason: 'notReplayable', missedFrom: from + 1 });
      else if (now < from) gaps.push({ stream: s.name, reason: 'unknownCursor' });
      cursor[slot] = now;
      continue;
    }
    if (spec.kind !== 'trade' && spec.kind !== 'aggTrade') continue;
    const prefix = combinedPrefix(s.name);
    const rows = spec.kind === 'trade'
      ? market.tradesFrom(spec.symbol, from + 1, max - events.length).map((t) => ({ id: t.id, body: encodeTrade(t, t.emittedUs ?? t.timeUs, unit) }))
      : market.aggTrades(spec.symbol, { fromId: from + 1, limit: max - events.length }).map((a) => ({ id: a.id, body: encodeAggTrade(a, a.emittedUs ?? a.timeUs, unit) }));
    if (rows.length === 0) {
      const newest = currentCursor(market, [s])[0]!;
      if (newest < from) {
        gaps.push({ stream: s.name, reason: 'unknownCursor' });
        cursor[slot] = newest;
      }
      continue;
    }
    if (rows[0]!.id > from + 1) gaps.push({ stream: s.name, reason: 'tooOld', missedFrom: from + 1, resumedAt: rows[0]!.id });
    for (const r of rows) events.push({ slot, value: r.id, text: prefix + r.body + '}' });
    cursor[slot] = rows[rows.length - 1]!.id;
  }
  return { events, gaps };
}
