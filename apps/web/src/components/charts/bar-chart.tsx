import { formatCompact } from '../../lib/format';
import { CHART_H, CHART_W, Legend, labelStride, plotSize, type Series, XLabel, YGrid } from './axes';
import { niceMax } from './scale';

const PAD = { left: 40, right: 6, top: 10, bottom: 24 };

/** Stacked bars over time; each point's values are keyed by series. */
export function StackedBarChart({
  title,
  series,
  points,
  formatTick,
}: {
  title: string;
  series: Series[];
  points: Array<{ at: string; values: Record<string, number> }>;
  formatTick: (at: string) => string;
}) {
  const totals = points.map((p) => series.reduce((sum, s) => sum + (p.values[s.key] ?? 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const { innerW, innerH } = plotSize(PAD);
  const slot = points.length ? innerW / points.length : innerW;
  const barW = Math.max(1, slot * 0.72);
  const labelEvery = labelStride(points.length);
  const summary = series
    .map((s) => `${s.label} ${points.reduce((sum, p) => sum + (p.values[s.key] ?? 0), 0)}`)
    .join(', ');
  return (
    <figure>
      <svg
        viewBox={`0 0 ${CHART_W} ${CHART_H}`}
        className="h-auto w-full"
        role="img"
        aria-label={`${title}: ${summary}`}
      >
        <YGrid max={max} pad={PAD} format={formatCompact} />
        {points.map((p, i) => {
          let y = PAD.top + innerH;
          const x = PAD.left + i * slot + (slot - barW) / 2;
          return (
            <g key={p.at}>
              {series.map((s) => {
                const v = p.values[s.key] ?? 0;
                if (!v) return null;
                const h = (v / max) * innerH;
                y -= h;
                return <rect key={s.key} x={x} y={y} width={barW} height={Math.max(h, 0.5)} fill={s.color} />;
              })}
              {i % labelEvery === 0 ? <XLabel x={x + barW / 2}>{formatTick(p.at)}</XLabel> : null}
            </g>
          );
        })}
      </svg>
      <Legend series={series} />
    </figure>
  );
}
