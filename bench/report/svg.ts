// Hand-written SVG charts for report.html. Chosen over inlining uPlot because the report is a
// static, self-contained file: SVG needs no script to render (it prints, it shows in a mail
// preview or a CI artifact viewer), weighs a few kilobytes instead of ~50 KB of library, and the
// four charts need nothing interactive. Log axes and a bar chart are a few lines each.

export interface Series {
  readonly name: string;
  readonly points: readonly (readonly [x: number, y: number])[];
  /** Line colour; the palette's next one when absent. */
  readonly colour?: string;
  /** Dashed: a second row of the same arm (same colour), e.g. a combined stream or another poll interval. */
  readonly dashed?: boolean;
  /** The arm's own dash pattern (stroke-dasharray) and marker, so lines differ without colour too. */
  readonly dash?: string;
  readonly marker?: Marker;
}

export type Marker = 'circle' | 'square' | 'triangle' | 'diamond' | 'cross' | 'bar';

export interface Bar {
  readonly name: string;
  readonly value: number;
  readonly label: string;
  /** Bar colour; the palette's next one when absent. */
  readonly colour?: string;
}

export interface Axis {
  readonly label: string;
  readonly log?: boolean;
  /** Tick positions and their labels; computed from the data when absent. */
  readonly ticks?: readonly (readonly [value: number, label: string])[];
  readonly format?: (v: number) => string;
}

/** Okabe–Ito: eight colours told apart with the common colour-blindnesses. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#000000', '#F0E442'];

const W = 640;
const H = 320;
// The legend is HTML below the chart (it stays readable when the chart is scaled down on a phone).
const M = { l: 78, r: 20, t: 16, b: 48 };

/** A marker of `kind` centred on (x, y). */
export function markerSvg(kind: Marker | undefined, x: number, y: number, c: string, title = ''): string {
  const t = title ? `<title>${esc(title)}</title>` : '';
  const f = (n: number) => n.toFixed(1);
  switch (kind) {
    case 'square': return `<rect x="${f(x - 3.5)}" y="${f(y - 3.5)}" width="7" height="7" fill="${c}">${t}</rect>`;
    case 'triangle': return `<path d="M${f(x)},${f(y - 4.5)}L${f(x + 4.5)},${f(y + 3.5)}L${f(x - 4.5)},${f(y + 3.5)}Z" fill="${c}">${t}</path>`;
    case 'diamond': return `<path d="M${f(x)},${f(y - 5)}L${f(x + 5)},${f(y)}L${f(x)},${f(y + 5)}L${f(x - 5)},${f(y)}Z" fill="${c}">${t}</path>`;
    case 'cross': return `<path d="M${f(x - 4)},${f(y - 4)}L${f(x + 4)},${f(y + 4)}M${f(x - 4)},${f(y + 4)}L${f(x + 4)},${f(y - 4)}" stroke="${c}" stroke-width="2.5">${t}</path>`;
    case 'bar': return `<rect x="${f(x - 1.5)}" y="${f(y - 5)}" width="3" height="10" fill="${c}">${t}</rect>`;
    default: return `<circle cx="${f(x)}" cy="${f(y)}" r="3.5" fill="${c}">${t}</circle>`;
  }
}

