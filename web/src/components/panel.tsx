// One side of the comparison. Both sides share this anatomy: price, chart, figures, tape.
import { useComputed, type ReadonlySignal } from '@preact/signals';
import type { ComponentChildren } from 'preact';
import type { ChartScale, SymbolInfo } from '../state/dashboard.ts';
import { formatBytes, formatInt, formatMs, formatPct, formatPrice } from '../state/format.ts';
import type { PanelModel, TapeEntry } from '../state/panel.ts';
import { Chart } from './chart.tsx';

export interface PanelProps {
  side: 'push' | 'poll';
  title: string;
  subtitle: string | ReadonlySignal<string>;
  model: PanelModel;
  info: ReadonlySignal<SymbolInfo>;
  scale: ReadonlySignal<ChartScale | null>;
  /** What `model.requests` counts here. */
  countLabel: string;
  /** Figures only this side has. */
  extra?: readonly { key: string; label: string; value: ReadonlySignal<number> }[];
  children?: ComponentChildren;
}

export function Panel({ side, title, subtitle, model, info, scale, countLabel, extra = [], children }: PanelProps) {
  const dec = useComputed(() => info.value.priceDecimals);
  const price = useComputed(() => formatPrice(model.price.value, dec.value));
  const arrow = useComputed(() => (model.direction.value === 'up' ? '▲' : model.direction.value === 'down' ? '▼' : '•'));
  const dirClass = useComputed(() => `price ${model.direction.value ?? ''}`);
  const bid = useComputed(() => formatPrice(model.bid.value, dec.value));
  const ask = useComputed(() => formatPrice(model.ask.value, dec.value));
  const change = useComputed(() => formatPct(model.changePct.value));
  const changeClass = useComputed(() => `num ${(model.changePct.value ?? 0) >= 0 ? 'up' : 'down'}`);
  const pair = useComputed(() => `${info.value.base}/${info.value.quote}`);
  return (
    <section class={`panel panel-${side}`} data-testid={`panel-${side}`}>
      <header>
        <h2>{title}</h2>
        <p class="muted small">{subtitle}</p>
      </header>
      <div class="quote">
        <div class={dirClass} data-testid={`${side}-price`} aria-label="last price">
          <span class="arrow" aria-hidden="true">
            {arrow}
          </span>
          <span class="num">{price}</span>
        </div>
        <dl class="tob">
          <div>
            <dt>{pair}</dt>
            <dd class={changeClass} title="24 h change">
              {change}
            </dd>
          </div>
          <div>
            <dt>Bid</dt>
            <dd class="num up">{bid}</dd>
          </div>
          <div>
            <dt>Ask</dt>
            <dd class="num down">{ask}</dd>
          </div>
        </dl>
      </div>
      <Chart series={model.series} scale={scale} color={side === 'push' ? '#4cc2ff' : '#f5b94a'} decimals={dec} />
      <Figures side={side} model={model} countLabel={countLabel} extra={extra} />
      <div class="lower">
        <Tape side={side} tape={model.tape} dec={dec} />
        {children}
      </div>
    </section>
  );
}

function Figures({ side, model, countLabel, extra }: { side: string; model: PanelModel; countLabel: string; extra: PanelProps['extra'] & {} }) {
  const f = {
    updates: useComputed(() => formatInt(model.updates.value)),
    trades: useComputed(() => formatInt(model.trades.value)),
    missed: useComputed(() => formatInt(model.missed.value)),
    p50: useComputed(() => formatMs(model.latency.p50.value)),
    p99: useComputed(() => formatMs(model.latency.p99.value)),
    requests: useComputed(() => formatInt(model.requests.value)),
    bytes: useComputed(() => formatBytes(model.bytes.value)),
  };
  const missedClass = useComputed(() => `num ${model.missed.value > 0 ? 'down' : ''}`);
  const cell = (key: string, label: string, value: ReadonlySignal<string>, cls: string | ReadonlySignal<string> = 'num') => (
    <div>
      <dt>{label}</dt>
      <dd class={cls} data-testid={`${side}-${key}`} data-value={raw(model, key)}>
        {value}
      </dd>
    </div>
  );
  return (
    <dl class="figures">
      {cell('updates', 'updates', f.updates)}
      {cell('trades', 'trades', f.trades)}
      {cell('missed', 'missed', f.missed, missedClass)}
      {cell('p50', 'latency p50', f.p50)}
      {cell('p99', 'latency p99', f.p99)}
      {cell('requests', countLabel, f.requests)}
      {cell('bytes', 'bytes in', f.bytes)}
      {extra.map((x) => (
        <div key={x.key}>
          <dt>{x.label}</dt>
          <dd class="num" data-testid={`${side}-${x.key}`} data-value={x.value}>
            {x.value}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** The unformatted figure, as a signal bound to an attribute, for tests and scrapers. */
function raw(model: PanelModel, key: string): ReadonlySignal<number | null> | undefined {
  switch (key) {
    case 'updates':
      return model.updates;
    case 'trades':
      return model.trades;
    case 'missed':
      return model.missed;
    case 'requests':
      return model.requests;
    case 'bytes':
      return model.bytes;
    case 'p50':
      return model.latency.p50;
    case 'p99':
      return model.latency.p99;
  }
  return undefined;
}

const time = (ms: number) => {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}:${String(d.getSeconds()).padStart(2, '0')}.${String(d.getMilliseconds()).padStart(3, '0')}`;
};

function Tape({ side, tape, dec }: { side: string; tape: ReadonlySignal<readonly TapeEntry[]>; dec: ReadonlySignal<number> }) {
  const d = dec.value;
  return (
    <div class="tape">
      <h3>Trades</h3>
      <table data-testid={`${side}-tape`}>
        <thead>
          <tr>
            <th>time</th>
            <th class="num">price</th>
            <th class="num">qty</th>
            <th class="num">id</th>
          </tr>
        </thead>
        <tbody>
          {/* Keyed by position: a tick rewrites the text of existing rows instead of making new ones. */}
          {tape.value.map((e, i) =>
            'divider' in e ? (
              <tr key={i} class="divider" data-divider="1">
                <td colSpan={4}>{e.divider}</td>
              </tr>
            ) : (
              <tr key={i} class={e.m ? 'sell' : 'buy'} data-a={e.a} data-f={e.f} data-l={e.l} data-src={e.src}>
                <td class="muted">{time(e.T)}</td>
                <td class="num px">
                  {e.m ? '▼ ' : '▲ '}
                  {formatPrice(e.p, d)}
                </td>
                <td class="num">{Number(e.q).toFixed(3)}</td>
                <td class="num muted" title={e.f === e.l ? `trade ${e.f}` : `trades ${e.f}–${e.l}`}>
                  {e.a}
                  {e.src === 'rest' ? '*' : ''}
                </td>
              </tr>
            ),
          )}
        </tbody>
      </table>
    </div>
  );
}
