export const RANGES = [
  { id: '1h', label: 'Last hour', ms: 3_600_000 },
  { id: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { id: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { id: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
] as const;
export type RangeId = (typeof RANGES)[number]['id'];

/** A range ending at the next whole minute, so repeated renders ask for the same window. */
export function rangeOf(id: RangeId, now = Date.now()): { from: string; to: string } {
  const span = RANGES.find((r) => r.id === id)?.ms ?? 86_400_000;
  const to = Math.ceil(now / 60_000) * 60_000;
  return { from: new Date(to - span).toISOString(), to: new Date(to).toISOString() };
}

/** Axis labels: times for short ranges, dates for long ones. */
export function tickFormatter(bucket: 'minute' | 'hour' | 'day'): (at: string) => string {
  if (bucket === 'day') return (at) => at.slice(5, 10);
  if (bucket === 'hour') return (at) => `${at.slice(5, 10)} ${at.slice(11, 13)}h`;
  return (at) => at.slice(11, 16);
}
