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
      <label>
        <span class="muted">Symbol</span>
        <select
          data-testid="symbol"
          value={d.symbol.value}
          onChange={(e) => d.setSymbol((e.currentTarget as HTMLSelectElement).value)}
        >
          {symbols.map((s) => (
            <option key={s} value={s}>
              {s.replace(/USDT$/, '/USDT')}
            </option>
          ))}
        </select>
      </label>
      <span class={kind} data-testid="status" role="status" aria-live="polite">
        {text}
      </span>
      <span class="muted small" data-testid="clock" title="server − local, from /api/v3/time; latencies are corrected by it">
        {offset}
      </span>
      <button type="button" data-testid="pause" onClick={() => d.togglePause()}>
        {pauseLabel}
      </button>
      <label>
        <span class="muted">Push over</span>
        <select
          data-testid="push-transport"
          value={d.pushTransport.value}
          onChange={(e) => d.setPushTransport((e.currentTarget as HTMLSelectElement).value as PushTransport)}
        >
          <option value="ws">WebSocket</option>
          <option value="sse">Server-Sent Events</option>
        </select>
      </label>
      <label>
        <span class="muted">Poll over</span>
        <select
          data-testid="poll-transport"
          value={d.pollTransport.value}
          onChange={(e) => d.setPollTransport((e.currentTarget as HTMLSelectElement).value as PollTransport)}
        >
          <option value="http">HTTP polling</option>
          <option value="long-poll">HTTP long-polling</option>
          <option value="ws-api">WebSocket API</option>
        </select>
      </label>
      <label>
        <span class="muted">Poll every</span>
        <select
          data-testid="interval"
          disabled={longPoll}
          value={String(d.intervalMs.value)}
          onChange={(e) => d.setIntervalMs(Number((e.currentTarget as HTMLSelectElement).value))}
        >
          {INTERVAL_CHOICES.map((ms) => (
            <option key={ms} value={String(ms)}>
              {formatInterval(ms)}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span class="muted">Mode</span>
        <select
          data-testid="mode"
          disabled={longPoll}
          value={d.mode.value}
          onChange={(e) => d.setMode((e.currentTarget as HTMLSelectElement).value as PollMode)}
        >
          <option value="latest">latest price</option>
          <option value="every">every trade</option>
        </select>
      </label>
    </header>
  );
}
