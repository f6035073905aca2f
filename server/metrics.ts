// Counters and gauges for /metrics, rendered in the Prometheus text format (version 0.0.4).
// Hot paths hold a Counter handle and call inc(): a field increment, no lookup, no allocation.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

export type Labels = Readonly<Record<string, string>>;

export interface Counter {
  inc(by?: number): void;
  readonly value: number;
}

/** A distribution: observe() counts a value into fixed buckets (a few comparisons, no allocation). */
export interface Histogram {
  observe(value: number): void;
  readonly count: number;
  readonly sum: number;
}

/**
 * Buckets for durations in seconds: 1-2-5 steps from 10 µs to 10 s, fine enough that a quantile
 * interpolated inside a bucket is off by at most a factor of 2.5 (the bench reads them).
 */
export const DURATION_BUCKETS_S: readonly number[] = [1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 0.1, 0.2, 0.5, 1, 2, 5, 10];

export interface Metrics {
  /** The counter for this name and label set; the same arguments return the same handle. */
  counter(name: string, help: string, labels?: Labels): Counter;
  /** A gauge read when /metrics is scraped. Registering the same name and labels again replaces it. */
  gauge(name: string, help: string, read: () => number, labels?: Labels): void;
  /**
   * The histogram for this name and label set (Prometheus `_bucket`/`_sum`/`_count`); the same
   * arguments return the same handle. `buckets` are the upper bounds, ascending (+Inf is implied).
   */
  histogram(name: string, help: string, buckets?: readonly number[], labels?: Labels): Histogram;
  /** Current value of a counter or gauge, 0 when absent (for tests and the bench). */
  read(name: string, labels?: Labels): number;
  /** Prometheus text exposition of everything registered. */
  render(): string;
}

interface Family {
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly series: Map<string, { labels: string; value: () => number; counter?: Counter; histogram?: HistogramSeries }>;
}

