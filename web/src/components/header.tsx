// Top bar: symbol picker, connection status, pause, each side's transport and the polling settings.
import { useComputed, type ReadonlySignal } from '@preact/signals';
import type { Dashboard, PollTransport, PushTransport } from '../state/dashboard.ts';
import { INTERVAL_CHOICES } from '../state/dashboard.ts';
import { formatInterval } from '../state/format.ts';
import type { PollMode } from '../state/poll-feed.ts';
import type { SocketStatus } from '../state/socket.ts';

export function statusText(s: SocketStatus): string {
  switch (s.kind) {
    case 'connecting':
      return 'connecting…';
    case 'live':
      return 'live';
    case 'reconnecting':
      return `reconnecting in ${s.inS} s`;
    case 'offline':
      return 'offline';
  }
}

const PUSH_OVER: readonly (readonly [PushTransport, string])[] = [
  ['ws', 'WebSocket'],
  ['sse', 'Server-Sent Events'],
];
const POLL_OVER: readonly (readonly [PollTransport, string])[] = [
  ['http', 'HTTP polling'],
  ['long-poll', 'HTTP long-polling'],
  ['ws-api', 'WebSocket API'],
];
const MODES: readonly (readonly [PollMode, string])[] = [
  ['latest', 'latest price'],
  ['every', 'every trade'],
];

/** One labelled drop-down of the bar: `options` are [value, text] pairs. */
function Choice<T extends string>(props: {
  label: string;
  testid: string;
  value: T;
  options: readonly (readonly [T, string])[];
  onPick(value: T): void;
  disabled?: boolean;
}) {
  return (
    <label>
      <span class="muted">{props.label}</span>
      <select
        data-testid={props.testid}
        disabled={props.disabled}
        value={props.value}
        onChange={(e) => props.onPick((e.currentTarget as HTMLSelectElement).value as T)}
      >
        {props.options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Header({ d, status }: { d: Dashboard; status: ReadonlySignal<SocketStatus> }) {
  const text = useComputed(() => (d.paused.value ? 'offline · paused' : statusText(status.value)));
  const kind = useComputed(() => `status status-${status.value.kind}`);
  const pauseLabel = useComputed(() => (d.paused.value ? 'Resume' : 'Pause'));
  const offset = useComputed(() => {
    const err = d.clock.errorMs.value;
    if (err === null) return 'server clock: measuring…';
    const o = d.clock.offsetMs.value;
    return `server clock ${o >= 0 ? '+' : '−'}${Math.abs(o).toFixed(1)} ms ±${err.toFixed(1)}`;
  });
  // A long-poll asks again as soon as it is answered, for every trade: no interval, no mode.
  const longPoll = d.pollTransport.value === 'long-poll';
  const symbols = d.symbols.value.length > 0 ? d.symbols.value.map((s) => s.symbol) : [d.symbol.value];
  return (
    <header class="bar">
      <h1>
        tickwire <span class="muted">push vs polling</span>
      </h1>
      <Choice
        label="Symbol"
        testid="symbol"
        value={d.symbol.value}
        options={symbols.map((s) => [s, s.replace(/USDT$/, '/USDT')])}
        onPick={(s) => d.setSymbol(s)}
      />
      <span class={kind} data-testid="status" role="status" aria-live="polite">
        {text}
      </span>
      <span class="muted small" data-testid="clock" title="server − local, from /api/v3/time; latencies are corrected by it">
        {offset}
      </span>
      <button type="button" data-testid="pause" onClick={() => d.togglePause()}>
        {pauseLabel}
      </button>
      <Choice label="Push over" testid="push-transport" value={d.pushTransport.value} options={PUSH_OVER} onPick={(t) => d.setPushTransport(t)} />
      <Choice label="Poll over" testid="poll-transport" value={d.pollTransport.value} options={POLL_OVER} onPick={(t) => d.setPollTransport(t)} />
      <Choice
        label="Poll every"
        testid="interval"
        disabled={longPoll}
        value={String(d.intervalMs.value)}
        options={INTERVAL_CHOICES.map((ms) => [String(ms), formatInterval(ms)])}
        onPick={(ms) => d.setIntervalMs(Number(ms))}
      />
      <Choice label="Mode" testid="mode" disabled={longPoll} value={d.mode.value} options={MODES} onPick={(m) => d.setMode(m)} />
    </header>
  );
}
