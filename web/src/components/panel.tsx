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
  /** Figures only this side has, each with its hover explanation. */
  extra?: readonly { key: string; label: string; tip: string; value: ReadonlySignal<number> }[];
  children?: ComponentChildren;
}

export function Panel({ side, title, subtitle, model, info, scale, extra = [], children }: PanelProps) {
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
      <Figures side={side} model={model} extra={extra} />
      <div class="lower">
        <Tape side={side} tape={model.tape} dec={dec} />
        {children}
      </div>
    </section>
  );
}

/** What each tile says and what its hover title explains; push and poll differ in what they count. */
export const FIGURE_TEXT: Record<'push' | 'poll', Record<FigureKey, { label: string; tip: string }>> = {
  push: {
    updates: { label: 'trade updates', tip: 'aggTrade messages received; each carries one aggregate trade' },
    trades: { label: 'trades', tip: 'Trades (trade ids) covered by the aggregate trades shown since the symbol or settings last changed' },
    missed: { label: 'missed', tip: 'Trade ids skipped between the trades shown: trades this side never saw. A pause or a server restart starts a new sequence, not a miss' },
    p50: { label: 'latency p50', tip: 'Median time from the trade (its time T, which every transport carries) to the frame that shows it, on the server clock; newest 2,048 trades' },
    p99: { label: 'latency p99', tip: '99th percentile of the time from the trade (its time T) to the frame that shows it; newest 2,048 trades' },
    requests: { label: 'messages', tip: 'Every WebSocket message received: trades, top of book, 24 h ticker, 1 s klines and the 10-level book' },
    tradeBytes: { label: 'trade bytes', tip: 'Bytes of aggTrade messages (payload + frame header) and backfill responses: compare with the polled side’s trade bytes' },
    bytes: { label: 'bytes in (all)', tip: 'Every byte received: all five streams plus backfill responses (the one-off 101 upgrade is not counted)' },
  },
  poll: {
    updates: { label: 'trade updates', tip: 'Poll rounds that brought at least one new trade (the first round after a change only finds the position)' },
    trades: { label: 'trades', tip: 'Trades (trade ids) covered by the aggregate trades shown since the symbol or settings last changed; the newest trade when polling began is shown, not counted' },
    missed: { label: 'missed', tip: 'Trade ids skipped between the trades shown: trades that happened between polls and were never fetched' },
    p50: { label: 'latency p50', tip: 'Median time from the trade on the server (T) to the frame that shows it, on the server clock; newest 2,048 trades' },
    p99: { label: 'latency p99', tip: '99th percentile of the time from the trade on the server (T) to the frame that shows it; newest 2,048 trades' },
    requests: { label: 'requests', tip: 'HTTP requests made: aggTrades and ticker/bookTicker every round, ticker/24hr at most every 5 s' },
    tradeBytes: { label: 'trade bytes', tip: 'Bytes of aggTrades responses (headers + body): compare with the pushed side’s trade bytes' },
    bytes: { label: 'bytes in (all)', tip: 'Every response received (headers + body): trades, top of book and the 24 h change' },
  },
};

type FigureKey = 'updates' | 'trades' | 'missed' | 'p50' | 'p99' | 'requests' | 'tradeBytes' | 'bytes';

function Figures({ side, model, extra }: { side: 'push' | 'poll'; model: PanelModel; extra: PanelProps['extra'] & {} }) {
  const f: Record<FigureKey, ReadonlySignal<string>> = {
    updates: useComputed(() => formatInt(model.updates.value)),
    trades: useComputed(() => formatInt(model.trades.value)),
    missed: useComputed(() => formatInt(model.missed.value)),
    p50: useComputed(() => formatMs(model.latency.p50.value)),
    p99: useComputed(() => formatMs(model.latency.p99.value)),
    requests: useComputed(() => formatInt(model.requests.value)),
    tradeBytes: useComputed(() => formatBytes(model.tradeBytes.value)),
    bytes: useComputed(() => formatBytes(model.bytes.value)),
  };
  const missedClass = useComputed(() => `num ${model.missed.value > 0 ? 'down' : ''}`);
  const text = FIGURE_TEXT[side];
  const tile = (key: string, label: string, tip: string, value: ReadonlySignal<string | number>, rawValue: ReadonlySignal<number | null> | undefined, cls: string | ReadonlySignal<string> = 'num') => {
    const id = `${side}-${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`; // push-trade-bytes
    return (
      <div key={key} title={tip}>
        <dt>{label}</dt>
        <dd class={cls} data-testid={id} data-value={rawValue} aria-describedby={`${id}-tip`}>
          {value}
        </dd>
        <span id={`${id}-tip`} hidden>
          {tip}
        </span>
      </div>
    );
  };
  const keys: FigureKey[] = ['updates', 'trades', 'missed', 'p50', 'p99', 'requests', 'tradeBytes', 'bytes'];
  return (
    <dl class="figures">
      {keys.map((k) => tile(k, text[k].label, text[k].tip, f[k], raw(model, k), k === 'missed' ? missedClass : 'num'))}
      {extra.map((x) => tile(x.key, x.label, x.tip, x.value, x.value))}
    </dl>
  );
}

/** The unformatted figure, as a signal bound to an attribute, for tests and scrapers. */
function raw(model: PanelModel, key: FigureKey): ReadonlySignal<number | null> {
  switch (key) {
    case 'p50':
      return model.latency.p50;
    case 'p99':
      return model.latency.p99;
    default:
      return model[key];
  }
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
