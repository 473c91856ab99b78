import { formatMs } from '../../lib/format';
import { Legend, type Series } from './bar-chart';
import { linePath, niceMax } from './scale';

const W = 460;
const H = 220;
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
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const labelEvery = Math.max(1, Math.ceil(points.length / 6));
  const step = points.length > 1 ? innerW / (points.length - 1) : 0;
  return (
    <figure>
      <svg viewBox={`0 0 ${W} ${H}`} className="h-auto w-full" role="img" aria-label={title}>
        {[0, max / 2, max].map((t) => {
          const y = PAD.top + innerH - (t / max) * innerH;
          return (
            <g key={t}>
              <line
                x1={PAD.left}
                x2={W - PAD.right}
                y1={y}
                y2={y}
                stroke="var(--color-ink-200)"
                strokeDasharray={t ? '3 3' : undefined}
              />
              <text x={PAD.left - 6} y={y + 4} textAnchor="end" fontSize="12" fill="var(--color-ink-500)">
                {formatMs(t)}
              </text>
            </g>
          );
        })}
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
            <text
              key={p.at}
              x={PAD.left + i * step}
              y={H - 6}
              textAnchor="middle"
              fontSize="12"
              fill="var(--color-ink-500)"
            >
              {formatTick(p.at)}
            </text>
          ) : null,
        )}
      </svg>
      <Legend series={series} />
    </figure>
  );
}
