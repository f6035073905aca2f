// The page: wires the dashboard model to the one socket and lays out the two panels.
import { useComputed } from '@preact/signals';
import { useEffect, useMemo } from 'preact/hooks';
import { formatInterval } from './state/format.ts';
import { createDashboard } from './state/dashboard.ts';
import { browserTimers } from './state/poller.ts';
import { createSocket, useSocket, type SocketCtor } from './state/socket.ts';
import { Header } from './components/header.tsx';
import { GatewayBadge } from './components/gateway-badge.tsx';
import { Panel } from './components/panel.tsx';
import { OrderBook } from './components/order-book.tsx';
import { Strip } from './components/strip.tsx';
import { Versus } from './components/versus.tsx';

/** Same origin in production; the Vite dev server proxies /stream to the feed server. */
function streamUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/stream`;
}

export function App() {
  const d = useMemo(() => createDashboard(), []);
  const socket = useSocket(() => {
    const s = createSocket({
      url: streamUrl(),
      WebSocket: WebSocket as unknown as SocketCtor,
      timers: browserTimers,
      onMessage: d.push.handle,
      onSubscribed: d.push.onSubscribed,
    });
    s.setStreams(d.push.streams());
    return s;
  });
  useEffect(() => d.start(socket), [d, socket]);
  const pollSubtitle = useComputed(() =>
    d.mode.value === 'latest'
      ? `latest price: aggTrades?limit=1 + ticker/bookTicker, every ${formatInterval(d.intervalMs.value)}`
      : `every trade: aggTrades?fromId=<last+1>&limit=1000 + ticker/bookTicker, every ${formatInterval(d.intervalMs.value)}`,
  );

  const pollShort = useComputed(() => `Polled, ${formatInterval(d.intervalMs.value)}`);

  return (
    <div class="page">
      <Header d={d} status={socket.status} />
      <GatewayBadge status={socket.status} socketGateway={socket.gateway} previousGateway={socket.previousGateway} pollGateway={d.pollGateway} />
      <Strip text={d.summary} error={d.error} socketError={socket.lastError} />
      <Versus rows={d.versus} pollTitle={pollShort} />
      <main class="panels">
        <Panel
          side="push"
          title="Pushed over one WebSocket"
          subtitle="combined stream: aggTrade · bookTicker · ticker · kline_1s · depth10"
          model={d.push.panel}
          info={d.info}
          scale={d.scale}
          extra={[{ key: 'rest', label: 'backfill requests', tip: 'REST aggTrades requests made to fill the gap after a reconnect', value: d.push.restRequests }]}
        >
          <OrderBook book={d.push.book} info={d.info} />
        </Panel>
        <Panel
          side="poll"
          title="Polled over HTTP"
          subtitle={pollSubtitle}
          model={d.poll.panel}
          info={d.info}
          scale={d.scale}
        />
      </main>
    </div>
  );
}
