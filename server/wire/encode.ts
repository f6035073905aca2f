// MarketEvent values → wire JSON text for the WebSocket streams (docs/protocol.md). Pure functions.
// REST bodies are made in encode-rest.ts with the same wireTime.
// No Node or uWS imports: the dashboard, the bench and the tests use the same encoders.
//
// Bodies are built by string concatenation, not JSON.stringify: every string that goes in is a
// formatted decimal or an uppercase symbol (market/types.ts contracts) and never needs escaping,
// and building text directly is what lets one event be serialized once for every subscriber.
import type { AggTrade, BookTicker, DepthSnapshot, Kline, Level, RollingTicker, Ticker24h, Trade } from '../market/types.ts';

/** `ms`: epoch milliseconds (the default); `us`: microseconds (`timeUnit=MICROSECOND`). */
export type TimeUnit = 'ms' | 'us';

/**
 * The wire's spelling of a time unit (REST's X-MBX-TIME-UNIT header, a stream URL's `timeUnit=`):
 * MICROSECOND or MILLISECOND in either case; empty is the default, ms. Undefined for anything else.
 */
export function parseTimeUnit(text: string): TimeUnit | undefined {
  const v = text.toUpperCase();
  return v === 'MICROSECOND' ? 'us' : v === 'MILLISECOND' || v === '' ? 'ms' : undefined;
}

/** A market time (µs) in the connection's (or request's) unit: the one place µs become wire time. */
export function wireTime(us: number, unit: TimeUnit): number {
  return unit === 'us' ? us : Math.floor(us / 1000);
}

export function encodeTrade(t: Trade, eventTimeUs: number, unit: TimeUnit): string {
  return `{"e":"trade","E":${wireTime(eventTimeUs, unit)},"s":"${t.symbol}","t":${t.id},"p":"${t.price}","q":"${t.qty}","T":${wireTime(t.timeUs, unit)},"m":${t.buyerMaker},"M":true}`;
}

export function encodeAggTrade(a: AggTrade, eventTimeUs: number, unit: TimeUnit): string {
  return `{"e":"aggTrade","E":${wireTime(eventTimeUs, unit)},"s":"${a.symbol}","a":${a.id},"p":"${a.price}","q":"${a.qty}","f":${a.firstTradeId},"l":${a.lastTradeId},"T":${wireTime(a.timeUs, unit)},"m":${a.buyerMaker},"M":true}`;
}

/** No time field: the same text serves both time units. */
export function encodeBookTicker(b: BookTicker): string {
  return `{"u":${b.updateId},"s":"${b.symbol}","b":"${b.bidPrice}","B":"${b.bidQty}","a":"${b.askPrice}","A":"${b.askQty}"}`;
}

export function encodeMiniTicker(t: Ticker24h, eventTimeUs: number, unit: TimeUnit): string {
  return `{"e":"24hrMiniTicker","E":${wireTime(eventTimeUs, unit)},"s":"${t.symbol}","c":"${t.lastPrice}","o":"${t.openPrice}","h":"${t.highPrice}","l":"${t.lowPrice}","v":"${t.volume}","q":"${t.quoteVolume}"}`;
}

export function encodeTicker(t: Ticker24h, eventTimeUs: number, unit: TimeUnit): string {
  return (
    `{"e":"24hrTicker","E":${wireTime(eventTimeUs, unit)},"s":"${t.symbol}","p":"${t.priceChange}","P":"${t.priceChangePercent}",` +
    `"w":"${t.weightedAvgPrice}","x":"${t.prevClosePrice}","c":"${t.lastPrice}","Q":"${t.lastQty}",` +
    `"b":"${t.bidPrice}","B":"${t.bidQty}","a":"${t.askPrice}","A":"${t.askQty}",` +
    `"o":"${t.openPrice}","h":"${t.highPrice}","l":"${t.lowPrice}","v":"${t.volume}","q":"${t.quoteVolume}",` +
    `"O":${wireTime(t.openTimeUs, unit)},"C":${wireTime(t.closeTimeUs, unit)},"F":${t.firstId},"L":${t.lastId},"n":${t.count}}`
  );
}