/** The legend: one swatch (line in the series' dash with its marker) and name per series. */
export function legendHtml(series: readonly Pick<Series, 'name' | 'colour' | 'dash' | 'dashed' | 'marker'>[]): string {
  const items = series.map((s, i) => {
    const c = s.colour ?? PALETTE[i % PALETTE.length]!;
    const dash = s.dashed ? '3 2' : s.dash ?? '';
    return `<li><svg width="34" height="12" aria-hidden="true"><line x1="1" x2="33" y1="6" y2="6" stroke="${c}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>${markerSvg(s.marker, 17, 6, c)}</svg>${esc(s.name)}</li>`;
  });
  return `<ul class="legend">${items.join('')}</ul>`;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function scale(axis: Axis, lo: number, hi: number, from: number, to: number): (v: number) => number {
  const f = axis.log ? (v: number) => Math.log10(Math.max(v, 1e-9)) : (v: number) => v;
  const a = f(lo);
  const b = f(hi);
  const span = b - a || 1;
  return (v) => from + ((f(v) - a) / span) * (to - from);
}

function autoTicks(axis: Axis, lo: number, hi: number): (readonly [number, string])[] {
  const fmt = axis.format ?? ((v: number) => String(Number(v.toPrecision(3))));
  if (axis.log) {
    const out: [number, string][] = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push([10 ** e, fmt(10 ** e)]);
    return out;
  }
  const step = niceStep((hi - lo) / 5);
  const out: [number, string][] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push([v, fmt(v)]);
  return out;
}

function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

function bounds(values: number[], log: boolean | undefined, ticks: Axis['ticks']): [number, number] {
  const vs = [...values, ...(ticks ?? []).map((t) => t[0])].filter((v) => Number.isFinite(v) && (!log || v > 0));
  if (vs.length === 0) return log ? [1, 10] : [0, 1];
  let lo = Math.min(...vs);
  let hi = Math.max(...vs);
  if (log) {
    lo = 10 ** Math.floor(Math.log10(lo));
    hi = 10 ** Math.ceil(Math.log10(hi));
    if (lo === hi) hi = lo * 10;
  } else {
    lo = Math.min(0, lo);
    if (lo === hi) hi = lo + 1;
  }
  return [lo, hi];
}

/** A line chart with markers, one line per series, legend on the right. */
export function lineChart(title: string, series: readonly Series[], x: Axis, y: Axis): string {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return `<figure><figcaption>${esc(title)}</figcaption><p class="empty">no data in this run</p></figure>`;
  const [x0, x1] = bounds(all.map((p) => p[0]), x.log, x.ticks);
  const [y0, y1] = bounds(all.map((p) => p[1]), y.log, y.ticks);
  const sx = scale(x, x0, x1, M.l, W - M.r);
  const sy = scale(y, y0, y1, H - M.b, M.t);
  const parts: string[] = [];
  // Tick labels closer than a label's size to the one before are left out (their grid line stays):
  // labels never overlap, however the data bunch the ticks.
  let lastY = Infinity;
  for (const [v, lab] of y.ticks ?? autoTicks(y, y0, y1)) {
    if (v < y0 || v > y1) continue;
    const py = sy(v);
    parts.push(`<line x1="${M.l}" x2="${W - M.r}" y1="${py.toFixed(1)}" y2="${py.toFixed(1)}" class="grid"/>`);
    if (Math.abs(lastY - py) < 16) continue;
    lastY = py;
    parts.push(`<text x="${M.l - 6}" y="${py.toFixed(1)}" class="yt">${esc(lab)}</text>`);
  }
  let lastX = -Infinity;
  for (const [v, lab] of x.ticks ?? autoTicks(x, x0, x1)) {
    if (v < x0 || v > x1) continue;
    const px = sx(v);
    parts.push(`<line y1="${M.t}" y2="${H - M.b}" x1="${px.toFixed(1)}" x2="${px.toFixed(1)}" class="grid"/>`);
    if (px - lastX < 8 * Math.max(4, lab.length) + 8) continue;
    lastX = px;
    parts.push(`<text x="${px.toFixed(1)}" y="${H - M.b + 16}" class="xt">${esc(lab)}</text>`);
  }
  series.forEach((s, i) => {
    const c = s.colour ?? PALETTE[i % PALETTE.length]!;
    const pattern = s.dashed ? '3 2' : s.dash ?? '';
    const dash = pattern ? ` stroke-dasharray="${pattern}"` : '';
    const pts = s.points.filter((p) => (!x.log || p[0] > 0) && (!y.log || p[1] > 0));
    const d = pts.map((p, j) => `${j === 0 ? 'M' : 'L'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join('');
    parts.push(`<path d="${d}" stroke="${c}" fill="none" stroke-width="2"${dash}/>`);
    for (const p of pts) parts.push(markerSvg(s.marker, sx(p[0]), sy(p[1]), c, `${s.name}: ${(x.format ?? String)(p[0])}, ${(y.format ?? String)(p[1])}`));
  });
  parts.push(`<text x="${(M.l + W - M.r) / 2}" y="${H - 8}" class="al">${esc(x.label)}</text>`);
  parts.push(`<text transform="translate(14 ${(M.t + H - M.b) / 2}) rotate(-90)" class="al">${esc(y.label)}</text>`);
  return `<figure><figcaption>${esc(title)}</figcaption><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">${parts.join('')}</svg>${legendHtml(series)}</figure>`;
}

/** Horizontal bars, one per entry, value printed at the end of the bar. */
export function barChart(title: string, bars: readonly Bar[], axisLabel: string): string {
  if (bars.length === 0) return `<figure><figcaption>${esc(title)}</figcaption><p class="empty">no data in this run</p></figure>`;
  const rowH = 24;
  const h = M.t + bars.length * rowH + 40;
  const left = 200;
  const right = W - 90;
  const max = Math.max(...bars.map((b) => b.value), 1e-9);
  // Log scale when the bars span more than two decades (polling against push usually does).
  const log = bars.every((b) => b.value > 0) && max / Math.min(...bars.map((b) => b.value)) > 100;
  const min = log ? 10 ** Math.floor(Math.log10(Math.min(...bars.map((b) => b.value)))) : 0;
  const sx = (v: number) => (log ? left + ((Math.log10(v) - Math.log10(min)) / (Math.log10(max) - Math.log10(min) || 1)) * (right - left) : left + (v / max) * (right - left));
  const parts = bars.map((b, i) => {
    const y = M.t + i * rowH;
    const w = Math.max(1, sx(b.value) - left);
    return `<text x="${left - 8}" y="${y + 15}" class="yt">${esc(b.name)}</text><rect x="${left}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 8}" fill="${b.colour ?? PALETTE[i % PALETTE.length]}"/><text x="${(left + w + 6).toFixed(1)}" y="${y + 15}" class="lg">${esc(b.label)}</text>`;
  });
  parts.push(`<text x="${(left + right) / 2}" y="${h - 8}" class="al">${esc(axisLabel)}${log ? ' (log scale)' : ''}</text>`);
  return `<figure><figcaption>${esc(title)}</figcaption><svg viewBox="0 0 ${W} ${h}" role="img" aria-label="${esc(title)}">${parts.join('')}</svg></figure>`;
}

export { esc };