interface HistogramSeries extends Histogram {
  readonly bounds: readonly number[];
  /** Non-cumulative counts per bucket; the last one is +Inf. */
  readonly counts: Float64Array;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export function createMetrics(): Metrics {
  const families = new Map<string, Family>();

  function family(name: string, help: string, type: Family['type']): Family {
    if (!NAME.test(name)) throw new Error(`metrics: invalid metric name ${JSON.stringify(name)}`);
    let f = families.get(name);
    if (!f) families.set(name, (f = { help, type, series: new Map() }));
    else if (f.type !== type) throw new Error(`metrics: ${name} is a ${f.type}, not a ${type}`);
    return f;
  }

  return {
    counter(name, help, labels = {}) {
      const f = family(name, help, 'counter');
      const key = renderLabels(labels);
      const existing = f.series.get(key)?.counter;
      if (existing) return existing;
      let value = 0;
      const counter: Counter = {
        inc(by = 1) {
          value += by;
        },
        get value() {
          return value;
        },
      };
      f.series.set(key, { labels: key, value: () => value, counter });
      return counter;
    },
    gauge(name, help, read, labels = {}) {
      const key = renderLabels(labels);
      family(name, help, 'gauge').series.set(key, { labels: key, value: read });
    },
    histogram(name, help, buckets = DURATION_BUCKETS_S, labels = {}) {
      const f = family(name, help, 'histogram');
      const key = renderLabels(labels);
      const existing = f.series.get(key)?.histogram;
      if (existing) return existing;
      const bounds = [...buckets];
      const counts = new Float64Array(bounds.length + 1);
      let count = 0;
      let sum = 0;
      const h: HistogramSeries = {
        bounds,
        counts,
        observe(v) {
          let i = 0;
          while (i < bounds.length && v > bounds[i]!) i++;
          counts[i]!++;
          count++;
          sum += v;
        },
        get count() {
          return count;
        },
        get sum() {
          return sum;
        },
      };
      f.series.set(key, { labels: key, value: () => count, histogram: h });
      return h;
    },
    read(name, labels = {}) {
      return families.get(name)?.series.get(renderLabels(labels))?.value() ?? 0;
    },
    render() {
      const out: string[] = [];
      for (const [name, f] of families) {
        out.push(`# HELP ${name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${f.type}`);
        for (const s of f.series.values()) {
          if (s.histogram) out.push(...renderHistogram(name, s.labels, s.histogram));
          else out.push(`${name}${s.labels} ${formatValue(s.value())}`);
        }
      }
      return out.join('\n') + '\n';
    },
  } satisfies Metrics;
}

function renderLabels(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return '';
  const parts = keys.map((k) => {
    if (!NAME.test(k)) throw new Error(`metrics: invalid label name ${JSON.stringify(k)}`);
    const v = labels[k]!.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
    return `${k}="${v}"`;
  });
  return `{${parts.join(',')}}`;
}

/** `_bucket` lines (cumulative, with `le`), then `_sum` and `_count`. */
function renderHistogram(name: string, labels: string, h: HistogramSeries): string[] {
  const withLe = (le: string) => (labels ? `${labels.slice(0, -1)},le="${le}"}` : `{le="${le}"}`);
  const out: string[] = [];
  let cumulative = 0;
  for (let i = 0; i <= h.bounds.length; i++) {
    cumulative += h.counts[i]!;
    out.push(`${name}_bucket${withLe(i < h.bounds.length ? String(h.bounds[i]) : '+Inf')} ${cumulative}`);
  }
  out.push(`${name}_sum${labels} ${formatValue(h.sum)}`, `${name}_count${labels} ${h.count}`);
  return out;
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** The same registry with `from` at the start of every name replaced by `to`: a second user of one module's counters keeps its own series. */
export function prefixed(metrics: Metrics, from: string, to: string): Metrics {
  const rename = (name: string) => (name.startsWith(from) ? to + name.slice(from.length) : name);
  return {
    counter: (name, help, labels) => metrics.counter(rename(name), help, labels),
    gauge: (name, help, read, labels) => metrics.gauge(rename(name), help, read, labels),
    histogram: (name, help, buckets, labels) => metrics.histogram(rename(name), help, buckets, labels),
    read: (name, labels) => metrics.read(rename(name), labels),
    render: () => metrics.render(),
  };
}

/**
 * Gauges of the runtime: the event loop's delay (perf_hooks.monitorEventLoopDelay, 10 ms
 * resolution), p99 and max over the last complete window of `windowMs`, and the JavaScript heap in
 * use. A stalled loop delays every client at once, and a heap that keeps growing is a leak in our
 * code rather than in uWS: the soak (bench/soak.ts) watches both. Returns a stop function (the
 * window timer is unref'd).
 */
export function trackRuntime(metrics: Metrics, windowMs = 5000): () => void {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  let p99 = 0;
  let max = 0;
  const timer = setInterval(() => {
    p99 = h.count > 0 ? h.percentile(99) / 1e9 : 0;
    max = h.count > 0 ? h.max / 1e9 : 0;
    h.reset();
  }, windowMs);
  timer.unref();
  const span = `${windowMs / 1000} s`;
  metrics.gauge('tickwire_event_loop_delay_p99_seconds', `Event-loop delay p99 over the last complete ${span} window.`, () => p99);
  metrics.gauge('tickwire_event_loop_delay_max_seconds', `Largest event-loop delay in the last complete ${span} window.`, () => max);
  // One reading of each source per scrape, not one per series: a render reads every gauge in turn.
  const memory = latest(() => process.memoryUsage());
  const spaces = latest(() => new Map(getHeapSpaceStatistics().map((s) => [s.space_name, s])));
  metrics.gauge('tickwire_heap_used_bytes', 'JavaScript heap in use (process.memoryUsage().heapUsed).', () => memory().heapUsed);
  // Beside heap in use: what V8 holds committed for its heap, and memory outside it (Buffers,
  // ArrayBuffers): when RSS grows and these do not, the growth is native (uWS, malloc).
  metrics.gauge('tickwire_heap_total_bytes', 'JavaScript heap committed by V8 (process.memoryUsage().heapTotal).', () => memory().heapTotal);
  metrics.gauge('tickwire_external_bytes', 'Memory of Buffers and other objects outside the JavaScript heap (process.memoryUsage().external).', () => memory().external);
  // Which of V8's spaces holds the committed heap (old, new, large objects, code…).
  for (const space of spaces().keys()) {
    metrics.gauge('tickwire_heap_space_size_bytes', "V8 heap space committed, by space (v8.getHeapSpaceStatistics's space_size).", () => spaces().get(space)?.space_size ?? 0, { space });
    metrics.gauge('tickwire_heap_space_used_bytes', 'V8 heap space in use, by space.', () => spaces().get(space)?.space_used_size ?? 0, { space });
  }
  return () => {
    clearInterval(timer);
    h.disable();
  };
}

/** `read()`, read again only when the last reading is older than `maxAgeMs`. */
function latest<T>(read: () => T, maxAgeMs = 100): () => T {
  let value: T | undefined;
  let atMs = -Infinity;
  return () => {
    const now = performance.now();
    if (value === undefined || now - atMs > maxAgeMs) {
      value = read();
      atMs = now;
    }
    return value;
  };
}
