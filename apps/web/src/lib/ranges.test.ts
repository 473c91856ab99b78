import { describe, expect, it } from 'vitest';
import { rangeOf, tickFormatter } from './ranges';

describe('ranges', () => {
  it('ends a range at the next whole minute and spans the chosen length', () => {
    const now = Date.parse('2026-11-26T12:34:20Z');
    expect(rangeOf('1h', now)).toEqual({ from: '2026-11-26T11:35:00.000Z', to: '2026-11-26T12:35:00.000Z' });
    expect(rangeOf('30d', now).from).toBe('2026-10-27T12:35:00.000Z');
  });
  it('labels axes by the bucket size', () => {
    expect(tickFormatter('minute')('2026-11-26T12:34:00.000Z')).toBe('12:34');
    expect(tickFormatter('hour')('2026-11-26T12:00:00.000Z')).toBe('11-26 12h');
    expect(tickFormatter('day')('2026-11-26T00:00:00.000Z')).toBe('11-26');
  });
});
