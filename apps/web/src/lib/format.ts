const numberFormat = new Intl.NumberFormat('en-US');
const compactFormat = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

export function formatNumber(n: number): string {
  return numberFormat.format(n);
}

export function formatCompact(n: number): string {
  return compactFormat.format(n);
}

/** "3 min ago", "2 h ago", or a date for anything older than a week. */
export function formatRelative(value: string | Date | null | undefined, now = Date.now()): string {
  if (!value) return 'never';
  const at = typeof value === 'string' ? Date.parse(value) : value.getTime();
  const seconds = Math.round((now - at) / 1000);
  if (seconds < -45) {
    const ahead = -seconds;
    if (ahead < 3600) return `in ${Math.round(ahead / 60)} min`;
    if (ahead < 86_400) return `in ${Math.round(ahead / 3600)} h`;
    return `in ${Math.round(ahead / 86_400)} d`;
  }
  if (seconds < 45) return 'just now';
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  if (seconds < 7 * 86_400) return `${Math.round(seconds / 86_400)} d ago`;
  return new Date(at).toISOString().slice(0, 10);
}

export function formatDateTime(value: string | Date): string {
  const d = typeof value === 'string' ? new Date(value) : value;
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)} UTC`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s` : `${Math.round(ms)} ms`;
}

/** "this hour", "3 h ago", or "no events in 24 h", from 24 hourly counts (oldest first). */
export function lastActiveHour(hourly: number[]): string {
  const last = hourly.findLastIndex((n) => n > 0);
  if (last < 0) return 'no events in 24 h';
  const ago = hourly.length - 1 - last;
  return ago === 0 ? 'this hour' : `${ago} h ago`;
}
