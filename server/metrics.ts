// Counters and gauges for /metrics, rendered in the Prometheus text format (version 0.0.4).
// Hot paths hold a Counter handle and call inc(): a field increment, no lookup, no allocation.

export type Labels = Readonly<Record<string, string>>;

export interface Counter {
  inc(by?: number): void;
  readonly value: number;
}

export interface Metrics {
  /** The counter for this name and label set; the same arguments return the same handle. */
  counter(name: string, help: string, labels?: Labels): Counter;
  /** A gauge read when /metrics is scraped. Registering the same name and labels again replaces it. */
  gauge(name: string, help: string, read: () => number, labels?: Labels): void;
  /** Current value of a counter or gauge, 0 when absent (for tests and the bench). */
  read(name: string, labels?: Labels): number;
  /** Prometheus text exposition of everything registered. */
  render(): string;
}

interface Family {
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly series: Map<string, { labels: string; value: () => number; counter?: Counter }>;
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
    read(name, labels = {}) {
      return families.get(name)?.series.get(renderLabels(labels))?.value() ?? 0;
    },
    render() {
      const out: string[] = [];
      for (const [name, f] of families) {
        out.push(`# HELP ${name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${f.type}`);
        for (const s of f.series.values()) out.push(`${name}${s.labels} ${formatValue(s.value())}`);
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
    read: (name, labels) => metrics.read(rename(name), labels),
    render: () => metrics.render(),
  };
}
