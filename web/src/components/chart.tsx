// A price chart (uPlot, canvas). Both panels pass the same scale, so their lines compare directly.
import { effect, type ReadonlySignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { ChartScale } from '../state/dashboard.ts';
import type { Series } from '../state/panel.ts';

const AXIS = { stroke: '#8a94a6', grid: { stroke: '#1c2230', width: 1 }, ticks: { stroke: '#1c2230', width: 1 }, font: '11px system-ui, sans-serif' };

export function Chart({ series, scale, color, decimals }: { series: ReadonlySignal<Series>; scale: ReadonlySignal<ChartScale | null>; color: string; decimals: ReadonlySignal<number> }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current!;
    const plot = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height: 200,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: true, auto: false }, y: { auto: false } },
        axes: [
          { ...AXIS, size: 30 },
          {
            ...AXIS,
            // Wide enough for the longest label: BTC's 94960.00 needs more room than SOL's 140.35.
            size: (_u, values) => 16 + 7 * Math.max(4, ...(values ?? []).map((v) => String(v).length)),
            values: (_u, ticks) => ticks.map((t) => t.toFixed(decimals.peek())),
          },
        ],
        series: [{}, { stroke: color, width: 1.5, points: { show: false }, paths: uPlot.paths.stepped!({ align: 1 }) }],
      },
      [[], []],
      el,
    );
    const stop = effect(() => {
      const s = series.value;
      const sc = scale.value;
      plot.batch(() => {
        plot.setData([s.xs as number[], s.ys as number[]], false);
        if (sc) {
          plot.setScale('x', { min: sc.xMin, max: sc.xMax });
          plot.setScale('y', { min: sc.yMin, max: sc.yMax });
        }
      });
    });
    const ro = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height: 200 }));
    ro.observe(el);
    return () => {
      stop();
      ro.disconnect();
      plot.destroy();
    };
  }, [series, scale, color, decimals]);
  return <div class="chart" ref={box} />;
}
