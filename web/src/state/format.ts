// Number formatting for the screen: grouped integers, prices at the symbol's tick, sizes in bytes.

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatInt(n: number): string {
  return int.format(n);
}

/** Decimals of a tick size string: "0.01000000" → 2, "1.00000000" → 0. */
export function decimalsOf(step: string): number {
  const m = /\.(\d*?)0*$/.exec(step);
  return m ? m[1]!.length : 0;
}

/** A wire decimal string shown with `decimals` places, or an em dash when unknown. */
export function formatPrice(p: string | null, decimals: number): string {
  if (p === null) return '—';
  const n = Number(p);
  return Number.isFinite(n) ? n.toFixed(decimals) : '—';
}

export function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  const a = Math.abs(ms);
  return `${a < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(2)} MB`;
}

export function formatPct(p: number | null): string {
  if (p === null) return '—';
  return `${p > 0 ? '+' : p < 0 ? '−' : ''}${Math.abs(p).toFixed(2)}%`;
}

export function formatInterval(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${ms / 1000} s`;
}
