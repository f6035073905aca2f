// Fan-out: which topics have subscribers, and turning a batch of MarketEvents into topic publishes.
//
// A topic is framing + time unit + the subscription name (symbol lowercased, the rest as the client
// wrote it: `rm|solusdt@trade`, `cu|solusdt@depth@100ms`), which a combined wrapper names. Topics are grouped
// under the stream's canonical key; per event each body is encoded once per time unit in use and
// wrapped once per combined topic, never once per subscriber. No subscriber, no work.
import type { DepthSpeed, Interval, MarketEvent, MarketEventType, StreamedWindow, Ticker24h } from '../market/types.ts';
import { eventTimeUs, INTERVALS } from '../market/types.ts';
import type { Counter, Histogram, Metrics } from '../metrics.ts';
import {
  combinedPrefix, encodeAggTrade, encodeArray, encodeAvgPrice, encodeRollingTicker, encodeBookTicker, encodeDepthUpdate, encodeKline, encodeMiniTicker,
  encodePartialDepth, encodeTicker, encodeTrade, type TimeUnit,
} from '../wire/encode.ts';
import {
  byStreamKind, DEPTH_LEVELS, streamName, TZ_DISTINCT_INTERVALS, type StreamKind, type StreamSpec,
} from '../wire/streams.ts';
import { createSecondCollector } from './second-collector.ts';
import type { Timers } from './timers.ts';

export function topicFor(name: string, combined: boolean, unit: TimeUnit): string {
  return `${combined ? 'c' : 'r'}${unit === 'us' ? 'u' : 'm'}|${name}`;
}

interface TopicRef {
  readonly topic: string;
  readonly unit: TimeUnit;
  /** `{"stream":"<name>","data":` for combined topics, undefined for raw ones. */
  readonly prefix: string | undefined;
  /** Sockets subscribed (equals app.numSubscribers(topic)). */
  count: number;
}

interface Entry {
  readonly kind: StreamKind;
  readonly topics: Map<string, TopicRef>;
}

/** Bodies of one payload in each unit, encoded on first use and shared by every topic that needs them. */
interface Bodies {
  ms?: string;
  us?: string;
}

export interface Fanout {
  /** Count one more socket on this topic; returns the topic to `ws.subscribe`. */
  add(name: string, spec: StreamSpec, combined: boolean, unit: TimeUnit): string;
  /** Count one socket fewer; returns the topic to `ws.unsubscribe`. */
  remove(name: string, spec: StreamSpec, combined: boolean, unit: TimeUnit): string;
  /** Publish one bus batch, in order, in one synchronous block. */
  publishBatch(events: readonly MarketEvent[]): void;
  /** Topics with at least one subscriber (for tests and metrics). */
  readonly topicCount: number;
  /**
   * Bytes handed to app.publish so far, counted once per publish (not per subscriber): no socket
   * can have gained more than this since an earlier reading. The gateway's slow-consumer sweep uses it.
   */
  readonly bytesPublished: number;
  close(): void;
}

export interface FanoutOptions {
  /** `app.publish`. Called once per topic per payload. */
  readonly publish: (topic: string, text: string) => void;
  readonly metrics: Metrics;
  /** UPPERCASE symbols the arrays wait for. */
  readonly symbols: readonly string[];
  /** Longest wait for the rest of a second's tickers before `!…@arr` goes out (default 1000 ms). */
  readonly arrayMaxWaitMs?: number;
  /** Counts bytes sent, shared with the gateway's own replies. */
  readonly bytesOut: Counter;
  /** Runs the arrays' wait (default: Node's timers). */
  readonly timers?: Timers;
}

// Every event type, checked by the compiler: a type added to MarketEvent must be listed here.
const EVENT_TYPE_SET: Record<MarketEventType, true> = {
  trade: true, aggTrade: true, bookTicker: true, depthUpdate: true, depthSnapshot: true, ticker: true, kline: true, avgPrice: true, rollingTicker: true,
};
const EVENT_TYPES = Object.keys(EVENT_TYPE_SET) as MarketEventType[];

interface SymbolKeys {
  readonly trade: string;
  readonly aggTrade: string;
  readonly bookTicker: string;
  readonly ticker: string;
  readonly miniTicker: string;
  readonly avgPrice: string;
  readonly rolling: Readonly<Record<StreamedWindow, string>>;
  readonly diff: Readonly<Record<number, string>>;
  readonly partial: Readonly<Record<number, readonly string[]>>;
  readonly kline: ReadonlyMap<Interval, { readonly utc: string; readonly tz8: string }>;
}

