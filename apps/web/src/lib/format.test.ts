import { describe, expect, it } from 'vitest';
import { formatCompact, formatMs, formatRelative, lastActiveHour } from './format';

describe('format', () => {
  const now = Date.parse('2026-11-26T12:00:00Z');
  it('writes times relative to now, and old ones as dates', () => {
    expect(formatRelative(null, now)).toBe('never');
    expect(formatRelative('2026-11-26T11:59:50Z', now)).toBe('just now');
    expect(formatRelative('2026-11-26T11:30:00Z', now)).toBe('30 min ago');
    expect(formatRelative(new Date('2026-11-26T07:00:00Z'), now)).toBe('5 h ago');
    expect(formatRelative('2026-11-01T00:00:00Z', now)).toBe('2026-11-01');
    expect(formatRelative('2026-11-29T12:00:00Z', now)).toBe('in 3 d');
  });
  it('shortens counts and latencies', () => {
    expect(formatCompact(12_345_678)).toBe('12.3M');
    expect(formatMs(87.4)).toBe('87 ms');
    expect(formatMs(1530)).toBe('1.5 s');
    expect(formatMs(null)).toBe('—');
  });
  it('says how long ago a source last sent events, from its hourly counts', () => {
    const hours = Array.from({ length: 24 }, () => 0);
    expect(lastActiveHour(hours)).toBe('no events in 24 h');
    hours[20] = 4;
    expect(lastActiveHour(hours)).toBe('3 h ago');
    hours[23] = 1;
    expect(lastActiveHour(hours)).toBe('this hour');
  });
});
