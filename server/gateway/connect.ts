// What a WebSocket upgrade asks for (docs/protocol.md#websocket-paths-and-framing): framing, time unit and the streams in its URL.
// Pure: the gateway copies url and query out of the uWS request and hands them here.
import { parseTimeUnit, type TimeUnit } from '../wire/encode.ts';
import type { NamedStream } from '../wire/control.ts';
import { parseStream, subscriptionName } from '../wire/streams.ts';

export interface ConnectRequest {
  /** True on `/stream…`: payloads wrapped as `{"stream":…,"data":…}`. */
  readonly combined: boolean;
  readonly unit: TimeUnit;
  /** Valid, distinct stream names from the path or `streams=` (symbol lowercased: subscriptionName), at most `maxStreams`. */
  readonly streams: readonly NamedStream[];
}

export type ConnectParse = { readonly ok: true; readonly request: ConnectRequest } | { readonly ok: false; readonly reason: 'badTimeUnit' };

/**
 * `url` is the path (`/ws/solusdt@trade/btcusdt@depth`, `/stream`), `query` the raw query string.
 * Names that are not valid streams are ignored, not refused (ccxt opens `/ws/0`); so are names
 * past `maxStreams`. Values are decoded with decodeURIComponent, never form decoding (`+` stays).
 */
export function parseConnect(url: string, query: string, symbols: ReadonlySet<string>, maxStreams: number): ConnectParse {
  let unit: TimeUnit = 'ms';
  let names: string[] = [];
  const combined = url === '/stream' || url.startsWith('/stream/') || url.startsWith('/stream?');

  for (const pair of query === '' ? [] : query.split('&')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    const value = decode(eq < 0 ? '' : pair.slice(eq + 1));
    if (key === 'timeUnit') {
      const parsed = value === undefined ? undefined : parseTimeUnit(value);
      if (parsed === undefined) return { ok: false, reason: 'badTimeUnit' };
      unit = parsed;
    } else if (key === 'streams' && combined && value !== undefined) {
      names = value.split('/');
    }
  }
  if (!combined && url.startsWith('/ws/')) {
    names = url
      .slice('/ws/'.length)
      .split('/')
      .map((part) => decode(part) ?? '');
  }

  const streams: NamedStream[] = [];
  const seen = new Set<string>();
  for (const raw of names) {
    if (streams.length >= maxStreams) break;
    const spec = parseStream(raw, symbols);
    if (!spec) continue;
    const name = subscriptionName(raw);
    if (seen.has(name)) continue;
    seen.add(name);
    streams.push({ name, spec });
  }
  return { ok: true, request: { combined, unit, streams } };
}

function decode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}
