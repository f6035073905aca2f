// The page's model: both feeds, the clock offset, the settings and the shared chart scale.
// Components read its signals and call its actions; the socket comes from useSocket.
import { computed, signal, type ReadonlySignal } from '@preact/signals';
import { createClockOffset, type ClockOffset } from './clock-offset.ts';
import { browserScheduler, createFrameLoop, type FrameLoop, type FrameScheduler } from './frame.ts';
import { createPollFeed, type PollFeed, type PollMode } from './poll-feed.ts';
import { browserTimers, type Timers } from './poller.ts';
import { createPushFeed, type PushFeed } from './push-feed.ts';
import { createRest, describeFailure, type Rest } from './rest.ts';
import type { Socket } from './socket.ts';
import { decimalsOf } from './format.ts';
import type { PanelModel } from './panel.ts';
import { summarize, versus, type SummaryInput, type VersusRow } from './summary.ts';

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
  readonly poll: PollFeed;
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
  /** Begin: clock sync, symbol list, polling. Returns the stop. The socket is started by useSocket. */
  start(socket: Socket): () => void;
  /** `byUser` false: a default the server suggested (the user's own choice is kept over it). */
  setSymbol(symbol: string, byUser?: boolean): void;
  setMode(mode: PollMode): void;
  setIntervalMs(ms: number): void;
  togglePause(): void;
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
  const poll = createPollFeed({ rest, loop, timers, offsetMs: clock.offsetMs, intervalMs, mode, symbol: symbol.peek() });

  // Registered after both feeds, so it sees this frame's series. The scale moves in steps (100 ms,
  // about a pixel; a price grid of half a decade of the range) so a quiet chart is not redrawn
  // every frame just because time passed.
  loop.add((frameMs) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const s of [push.panel.series.peek(), poll.panel.series.peek()]) {
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
    return { push: side(push.panel), poll: { ...side(poll.panel), intervalMs: intervalMs.value, mode: mode.value } };
  });
  const summary = computed(() => summarize(figures.value));
  // One line, however often the rounds fail: the same text is not news.
  const error = computed(() => {
    const failed = poll.poller.lastError.value;
    return startError.value ?? (failed === null ? null : `polling: ${failed}`);
  });
  const table = computed(() => versus(figures.value));

  let socket: Socket | undefined;
  let userChose = false;
  const restart = () => {
    push.reset();
    poll.reset();
  };

  const d: Dashboard = {
    push, poll, clock, loop, symbols, symbol, info, mode, intervalMs, paused, scale, summary, versus: table, error, pollGateway: rest.gateway,
    start(s) {
      socket = s;
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
      if (!paused.peek()) poll.start();
      return () => {
        stopped = true;
        clearTimeout(retry);
        clearInterval(syncTimer);
        clearInterval(scroll);
        poll.stop();
        loop.close();
        socket = undefined;
      };
    },
    setSymbol(next, byUser = true) {
      userChose ||= byUser;
      if (next === symbol.peek()) return;
      symbol.value = next;
      push.setSymbol(next);
      poll.setSymbol(next);
      push.reset();
      scale.value = null;
      socket?.setStreams(push.streams());
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
        socket?.stop();
        poll.stop();
      } else {
        socket?.start();
        poll.start();
      }
    },
  };
  return d;
}
