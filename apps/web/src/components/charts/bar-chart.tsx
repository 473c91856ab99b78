import { formatCompact } from '../../lib/format';
import { niceMax } from './scale';

export interface Series {
  key: string;
  label: string;
  color: string;
}

const W = 460;
const H = 220;
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
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const slot = points.length ? innerW / points.length : innerW;
  const barW = Math.max(1, slot * 0.72);
  const ticks = [0, max / 2, max];
  const labelEvery = Math.max(1, Math.ceil(points.length / 6));
  const summary = series
    .map((s) => `${s.label} ${points.reduce((sum, p) => sum + (p.values[s.key] ?? 0), 0)}`)
    .join(', ');
  return (
    <figure>
      <svg viewBox={`0 0 ${W} ${H}`} className="h-auto w-full" role="img" aria-label={`${title}: ${summary}`}>
        {ticks.map((t) => {
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
                {formatCompact(t)}
              </text>
            </g>
          );
        })}
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
              {i % labelEvery === 0 ? (
                <text
                  x={x + barW / 2}
                  y={H - 6}
                  textAnchor="middle"
                  fontSize="12"
                  fill="var(--color-ink-500)"
                >
                  {formatTick(p.at)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <Legend series={series} />
    </figure>
  );
}

export function Legend({ series }: { series: Series[] }) {
  return (
    <figcaption className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-ink-600">
      {series.map((s) => (
        <span key={s.key} className="inline-flex items-center gap-1.5">
          <span aria-hidden className="inline-block h-2.5 w-2.5 rounded-sm" style={{ background: s.color }} />
          {s.label}
        </span>
      ))}
    </figcaption>
  );
}
