import type { ReactNode } from 'react';

/** The viewBox every time chart draws in; the SVG scales to its container. */
export const CHART_W = 460;
export const CHART_H = 220;

export interface ChartPadding {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export function plotSize(pad: ChartPadding): { innerW: number; innerH: number } {
  return { innerW: CHART_W - pad.left - pad.right, innerH: CHART_H - pad.top - pad.bottom };
}

/** Label every n-th point, so at most about six time labels fit under the plot. */
export function labelStride(points: number): number {
  return Math.max(1, Math.ceil(points / 6));
}

/** Horizontal gridlines at 0, half and the top of the scale, each labelled on the left. */
export function YGrid({
  max,
  pad,
  format,
}: {
  max: number;
  pad: ChartPadding;
  format: (value: number) => string;
}) {
  const { innerH } = plotSize(pad);
  return (
    <>
      {[0, max / 2, max].map((t) => {
        const y = pad.top + innerH - (t / max) * innerH;
        return (
          <g key={t}>
            <line
              x1={pad.left}
              x2={CHART_W - pad.right}
              y1={y}
              y2={y}
              stroke="var(--color-ink-200)"
              strokeDasharray={t ? '3 3' : undefined}
            />
            <text x={pad.left - 6} y={y + 4} textAnchor="end" fontSize="12" fill="var(--color-ink-500)">
              {format(t)}
            </text>
          </g>
        );
      })}
    </>
  );
}

/** A time label under the plot, centred on `x`. */
export function XLabel({ x, children }: { x: number; children: ReactNode }) {
  return (
    <text x={x} y={CHART_H - 6} textAnchor="middle" fontSize="12" fill="var(--color-ink-500)">
      {children}
    </text>
  );
}

export interface Series {
  key: string;
  label: string;
  color: string;
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
