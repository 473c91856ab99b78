import { describe, expect, it } from 'vitest';
import { linePath, niceMax } from './scale';

describe('chart scales', () => {
  it('rounds axis maxima up to 1, 2 or 5 times a power of ten', () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(7)).toBe(10);
    expect(niceMax(130)).toBe(200);
    expect(niceMax(4200)).toBe(5000);
    expect(niceMax(1000)).toBe(1000);
  });
  it('draws a line that breaks where values are missing', () => {
    expect(linePath([0, 10, null, 5, 10], 40, 100, 10)).toBe('M0.0 100.0L10.0 0.0M30.0 50.0L40.0 0.0');
  });
});
