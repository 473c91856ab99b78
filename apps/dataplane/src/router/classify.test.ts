import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker';
import { backoffMs, classifyStatus, retryAfterMs } from './classify';

describe('response classes', () => {
  it('delivers 2xx, retries 408, 429 and 5xx, aborts other 4xx', () => {
    expect([200, 201, 204].map(classifyStatus)).toEqual(['delivered', 'delivered', 'delivered']);
    expect([408, 429, 500, 502, 503].map(classifyStatus)).toEqual([
      'retry',
      'retry',
      'retry',
      'retry',
      'retry',
    ]);
    expect([400, 401, 403, 404, 413, 422].map(classifyStatus)).toEqual(Array(6).fill('abort'));
    expect(classifyStatus(301)).toBe('abort');
  });
});

describe('backoff', () => {
  const policy = { minMs: 100, maxMs: 10_000 };

  it('doubles per attempt with jitter between half and the whole step, up to the cap', () => {
    expect(backoffMs(1, policy, undefined, () => 0)).toBe(50);
    expect(backoffMs(1, policy, undefined, () => 1)).toBe(100);
    expect(backoffMs(4, policy, undefined, () => 1)).toBe(800);
    expect(backoffMs(30, policy, undefined, () => 1)).toBe(10_000);
  });

  it('waits at least as long as Retry-After asks, in seconds or as a date', () => {
    expect(retryAfterMs('3')).toBe(3_000);
    const now = Date.parse('2026-11-26T10:00:00Z');
    expect(retryAfterMs('Thu, 26 Nov 2026 10:00:05 GMT', now)).toBe(5_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(backoffMs(1, policy, 3_000, () => 0)).toBe(3_000);
  });
});

describe('circuit breaker', () => {
  it('opens after consecutive failures, lets one probe through after the cool-down, and closes on success', () => {
    const breaker = new CircuitBreaker(3, 1_000, 8_000);
    const t = 1_000_000;
    for (let i = 0; i < 3; i++) breaker.onFailure(t);
    expect(breaker.isOpen).toBe(true);
    expect(breaker.allowance(0, t + 500)).toBe(0);
    expect(breaker.allowance(0, t + 1_000)).toBe(1);
    breaker.onStart();
    expect(breaker.allowance(0, t + 1_000)).toBe(0);
    breaker.onFailure(t + 1_100);
    // The failed probe doubles the cool-down.
    expect(breaker.allowance(0, t + 2_500)).toBe(0);
    expect(breaker.allowance(0, t + 3_100)).toBe(1);
    breaker.onStart();
    breaker.onSuccess();
    expect(breaker.isOpen).toBe(false);
    expect(breaker.allowance(5, t + 3_200)).toBe(Number.POSITIVE_INFINITY);
  });
});
