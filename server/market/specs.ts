// Symbol specifications (exchangeInfo filters) and the per-symbol model parameters of the simulation,
// plus the one formatter that turns integer ticks and lots into the wire's 8-decimal strings.
import type { SymbolSpec } from './types.ts';
import { hashString } from './random.ts';

const E8 = 100_000_000;

/**
 * An integer count of 1e-8 units as a decimal string with 8 decimals (`14235000000` → `"142.35000000"`).
 * Exact for safe integers; beyond 2^53 (huge quote volumes) it falls back to toFixed.
 */
export function formatUnits(units: number): string {
  if (!Number.isSafeInteger(units)) return (units / E8).toFixed(8);
  const neg = units < 0;
  const u = neg ? -units : units;
  const int = Math.floor(u / E8);
  const frac = u - int * E8;
  return (neg ? '-' : '') + int + '.' + (frac === 0 ? '00000000' : String(frac).padStart(8, '0'));
}

/** The inverse of formatUnits: `"142.35000000"` → 14235000000. Throws on anything else. */
export function parseUnits(s: string): number {
  const m = /^(-?)(\d+)\.(\d{8})$/.exec(s);
  if (!m) throw new RangeError(`market: ${JSON.stringify(s)} is not a decimal with 8 decimals`);
  const v = Number(m[2]) * E8 + Number(m[3]);
  return m[1] === '-' ? -v : v;
}

/**
 * `n × mul` units of 1e-8 as a decimal string, exact even when the product passes 2^53 (quote
 * volumes held as tick × lot counts), as long as `mul` divides 1e8.
 */
export function formatScaled(n: number, mul: number): string {
  const u = n * mul;
  if (Number.isSafeInteger(u) || !Number.isSafeInteger(n) || E8 % mul !== 0 || n < 0) return formatUnits(u);
  const per = E8 / mul;
  const int = Math.floor(n / per);
  const frac = (n - int * per) * mul;
  return int + '.' + (frac === 0 ? '00000000' : String(frac).padStart(8, '0'));
}

/** Everything the simulator needs to know about one symbol. Prices are integer ticks, sizes integer lots. */
export interface SymbolModel {
  readonly spec: SymbolSpec;
  /** 1e-8 units of quote per price tick (tick 0.01 ⇒ 1_000_000). */
  readonly tickUnits: number;
  /** 1e-8 units of base per lot (step 0.001 ⇒ 100_000). */
  readonly lotUnits: number;
  /** 1e-8 units of quote per (tick × lot): tickUnits × lotUnits / 1e8, an integer ≥ 1. */
  readonly tickLotUnits: number;
  /** Price around which the market starts, quote per base. */
  readonly startPrice: number;
  /** Standard deviation of the daily log return. */
  readonly dailyVol: number;
  /** Typical distance between populated book levels, in ticks. */
  readonly gapTicks: number;
  /** Mean size of a taker order and of a resting level, in lots. */
  readonly meanTakerLots: number;
  readonly meanLevelLots: number;
}

interface Known {
  price: number; tick: number; step: number; vol: number; taker: number; level: number; maxQty: number;
}

// Steps and ticks as integer 1e-8 units so that tick × lot stays an exact integer of 1e-8 quote.
const KNOWN: Readonly<Record<string, Known>> = {
  SOLUSDT: { price: 140, tick: 1_000_000, step: 100_000, vol: 0.045, taker: 4, level: 40, maxQty: 9_000_000 },
  BTCUSDT: { price: 95_000, tick: 1_000_000, step: 1_000, vol: 0.025, taker: 0.02, level: 0.4, maxQty: 9_000 },
  ETHUSDT: { price: 3_300, tick: 1_000_000, step: 10_000, vol: 0.032, taker: 0.3, level: 6, maxQty: 9_000 },
  BNBUSDT: { price: 650, tick: 1_000_000, step: 100_000, vol: 0.028, taker: 1, level: 12, maxQty: 900_000 },
};

/** Model for a configured symbol: a known one, or a generic spec derived deterministically from the name. */
export function symbolModel(symbol: string): SymbolModel {
  if (!/^[A-Z0-9]{2,16}USDT$/.test(symbol)) throw new Error(`market: ${JSON.stringify(symbol)} is not an uppercase XXXUSDT symbol`);
  const k = KNOWN[symbol] ?? generic(symbol);
  const tickLotUnits = (k.tick * k.step) / E8;
  const notional = (x: number) => formatUnits(Math.round(x * E8));
  const spec: SymbolSpec = {
    symbol,
    baseAsset: symbol.slice(0, -4),
    quoteAsset: 'USDT',
    tickSize: formatUnits(k.tick),
    stepSize: formatUnits(k.step),
    decimals: 8,
    minQty: formatUnits(k.step),
    maxQty: notional(k.maxQty),
    minPrice: formatUnits(k.tick),
    maxPrice: notional(Math.max(1_000_000, k.price * 100)),
    minNotional: notional(5),
    maxNotional: notional(9_000_000),
  };
  const tickPrice = k.tick / E8;
  const stepQty = k.step / E8;
  return {
    spec,
    tickUnits: k.tick,
    lotUnits: k.step,
    tickLotUnits,
    startPrice: k.price,
    dailyVol: k.vol,
    gapTicks: Math.max(1, Math.round((k.price * 1e-5) / tickPrice)),
    meanTakerLots: Math.max(1, Math.round(k.taker / stepQty)),
    meanLevelLots: Math.max(1, Math.round(k.level / stepQty)),
  };
}

/** Price between 0.1 and 1000 from the name's hash; tick ≈ price / 10^4, a lot worth 0.1–1 USDT. */
function generic(symbol: string): Known {
  const h = hashString(symbol);
  const raw = 10 ** (-1 + (4 * (h % 10_000)) / 10_000);
  const e = Math.floor(Math.log10(raw));
  const price = Number(raw.toPrecision(3));
  const tick = 10 ** (e + 4);
  const step = 10 ** Math.min(8, Math.max(0, 7 - e)); // one lot ≈ 0.1–1 USDT
  return { price, tick, step, vol: 0.05, taker: 500 / price, level: 5000 / price, maxQty: 9_000_000 };
}
