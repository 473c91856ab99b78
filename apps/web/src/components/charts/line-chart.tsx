import { formatMs } from '../../lib/format';
import { CHART_H, CHART_W, Legend, labelStride, plotSize, type Series, XLabel, YGrid } from './axes';
import { linePath, niceMax } from './scale';

const PAD = { left: 52, right: 6, top: 10, bottom: 24 };

/** Lines over time (latency percentiles); a missing value leaves a gap. */
export function LineChart({
  title,
  series,
  points,
  formatTick,
}: {
  title: string;
  series: Series[];
  points: Array<{ at: string; values: Record<string, number | null> }>;
  formatTick: (at: string) => string;
}) {
  const all = points.flatMap((p) => series.map((s) => p.values[s.key] ?? 0));
  const max = niceMax(Math.max(0, ...all));
  const { innerW, innerH } = plotSize(PAD);
  const labelEvery = labelStride(points.length);
  const step = points.length > 1 ? innerW / (points.length - 1) : 0;
  return (
    <figure>
      <svg viewBox={`0 0 ${CHART_W} ${CHART_H}`} className="h-auto w-full" role="img" aria-label={title}>
        <YGrid max={max} pad={PAD} format={formatMs} />
        <g transform={`translate(${PAD.left} ${PAD.top})`}>
          {series.map((s) => (
            <path
              key={s.key}
              d={linePath(
                points.map((p) => p.values[s.key] ?? null),
                innerW,
                innerH,
                max,
              )}
              fill="none"
              stroke={s.color}
              strokeWidth="2"
              strokeLinejoin="round"
              strokeLinecap="round"
            />
          ))}
          {series.map((s) =>
            points.map((p, i) => {
              const v = p.values[s.key];
              if (v === null || v === undefined) return null;
              return (
                <circle
                  key={`${s.key}-${p.at}`}
                  cx={i * step}
                  cy={innerH - (v / max) * innerH}
                  r="2.5"
                  fill={s.color}
                />
              );
            }),
          )}
        </g>
        {points.map((p, i) =>
          i % labelEvery === 0 ? (
            <XLabel key={p.at} x={PAD.left + i * step}>
              {formatTick(p.at)}
            </XLabel>
          ) : null,
        )}
      </svg>
      <Legend series={series} />
    </figure>
  );
}
