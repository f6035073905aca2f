// The page: makes the connections (stream WebSocket, Server-Sent Events, WebSocket API), hands them
// to the dashboard model, which runs the chosen ones, and lays out the two panels.
import { useComputed } from '@preact/signals';
import { useEffect, useMemo } from 'preact/hooks';
import type { PollTransport } from './state/dashboard.ts';
import { formatInterval } from './state/format.ts';
import { createDashboard } from './state/dashboard.ts';
import { browserTimers } from './state/poller.ts';
import { createSocket, type SocketCtor } from './state/socket.ts';
import { createSse, type EventSourceCtor } from './state/sse.ts';
import { createWsApi } from './state/ws-api.ts';
import { Header } from './components/header.tsx';
import { GatewayBadge } from './components/gateway-badge.tsx';
import { Panel } from './components/panel.tsx';
import { OrderBook } from './components/order-book.tsx';
import { Strip } from './components/strip.tsx';
import { Versus } from './components/versus.tsx';

/** Same origin in production; the Vite dev server proxies /stream (and the other paths) to the feed server. */
function wsUrl(path: string): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}${path}`;
}

const POLL_TITLE: Record<PollTransport, string> = {
  http: 'Polled over HTTP',
  'long-poll': 'Long-polled over HTTP',
  'ws-api': 'Asked over the WebSocket API',
};

export function App() {
  const { d, conns } = useMemo(() => {
    const wsApi = createWsApi({ url: wsUrl('/ws-api/v3'), WebSocket: WebSocket as unknown as SocketCtor, timers: browserTimers });
    const dash = createDashboard({ wsApi });
    const onMessage = (stream: string, data: unknown, n: number) => dash.push.handle(stream, data, n);
    const ws = createSocket({
      url: wsUrl('/stream'),
      WebSocket: WebSocket as unknown as SocketCtor,
      timers: browserTimers,
      onMessage,
      onSubscribed: (i) => dash.push.onSubscribed(i),
    });
    // The server replays what an SSE client missed (Last-Event-ID); REST fills only what it reports as a gap.
    const sse = createSse({
      url: '/sse',
      EventSource: EventSource as unknown as EventSourceCtor,
      timers: browserTimers,
      onMessage,
      onGap: () => dash.push.onSubscribed({ reconnect: true }),
    });
    return { d: dash, conns: { ws, sse } };
  }, []);
  useEffect(() => d.start(conns), [d, conns]);
  const pollSubtitle = useComputed(() => {
    const every = formatInterval(d.intervalMs.value);
    const t = d.pollTransport.value;
    if (t === 'long-poll') return 'poll?streams=<sym>@aggTrade&cursor=<last>&waitMs=20000, asked again as soon as answered';
    if (t === 'ws-api') {
      return d.mode.value === 'latest'
        ? `latest price: trades.aggregate {limit:1} + ticker.book over /ws-api/v3, every ${every}`
        : `every trade: trades.aggregate {fromId:<last+1>, limit:1000} + ticker.book over /ws-api/v3, every ${every}`;
    }
    return d.mode.value === 'latest'
      ? `latest price: aggTrades?limit=1 + ticker/bookTicker, every ${every}`
      : `every trade: aggTrades?fromId=<last+1>&limit=1000 + ticker/bookTicker, every ${every}`;
  });
  const pollShort = useComputed(() =>
    d.pollTransport.value === 'long-poll' ? 'Long-polled' : `${d.pollTransport.value === 'ws-api' ? 'WS API' : 'Polled'}, ${formatInterval(d.intervalMs.value)}`,
  );
  const sse = d.pushTransport.value === 'sse';

  return (
    <div class="page">
      <Header d={d} status={d.status} />
      <GatewayBadge status={d.status} socketGateway={conns.ws.gateway} previousGateway={conns.ws.previousGateway} pollGateway={d.pollGateway} />
      <Strip text={d.summary} error={d.error} socketError={conns[d.pushTransport.value].lastError} />
      <Versus rows={d.versus} pollTitle={pollShort} />
      <main class="panels">
        <Panel
          side="push"
          title={sse ? 'Pushed as Server-Sent Events' : 'Pushed over one WebSocket'}
          subtitle={`${sse ? 'EventSource /sse' : 'combined stream'}: aggTrade · bookTicker · ticker · kline_1s · depth10`}
          model={d.push.panel}
          info={d.info}
          scale={d.scale}
          extra={[{ key: 'rest', label: 'backfill requests', tip: sse ? 'REST aggTrades requests made to fill a gap the server could not replay on resume' : 'REST aggTrades requests made to fill the gap after a reconnect', value: d.push.restRequests }]}
        >
          <OrderBook book={d.push.book} info={d.info} />
        </Panel>
        <Panel
          side="poll"
          key={d.pollTransport.value}
          title={POLL_TITLE[d.pollTransport.value]}
          subtitle={pollSubtitle}
          model={d.poll.value.panel}
          info={d.info}
          scale={d.scale}
        />
      </main>
    </div>
  );
}
