/** What the router does with a job after one response (or network error). */
export type Verdict = 'delivered' | 'retry' | 'abort';

/** 2xx delivered; 408, 429 and 5xx retried; any other status aborted at once. */
export function classifyStatus(status: number): Verdict {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  return 'abort';
}

/** `Retry-After` in ms, as seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export interface BackoffPolicy {
  minMs: number;
  maxMs: number;
}

/**
 * Exponential backoff with "equal jitter": half the step is fixed, half random, so retries of
 * many jobs spread out but none comes back immediately. A Retry-After longer than the step wins.
 */
export function backoffMs(
  attempt: number,
  policy: BackoffPolicy,
  retryAfter?: number,
  random: () => number = Math.random,
): number {
  const step = Math.min(policy.maxMs, policy.minMs * 2 ** Math.max(0, attempt - 1));
  const jittered = step / 2 + random() * (step / 2);
  return Math.round(Math.max(jittered, retryAfter ?? 0));
}
