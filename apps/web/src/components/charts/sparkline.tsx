import { linePath, niceMax } from './scale';

export function Sparkline({
  values,
  label,
  width = 120,
  height = 28,
}: {
  values: number[];
  label: string;
  width?: number;
  height?: number;
}) {
  const max = niceMax(Math.max(0, ...values));
  const line = linePath(values, width, height - 2, max);
  return (
    <svg
      width={width}
      height={height}
      viewBox={`0 -1 ${width} ${height}`}
      role="img"
      aria-label={label}
      className="overflow-visible"
    >
      <path
        d={`${line}L${width} ${height - 2}L0 ${height - 2}Z`}
        fill="var(--color-brand-100)"
        stroke="none"
      />
      <path d={line} fill="none" stroke="var(--color-brand-600)" strokeWidth="1.5" strokeLinejoin="round" />
    </svg>
  );
}
