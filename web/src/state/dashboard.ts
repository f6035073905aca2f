// The page's model: both feeds, the clock offset, the settings and the shared chart scale.
// Components read its signals and call its actions. Each side has a transport picker: the push side
// reads one of two connections (WebSocket or Server-Sent Events), the polled side one of three
// feeds (HTTP rounds, long-polling, WebSocket API rounds); only the chosen one runs.
import { computed, signal, type ReadonlySignal } from '@preact/signals';
import { createClockOffset, type ClockOffset } from './clock-offset.ts';
import { browserScheduler, createFrameLoop, type FrameLoop, type FrameScheduler } from './frame.ts';
import { createLongPollFeed } from './long-poll-feed.ts';
import { createPollFeed, type PollMode } from './poll-feed.ts';
import { browserTimers, type Timers } from './poller.ts';
import { createPushFeed, type PushFeed } from './push-feed.ts';
import { createRest, describeFailure, type Rest } from './rest.ts';
import type { Socket, SocketStatus } from './socket.ts';
import { decimalsOf } from './format.ts';
import type { PanelModel } from './panel.ts';
import { summarize, versus, type PollTransport, type PushTransport, type SummaryInput, type VersusRow } from './summary.ts';
import { wsApiRest, type WsApi } from './ws-api.ts';

export type { PollTransport, PushTransport } from './summary.ts';

/** What the dashboard needs of a polled side, whichever transport carries it. */
export interface PollSide {
  readonly panel: PanelModel;
  /** Why the last round failed, or null. */
  readonly lastError: ReadonlySignal<string | null>;
  setSymbol(symbol: string): void;
  reset(): void;
  start(): void;
  stop(): void;
}

/** The push side's two connections; the dashboard runs the chosen one. */
export interface PushConnections {
  readonly ws: Socket;
  readonly sse: Socket;
}

export interface SymbolInfo {
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  /** Decimals of the price tick. */
  readonly priceDecimals: number;
}

/** Both charts' ranges: x in seconds of server time, y in price. */
export interface ChartScale {
  readonly xMin: number;
  readonly xMax: number;
  readonly yMin: number;
  readonly yMax: number;
}

/** The shared scale for prices lo..hi at server time `nowS`: x stepped by 0.1 s, y padded and snapped outward to a grid. */
export function chartScale(nowS: number, lo: number, hi: number, windowS: number): ChartScale {
  const xMax = Math.ceil(nowS * 10) / 10;
  const span = hi - lo > 0 ? hi - lo : Math.max(Math.abs(hi) * 0.001, 1e-8);
  const step = 10 ** Math.floor(Math.log10(span)) / 2;
  return {
    xMin: xMax - windowS,
    xMax,
    yMin: Math.floor((lo - span * 0.05) / step) * step,
    yMax: Math.ceil((hi + span * 0.05) / step) * step,
  };
}

export const INTERVAL_CHOICES = [250, 500, 1000, 2000, 5000] as const;

export interface Dashboard {
  readonly push: PushFeed;
  /** The polled side of the chosen transport. */
  readonly poll: ReadonlySignal<PollSide>;
  readonly pushTransport: ReadonlySignal<PushTransport>;
  readonly pollTransport: ReadonlySignal<PollTransport>;
  /** The running push connection's status. */
  readonly status: ReadonlySignal<SocketStatus>;
  readonly clock: ClockOffset;
  readonly loop: FrameLoop;
  readonly symbols: ReadonlySignal<readonly SymbolInfo[]>;
  readonly symbol: ReadonlySignal<string>;
  readonly info: ReadonlySignal<SymbolInfo>;
  readonly mode: ReadonlySignal<PollMode>;
  readonly intervalMs: ReadonlySignal<number>;
  readonly paused: ReadonlySignal<boolean>;
  readonly scale: ReadonlySignal<ChartScale | null>;
  readonly summary: ReadonlySignal<string>;
  /** The deciding figures side by side (kept in view when the panels stack). */
  readonly versus: ReadonlySignal<readonly VersusRow[]>;
  readonly error: ReadonlySignal<string | null>;
  /** The gateway of a fleet that answered the last poll (X-Tickwire-Gateway), null without a fleet proxy. */
  readonly pollGateway: ReadonlySignal<string | null>;
  /** Begin: clock sync, symbol list, the chosen push connection, polling. Returns the stop. */
  start(conns: PushConnections): () => void;
  /** `byUser` false: a default the server suggested (the user's own choice is kept over it). */
  setSymbol(symbol: string, byUser?: boolean): void;
  setMode(mode: PollMode): void;
  setIntervalMs(ms: number): void;
  togglePause(): void;
  setPushTransport(t: PushTransport): void;
  setPollTransport(t: PollTransport): void;
}

