// GETs against the REST wire, with the bytes each one cost: the Resource Timing API's
// transferSize (headers + body as received) where the browser gives it, otherwise an estimate
// from the status line, the headers the page can see and the body.
import { signal, type ReadonlySignal } from '@preact/signals';
import type { RestError } from '@wire/payloads.ts';

/**
 * Set by the dev server's proxy (web/dev-proxy.ts) on its answer when no feed server is behind
 * it; the body then says what to do.
 */
export const NO_FEED_SERVER_HEADER = 'x-tickwire-no-feed-server';

/** Set by a fleet's load balancer (deploy/haproxy.cfg) on every response: the gateway that served it. */
export const GATEWAY_HEADER = 'x-tickwire-gateway';

export class RestFailure extends Error {
  override readonly name = 'RestFailure';
  constructor(readonly status: number, readonly code: number | null, msg: string) {
    super(msg);
  }
}

export interface RestResult<T> {
  readonly data: T;
  /** Bytes received for this request, best figure known when it resolved (see `onCorrection`). */
  readonly bytes: number;
}

/** Bytes of an HTTP/1.1 response head: status line, `name: value` lines, blank line. */
export function headBytes(status: number, statusText: string, headers: Iterable<[string, string]>): number {
  let n = `HTTP/1.1 ${status} ${statusText}\r\n`.length + 2;
  for (const [k, v] of headers) n += k.length + 2 + v.length + 2;
  return n;
}

export interface Rest {
  /** `path` with query, e.g. `/api/v3/time`. Rejects with RestFailure on a wire error. */
  get<T>(path: string, opts?: { signal?: AbortSignal; onBytes?: (delta: number) => void }): Promise<RestResult<T>>;
  /** The gateway named by the last response's X-Tickwire-Gateway, or null (no fleet proxy in front). */
  readonly gateway: ReadonlySignal<string | null>;
  close(): void;
}

/**
 * `base`: '' for same-origin. `onBytes` receives the estimate at once and, when the Resource
 * Timing entry arrives later, the difference to the browser's own transferSize.
 */
export function createRest(base = '', fetchImpl: typeof fetch = (...a) => fetch(...a)): Rest {
  // Requests waiting for their Resource Timing entry, per absolute URL, oldest first.
  const waiting = new Map<string, Pending[]>();
  const gateway = signal<string | null>(null);
  let observer: PerformanceObserver | undefined;
  if (typeof PerformanceObserver !== 'undefined' && typeof performance !== 'undefined') {
    performance.setResourceTimingBufferSize?.(2000);
    observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries() as PerformanceResourceTiming[]) {
        const q = waiting.get(e.name);
        const p = q?.shift();
        if (q && q.length === 0) waiting.delete(e.name);
        if (p) p.settle(e.transferSize);
      }
      if (performance.getEntriesByType('resource').length > 1000) performance.clearResourceTimings();
    });
    observer.observe({ type: 'resource' });
  }
  const forget = (abs: string, p: Pending) => {
    const q = waiting.get(abs);
    const i = q?.indexOf(p) ?? -1;
    if (q && i >= 0) q.splice(i, 1);
    if (q && q.length === 0) waiting.delete(abs);
  };

  return {
    async get<T>(path: string, opts: { signal?: AbortSignal; onBytes?: (delta: number) => void } = {}) {
      const url = base + path;
      const abs = new URL(url, globalThis.location?.href ?? 'http://localhost/').href;
      const pending = observer ? new Pending(opts.onBytes) : undefined;
      if (pending) waiting.set(abs, [...(waiting.get(abs) ?? []), pending]);
      let res: Response;
      let text: string;
      try {
        res = await fetchImpl(url, { signal: opts.signal, cache: 'no-store' });
        text = await res.text();
      } catch (err) {
        if (pending) forget(abs, pending);
        throw err;
      }
      gateway.value = res.headers.get(GATEWAY_HEADER);
      // Wire JSON is ASCII, so string length = body bytes.
      const estimate = headBytes(res.status, res.statusText || 'OK', res.headers.entries()) + text.length;
      const bytes = pending ? pending.estimated(estimate) : estimate;
      if (!pending) opts.onBytes?.(estimate);
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch {
        if (res.headers.get(NO_FEED_SERVER_HEADER) !== null) throw new RestFailure(res.status, null, text.trim());
        throw new RestFailure(res.status, null, `${path}: HTTP ${res.status}, body is not JSON`);
      }
      if (!res.ok) {
        const err = data as Partial<RestError>;
        throw new RestFailure(res.status, typeof err.code === 'number' ? err.code : null, `${path}: HTTP ${res.status} ${err.msg ?? ''}`.trim());
      }
      return { data: data as T, bytes };
    },
    gateway,
    close() {
      observer?.disconnect();
      waiting.clear();
    },
  };
}

/** One request's byte count: the estimate and the browser's figure, whichever comes first is reported, the other corrects it. */
class Pending {
  private estimate: number | null = null;
  private measured: number | null = null;
  constructor(private readonly onBytes: ((delta: number) => void) | undefined) {}
  /** Returns the bytes to report now. */
  estimated(n: number): number {
    this.estimate = n;
    const now = this.measured !== null && this.measured > 0 ? this.measured : n;
    this.onBytes?.(now);
    return now;
  }
  settle(size: number): void {
    if (this.measured !== null) return;
    this.measured = size;
    if (this.estimate !== null && size > 0) this.onBytes?.(size - this.estimate);
  }
}

/**
 * One line for the page about a failed request. A fetch that never got a response (TypeError)
 * means the server is not there; the dev proxy's answer already says what to do.
 */
export function describeFailure(err: unknown): string {
  if (err instanceof RestFailure) return err.message;
  if (err instanceof TypeError) return `the server does not answer (${err.message}): start it with npm start`;
  return err instanceof Error ? err.message : String(err);
}
