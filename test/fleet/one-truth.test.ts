// A market and gateways in child processes over a private Redis: every gateway sends the same
// event as the same bytes, and a gateway started late answers REST like one present from the start.
import { afterEach, describe, expect, it } from 'vitest';
import { FLEET_SKIP_REASON } from './capability.ts';
import { createFleetScope, FLAGS, streamUrl, waitFor, type FleetProcess, type Frame } from './harness.ts';

const STREAMS = ['trade', 'aggTrade', 'depth@100ms', 'kline_1m', 'ticker'];

/**
 * The frames two connections got on one stream agree where they overlap: find where the later
 * connection's first frame sits in the earlier one's, then compare frame by frame, byte for byte.
 * Returns the overlap's length; throws when there is none or a frame differs.
 */
function overlapIdentical(stream: string, a: readonly Frame[], b: readonly Frame[]): number {
  const [early, late] = a.length > 0 && b.length > 0 && a.findIndex((f) => f.text === b[0]!.text) >= 0 ? [a, b] : [b, a];
  const start = late.length === 0 ? -1 : early.findIndex((f) => f.text === late[0]!.text);
  if (start < 0) throw new Error(`${stream}: the two gateways have no frame in common (${a.length} and ${b.length} frames)`);
  const n = Math.min(early.length - start, late.length);
  for (let i = 0; i < n; i++) {
    if (early[start + i]!.text !== late[i]!.text) {
      throw new Error(`${stream}: frame #${i} of the overlap differs:\n  ${early[start + i]!.text}\n  ${late[i]!.text}`);
    }
  }
  return n;
}

/** Event time (`E`) of a frame, in ms. */
const eventMs = (f: Frame) => Number(f.data.E);

describe.skipIf(FLEET_SKIP_REASON !== '')('a fleet of one market and two gateways', () => {
  const fleet = createFleetScope();
  afterEach(() => fleet.cleanup());

  it('delivers 10 s of trade, aggTrade, depth diff, kline and ticker events from both gateways as identical bytes', async () => {
    const redis = await fleet.redis();
    const market = await fleet.market(redis.url, FLAGS);
    const [g1, g2] = await Promise.all([fleet.gateway(redis.url, FLAGS), fleet.gateway(redis.url, FLAGS)]);
    await Promise.all([market.waitReady(), g1!.waitReady(), g2!.waitReady()]);

    const [w1, w2] = await Promise.all([g1!, g2!].map((g) => fleet.witness(streamUrl(g.wsUrl, ['SOLUSDT'], STREAMS))));
    const span = (frames: readonly Frame[]) => (frames.length < 2 ? 0 : eventMs(frames.at(-1)!) - eventMs(frames[0]!));
    await waitFor('10 s of event time on both gateways', () => span(w1!.frames) >= 10_000 && span(w2!.frames) >= 10_000, 40_000);

    for (const kind of STREAMS) {
      const stream = `solusdt@${kind}`;
      const n = overlapIdentical(stream, w1!.framesOf(stream), w2!.framesOf(stream));
      // Ten seconds hold many trades and diffs, about ten tickers (one a second) and five open-kline updates (one per 2 s).
      const least = kind === 'ticker' ? 5 : kind.startsWith('kline') ? 3 : 20;
      expect(n, `${stream} frames in common`).toBeGreaterThanOrEqual(least);
    }
    expect(w1!.problems()).toEqual([]);
    expect(w2!.problems()).toEqual([]);
  }, 120_000);

  it('answers REST from a gateway started late exactly as from one present from the start', async () => {
    const redis = await fleet.redis();
    // Slow rates, so that the market rarely moves between the requests being compared.
    const slow = ['--symbols', 'SOLUSDT:2,BTCUSDT:1'];
    // The comparison asks many heavy requests (depth of 5000 weighs 250): no weight limit here.
    const gatewayFlags = [...slow, '--rest-weight-per-minute', '1000000000'];
    const market = await fleet.market(redis.url, slow);
    const early = await fleet.gateway(redis.url, gatewayFlags);
    await Promise.all([market.waitReady(), early.waitReady()]);
    // Let the market make a history the late gateway has to rebuild: trades, candles, book changes.
    await waitFor('30 trades on the early gateway', async () => {
      const res = await early.get('/api/v3/trades?symbol=SOLUSDT&limit=1000');
      return res.status === 200 && (JSON.parse(res.text) as unknown[]).length >= 30;
    }, 60_000, 250);
    const late = await fleet.gateway(redis.url, gatewayFlags);
    await late.waitReady();

    const paths = [
      '/api/v3/klines?symbol=SOLUSDT&interval=1m&limit=1000',
      '/api/v3/klines?symbol=BTCUSDT&interval=1s&limit=100',
      '/api/v3/klines?symbol=SOLUSDT&interval=1h&limit=1000',
      '/api/v3/uiKlines?symbol=SOLUSDT&interval=1d&limit=100',
      '/api/v3/depth?symbol=SOLUSDT&limit=100',
      '/api/v3/depth?symbol=BTCUSDT&limit=5000',
      '/api/v3/ticker/24hr',
      '/api/v3/ticker?symbol=SOLUSDT&windowSize=1h',
      '/api/v3/ticker/price',
      '/api/v3/ticker/bookTicker',
      '/api/v3/avgPrice?symbol=SOLUSDT',
      '/api/v3/trades?symbol=SOLUSDT&limit=1000',
      '/api/v3/aggTrades?symbol=BTCUSDT&limit=1000',
      '/api/v3/historicalTrades?symbol=SOLUSDT&limit=500',
    ];
    for (const path of paths) await sameAnswer(early, late, path);
  }, 150_000);
});

/**
 * The two gateways answer `path` alike. The market keeps moving, so ask early, late, early again
 * until the early gateway gave the same answer twice around the late one's (nothing moved in between).
 */
async function sameAnswer(early: FleetProcess, late: FleetProcess, path: string): Promise<void> {
  // A REST ticker's closeTime is the time of the request (as on Binance), the one field that may differ.
  const ask = async (g: FleetProcess) => {
    const res = await g.get(path);
    return path.includes('/ticker') ? { ...res, text: res.text.replace(/"closeTime":\d+/g, '"closeTime":"(request time)"') } : res;
  };
  for (let attempt = 0; attempt < 40; attempt++) {
    await Promise.all([early.waitReady(), late.waitReady()]); // both caught up with the market
    const before = await ask(early);
    const answer = await ask(late);
    const after = await ask(early);
    expect(before.status, `${path} on the early gateway: ${before.text.slice(0, 200)}`).toBe(200);
    if (before.text !== after.text) continue; // the market moved meanwhile: ask again
    expect(answer.status, path).toBe(200);
    if (answer.text === before.text) return;
    // The late one may have been a few events behind when asked: only a difference that stays counts.
    if (attempt >= 10) expect(answer.text, `${path}: the late gateway differs`).toBe(before.text);
  }
  throw new Error(`${path}: the market never held still long enough to compare (40 attempts)`);
}