interface ExchangeInfo {
  symbols: { symbol: string; baseAsset: string; quoteAsset: string; filters: { filterType: string; tickSize?: string }[] }[];
}

export interface DashboardOptions {
  readonly rest?: Rest;
  readonly sched?: FrameScheduler;
  readonly timers?: Timers;
  /** Seconds of history on the charts (60). */
  readonly windowS?: number;
  /** The WebSocket API connection the 'ws-api' polled side asks over (that choice is offered only with it). */
  readonly wsApi?: WsApi;
}

const fallbackInfo = (symbol: string): SymbolInfo => ({ symbol, base: symbol.replace(/USDT$/, ''), quote: 'USDT', priceDecimals: 2 });

export function createDashboard(opts: DashboardOptions = {}): Dashboard {
  const rest = opts.rest ?? createRest();
  const sched = opts.sched ?? browserScheduler();
  const timers = opts.timers ?? browserTimers;
  const windowS = opts.windowS ?? 60;
  const loop = createFrameLoop(sched);
  const clock = createClockOffset(async () => (await rest.get<{ serverTime: number }>('/api/v3/time')).data.serverTime, sched.now);

  const symbols = signal<readonly SymbolInfo[]>([]);
  const symbol = signal('SOLUSDT');
  const mode = signal<PollMode>('latest');
  const intervalMs = signal(1000);
  const paused = signal(false);
  const scale = signal<ChartScale | null>(null);
  /** Why the start-up reads (clock, symbol list) fail; they are retried until they succeed. */
  const startError = signal<string | null>(null);
  const info = computed(() => symbols.value.find((s) => s.symbol === symbol.value) ?? fallbackInfo(symbol.value));

  const push = createPushFeed({ rest, loop, offsetMs: clock.offsetMs, symbol: symbol.peek() });
  const httpFeed = createPollFeed({ rest, loop, timers, offsetMs: clock.offsetMs, intervalMs, mode, symbol: symbol.peek() });
  const httpSide: PollSide = { ...httpFeed, lastError: httpFeed.poller.lastError };
  const pollSides: Record<PollTransport, PollSide> = {
    http: httpSide,
    'long-poll': createLongPollFeed({ rest, loop, timers, offsetMs: clock.offsetMs, symbol: symbol.peek() }),
    'ws-api': opts.wsApi
      ? (() => {
          const f = createPollFeed({ rest: wsApiRest(opts.wsApi), loop, timers, offsetMs: clock.offsetMs, intervalMs, mode, symbol: symbol.peek() });
          return { ...f, lastError: f.poller.lastError };
        })()
      : httpSide,
  };
  const pushTransport = signal<PushTransport>('ws');
  const pollTransport = signal<PollTransport>('http');
  const poll = computed(() => pollSides[pollTransport.value]);
  let conns: PushConnections | undefined;
  const connStatus = signal<ReadonlySignal<SocketStatus> | null>(null);
  const status = computed(() => connStatus.value?.value ?? { kind: 'offline' as const });
  const activeConn = () => (conns ? conns[pushTransport.peek()] : undefined);

  // Registered after both feeds, so it sees this frame's series. The scale moves in steps (100 ms,
  // about a pixel; a price grid of half a decade of the range) so a quiet chart is not redrawn
  // every frame just because time passed.
  loop.add((frameMs) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const s of [push.panel.series.peek(), poll.peek().panel.series.peek()]) {
      for (const y of s.ys) {
        if (y < lo) lo = y;
        if (y > hi) hi = y;
      }
    }
    if (lo === Infinity) return;
    const next = chartScale((frameMs + clock.offsetMs.peek()) / 1000, lo, hi, windowS);
    const prev = scale.peek();
    if (!prev || prev.xMax !== next.xMax || prev.yMin !== next.yMin || prev.yMax !== next.yMax) scale.value = next;
  });

  const figures = computed<SummaryInput>(() => {
    const side = (p: PanelModel) => ({
      trades: p.trades.value,
      missed: p.missed.value,
      p50: p.latency.p50.value,
      p99: p.latency.p99.value,
      bytes: p.bytes.value,
      tradeBytes: p.tradeBytes.value,
    });
    return {
      push: { ...side(push.panel), transport: pushTransport.value },
      poll: { ...side(poll.value.panel), intervalMs: intervalMs.value, mode: mode.value, transport: pollTransport.value },
    };
  });
  const summary = computed(() => summarize(figures.value));
  // One line, however often the rounds fail: the same text is not news.
  const error = computed(() => {
    const failed = poll.value.lastError.value;
    return startError.value ?? (failed === null ? null : `${pollTransport.value === 'http' ? 'polling' : pollTransport.value}: ${failed}`);
  });
  const table = computed(() => versus(figures.value));

  let userChose = false;
  const restart = () => {
    push.reset();
    poll.peek().reset();
  };
  /** Run or stop the polled side of the chosen transport (and the WebSocket API connection it asks over). */
  const runPoll = (on: boolean) => {
    const side = poll.peek();
    const api = pollTransport.peek() === 'ws-api' ? opts.wsApi : undefined;
    if (on) {
      api?.start();
      side.start();
    } else {
      side.stop();
      api?.stop();
    }
  };

  const d: Dashboard = {
    push, poll, pushTransport, pollTransport, status, clock, loop, symbols, symbol, info, mode, intervalMs, paused, scale, summary, versus: table, error, pollGateway: rest.gateway,
    start(c) {
      conns = c;
      c.ws.setStreams(push.streams());
      c.sse.setStreams(push.streams());
      connStatus.value = activeConn()!.status;
      if (!paused.peek()) activeConn()!.start();
      let stopped = false;
      const syncTimer = setInterval(() => void clock.sync(3).catch(() => {}), 30_000);
      // The chart scrolls even when nothing trades.
      const scroll = setInterval(() => loop.request(), 250);
      let retry: ReturnType<typeof setTimeout> | undefined;
      const begin = async (): Promise<void> => {
        try {
          await clock.sync(5);
          const ex = (await rest.get<ExchangeInfo>('/api/v3/exchangeInfo')).data;
          if (stopped) return;
          symbols.value = ex.symbols.map((x) => ({
            symbol: x.symbol,
            base: x.baseAsset,
            quote: x.quoteAsset,
            priceDecimals: decimalsOf(x.filters.find((f) => f.filterType === 'PRICE_FILTER')?.tickSize ?? '0.01'),
          }));
          // The server lists its default symbol first; follow it unless the user already chose.
          const first = ex.symbols[0]?.symbol;
          if (first && !userChose) d.setSymbol(first, false);
          startError.value = null;
        } catch (err) {
          if (stopped) return;
          startError.value = describeFailure(err);
          // Started before the server (npm run dev first): try again until it is there.
          retry = setTimeout(() => void begin(), 2000);
        }
      };
      void begin();
      if (!paused.peek()) runPoll(true);
      return () => {
        stopped = true;
        clearTimeout(retry);
        clearInterval(syncTimer);
        clearInterval(scroll);
        runPoll(false);
        c.ws.stop();
        c.sse.stop();
        loop.close();
        conns = undefined;
      };
    },
    setSymbol(next, byUser = true) {
      userChose ||= byUser;
      if (next === symbol.peek()) return;
      symbol.value = next;
      push.setSymbol(next);
      for (const side of new Set(Object.values(pollSides))) side.setSymbol(next);
      push.reset();
      scale.value = null;
      conns?.ws.setStreams(push.streams());
      conns?.sse.setStreams(push.streams());
    },
    setMode(next) {
      if (next === mode.peek()) return;
      mode.value = next;
      restart();
    },
    setIntervalMs(ms) {
      const clamped = Math.min(5000, Math.max(250, Math.round(ms)));
      if (clamped === intervalMs.peek()) return;
      intervalMs.value = clamped;
      restart();
    },
    togglePause() {
      paused.value = !paused.value;
      if (paused.value) {
        activeConn()?.stop();
        runPoll(false);
      } else {
        activeConn()?.start();
        runPoll(true);
      }
    },
    setPushTransport(t) {
      if (t === pushTransport.peek()) return;
      activeConn()?.stop();
      pushTransport.value = t;
      // A new connection, a new count: the trade position of the other transport is dropped.
      push.setSymbol(symbol.peek());
      poll.peek().reset();
      const next = activeConn();
      if (next) {
        connStatus.value = next.status;
        next.setStreams(push.streams());
        if (!paused.peek()) next.start();
      }
    },
    setPollTransport(t) {
      if (t === pollTransport.peek()) return;
      if (conns && !paused.peek()) runPoll(false);
      pollTransport.value = t;
      restart();
      if (conns && !paused.peek()) runPoll(true);
    },
  };
  return d;
}