/** The canonical names (= keys) of one symbol's streams, built once per symbol by the wire's builders. */
function keysOf(symbol: string): SymbolKeys {
  const partial = (speed: DepthSpeed) => DEPTH_LEVELS.map((levels) => streamName.partialDepth(symbol, levels, speed));
  return {
    trade: streamName.trade(symbol),
    aggTrade: streamName.aggTrade(symbol),
    bookTicker: streamName.bookTicker(symbol),
    ticker: streamName.ticker(symbol),
    miniTicker: streamName.miniTicker(symbol),
    avgPrice: streamName.avgPrice(symbol),
    rolling: { '1h': streamName.rollingTicker(symbol, '1h'), '4h': streamName.rollingTicker(symbol, '4h'), '1d': streamName.rollingTicker(symbol, '1d') },
    diff: { 100: streamName.diffDepth(symbol, 100), 1000: streamName.diffDepth(symbol, 1000) },
    partial: { 100: partial(100), 1000: partial(1000) },
    kline: new Map(INTERVALS.map((i) => [i, { utc: streamName.kline(symbol, i), tz8: streamName.kline(symbol, i, 480) }])),
  };
}

const ALL_MINI = streamName.allMiniTickers();
const ALL_TICKERS = streamName.allTickers();

export function createFanout(opts: FanoutOptions): Fanout {
  const { publish, metrics, bytesOut } = opts;
  const entries = new Map<string, Entry>();
  const keys = new Map<string, SymbolKeys>(opts.symbols.map((s) => [s, keysOf(s)]));
  let topicCount = 0;
  let bytesPublished = 0;
  /** performance.now() when the current batch's first app.publish returned; -1 before it. */
  let firstPublishedAt = -1;

  const published = Object.fromEntries(
    EVENT_TYPES.map((t) => [t, metrics.counter('tickwire_events_published_total', 'Market events sent to at least one subscriber, by event type.', { type: t })]),
  ) as Record<MarketEventType, Counter>;
  const frames = byStreamKind((k) =>
    metrics.counter('tickwire_frames_delivered_total', 'Frames handed to uWS for delivery (subscribers per publish), by stream kind.', { type: k }));
  const encoded = byStreamKind((k) =>
    metrics.counter('tickwire_payloads_encoded_total', 'Payload bodies serialized (once per event and time unit in use, not per subscriber), by stream kind.', { type: k }));

  // Where a batch's time goes on the server, from its arrival on the bus (the memory bus hands it
  // over synchronously, so that is when the market emitted it): to the first frame handed to uWS
  // (encoding), and to the last (every topic of the batch). uWS hands frames to the kernel at the
  // end of the loop turn, so both are lower bounds for the socket writes. Read by the bench.
  const toFirst: Histogram = metrics.histogram('tickwire_fanout_first_publish_seconds',
    'Bus batch arrival to its first frame handed to uWS (app.publish returned), batches with a subscriber.');
  const toLast: Histogram = metrics.histogram('tickwire_fanout_last_publish_seconds',
    'Bus batch arrival to its last frame handed to uWS: the fan-out span, batches with a subscriber.');

  const symbolKeys = (symbol: string): SymbolKeys => {
    let k = keys.get(symbol);
    if (!k) keys.set(symbol, (k = keysOf(symbol)));
    return k;
  };

  /** Publish one payload to every topic of `key`; false when nobody listens. */
  function deliver(key: string, bodies: Bodies, encode: (unit: TimeUnit) => string, unitFree = false): boolean {
    const entry = entries.get(key);
    if (!entry) return false;
    for (const t of entry.topics.values()) {
      let body: string;
      if (t.unit === 'ms' || unitFree) {
        if (bodies.ms === undefined) {
          bodies.ms = encode('ms');
          encoded[entry.kind].inc();
        }
        body = bodies.ms;
      } else {
        if (bodies.us === undefined) {
          bodies.us = encode('us');
          encoded[entry.kind].inc();
        }
        body = bodies.us;
      }
      const text = t.prefix === undefined ? body : t.prefix + body + '}';
      publish(t.topic, text);
      if (firstPublishedAt < 0) firstPublishedAt = performance.now();
      bytesPublished += text.length;
      frames[entry.kind].inc(t.count);
      bytesOut.inc(text.length * t.count); // ASCII only: characters are bytes
    }
    return true;
  }

  // Arrays list symbols in the configured order, not the order their tickers arrived: a fleet's
  // gateways read each symbol's log on its own connection, and must still send the same bytes.
  const rank = new Map(opts.symbols.map((s, i) => [s, i]));
  const byRank = (a: { ticker: Ticker24h }, b: { ticker: Ticker24h }) => (rank.get(a.ticker.symbol) ?? Infinity) - (rank.get(b.ticker.symbol) ?? Infinity);
  const arrays = createSecondCollector<{ timeUs: number; ticker: Ticker24h }>({
    expected: opts.symbols.length,
    maxWaitMs: opts.arrayMaxWaitMs ?? 1000,
    timers: opts.timers,
    onFlush(items) {
      items.sort(byRank);
      deliver(ALL_MINI, {}, (unit) => encodeArray(items.map((i) => encodeMiniTicker(i.ticker, i.timeUs, unit))));
      deliver(ALL_TICKERS, {}, (unit) => encodeArray(items.map((i) => encodeTicker(i.ticker, i.timeUs, unit))));
    },
  });

  function publishEvent(ev: MarketEvent): boolean {
    // The wire's E: when the market emitted the event. Market time (ev.timeUs) only groups the
    // tickers of one second into the !…@arr arrays.
    const E = eventTimeUs(ev);
    switch (ev.type) {
      case 'trade': {
        const t = ev.trade;
        return deliver(symbolKeys(t.symbol).trade, {}, (u) => encodeTrade(t, E, u));
      }
      case 'aggTrade': {
        const a = ev.aggTrade;
        return deliver(symbolKeys(a.symbol).aggTrade, {}, (u) => encodeAggTrade(a, E, u));
      }
      case 'bookTicker': {
        const b = ev.book;
        return deliver(symbolKeys(b.symbol).bookTicker, {}, () => encodeBookTicker(b), true);
      }
      case 'depthUpdate':
        return deliver(symbolKeys(ev.symbol).diff[ev.speed] ?? '', {}, (u) => encodeDepthUpdate(ev, E, u));
      case 'depthSnapshot': {
        const d = ev.depth;
        const partial = symbolKeys(d.symbol).partial[ev.speed];
        if (!partial) return false;
        let any = false;
        for (let i = 0; i < DEPTH_LEVELS.length; i++) {
          const levels = DEPTH_LEVELS[i]!;
          any = deliver(partial[i]!, {}, () => encodePartialDepth(d, levels), true) || any;
        }
        return any;
      }
      case 'ticker': {
        const t = ev.ticker;
        const k = symbolKeys(t.symbol);
        let any = deliver(k.ticker, {}, (u) => encodeTicker(t, E, u));
        any = deliver(k.miniTicker, {}, (u) => encodeMiniTicker(t, E, u)) || any;
        if (entries.has(ALL_MINI) || entries.has(ALL_TICKERS)) {
          arrays.add(t.symbol, Math.floor(ev.timeUs / 1_000_000), { timeUs: E, ticker: t });
          any = true;
        }
        return any;
      }
      case 'avgPrice':
        return deliver(symbolKeys(ev.symbol).avgPrice, {}, (u) => encodeAvgPrice(ev.symbol, ev.avg, E, u));
      case 'rollingTicker': {
        const r = ev.ticker;
        return deliver(symbolKeys(r.symbol).rolling[ev.window], {}, (u) => encodeRollingTicker(ev.window, r, E, u));
      }
      case 'kline': {
        const kl = ev.kline;
        const k = symbolKeys(kl.symbol).kline.get(kl.interval);
        if (!k) return false;
        const bodies: Bodies = {};
        const encode = (u: TimeUnit) => encodeKline(kl, E, u);
        const distinct = TZ_DISTINCT_INTERVALS.has(kl.interval);
        if (kl.tzOffsetMin === 0) {
          const utc = deliver(k.utc, bodies, encode);
          // Where +08:00 boundaries equal UTC ones the market sends only the UTC kline: it serves both.
          const tz8 = !distinct && deliver(k.tz8, bodies, encode);
          return utc || tz8;
        }
        return kl.tzOffsetMin === 480 && distinct && deliver(k.tz8, bodies, encode);
      }
    }
  }

  return {
    add(name, spec, combined, unit) {
      const topic = topicFor(name, combined, unit);
      let entry = entries.get(spec.key);
      if (!entry) entries.set(spec.key, (entry = { kind: spec.kind, topics: new Map() }));
      let ref = entry.topics.get(topic);
      if (!ref) {
        entry.topics.set(topic, (ref = { topic, unit, prefix: combined ? combinedPrefix(name) : undefined, count: 0 }));
        topicCount++;
      }
      ref.count++;
      return topic;
    },
    remove(name, spec, combined, unit) {
      const topic = topicFor(name, combined, unit);
      const entry = entries.get(spec.key);
      const ref = entry?.topics.get(topic);
      if (entry && ref && --ref.count <= 0) {
        entry.topics.delete(topic);
        topicCount--;
        if (entry.topics.size === 0) entries.delete(spec.key);
      }
      return topic;
    },
    publishBatch(events) {
      const t0 = performance.now();
      firstPublishedAt = -1;
      for (const ev of events) {
        if (publishEvent(ev)) published[ev.type].inc();
      }
      if (firstPublishedAt >= 0) {
        toFirst.observe((firstPublishedAt - t0) / 1000);
        toLast.observe((performance.now() - t0) / 1000);
      }
    },
    get topicCount() {
      return topicCount;
    },
    get bytesPublished() {
      return bytesPublished;
    },
    close() {
      arrays.close();
      entries.clear();
      topicCount = 0;
    },
  };
}