export function encodeKline(k: Kline, eventTimeUs: number, unit: TimeUnit): string {
  return (
    `{"e":"kline","E":${wireTime(eventTimeUs, unit)},"s":"${k.symbol}","k":{"t":${wireTime(k.openTimeUs, unit)},"T":${wireTime(k.closeTimeUs, unit)},` +
    `"s":"${k.symbol}","i":"${k.interval}","f":${k.firstTradeId},"L":${k.lastTradeId},"o":"${k.open}","c":"${k.close}","h":"${k.high}","l":"${k.low}",` +
    `"v":"${k.volume}","n":${k.trades},"x":${k.closed},"q":"${k.quoteVolume}","V":"${k.takerBuyBase}","Q":"${k.takerBuyQuote}","B":"0"}}`
  );
}

/** `[["p","q"],…]` for the first `limit` levels (all of them by default). */
export function encodeLevels(levels: readonly Level[], limit = levels.length): string {
  const n = Math.min(limit, levels.length);
  let out = '[';
  for (let i = 0; i < n; i++) {
    const level = levels[i]!;
    out += `${i === 0 ? '' : ','}["${level[0]}","${level[1]}"]`;
  }
  return out + ']';
}

/** Partial book of the best `levels` a side. No time field: the same text serves both units. */
export function encodePartialDepth(d: DepthSnapshot, levels: number): string {
  return `{"lastUpdateId":${d.lastUpdateId},"bids":${encodeLevels(d.bids, levels)},"asks":${encodeLevels(d.asks, levels)}}`;
}

export interface DepthDiff {
  readonly symbol: string;
  readonly firstUpdateId: number;
  readonly lastUpdateId: number;
  readonly bids: readonly Level[];
  readonly asks: readonly Level[];
}

export function encodeDepthUpdate(d: DepthDiff, eventTimeUs: number, unit: TimeUnit): string {
  return `{"e":"depthUpdate","E":${wireTime(eventTimeUs, unit)},"s":"${d.symbol}","U":${d.firstUpdateId},"u":${d.lastUpdateId},"b":${encodeLevels(d.bids)},"a":${encodeLevels(d.asks)}}`;
}

/** `<sym>@ticker_<window>`: event `1hTicker`, `4hTicker` or `1dTicker`. */
export function encodeRollingTicker(window: string, r: RollingTicker, eventTimeUs: number, unit: TimeUnit): string {
  return (
    `{"e":"${window}Ticker","E":${wireTime(eventTimeUs, unit)},"s":"${r.symbol}","p":"${r.priceChange}","P":"${r.priceChangePercent}",` +
    `"o":"${r.open}","h":"${r.high}","l":"${r.low}","c":"${r.last}","w":"${r.weightedAvgPrice}","v":"${r.volume}","q":"${r.quoteVolume}",` +
    `"O":${wireTime(r.openTimeUs, unit)},"C":${wireTime(r.closeTimeUs, unit)},"F":${r.firstId},"L":${r.lastId},"n":${r.count}}`
  );
}

/** `<sym>@avgPrice`: the average over the last `mins` minutes; T is the last trade's time. */
export function encodeAvgPrice(
  symbol: string, avg: { readonly mins: number; readonly price: string; readonly closeTimeUs: number }, eventTimeUs: number, unit: TimeUnit,
): string {
  return `{"e":"avgPrice","E":${wireTime(eventTimeUs, unit)},"s":"${symbol}","i":"${avg.mins}m","w":"${avg.price}","T":${wireTime(avg.closeTimeUs, unit)}}`;
}

export function encodeServerShutdown(timeUs: number, unit: TimeUnit): string {
  return `{"e":"serverShutdown","E":${wireTime(timeUs, unit)}}`;
}

/** A JSON array of already-encoded bodies (the `!…@arr` streams). */
export function encodeArray(bodies: readonly string[]): string {
  return `[${bodies.join(',')}]`;
}

/**
 * The head of the combined wrapper for one stream name: prefix + body + `}` is the framed text.
 * `name` is echoed exactly as subscribed; names that passed parseStream need no escaping, anything
 * else is escaped by JSON.stringify.
 */
export function combinedPrefix(name: string): string {
  return `{"stream":${JSON.stringify(name)},"data":`;
}

/** `{"stream":"<name>","data":<body>}` by concatenation, never by re-serializing the body. */
export function wrapCombined(name: string, body: string): string {
  return combinedPrefix(name) + body + '}';
}
