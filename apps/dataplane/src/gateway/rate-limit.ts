import { GatewayError } from './errors';

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/**
 * Per-source token buckets holding one second of the source's event rate. The limit is per
 * gateway process; with N gateways behind a balancer a source may get up to N times its rate.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Takes `events` tokens or throws `rate-limited` with the seconds until they are there. */
  take(sourceId: string, perSecond: number | null, events: number): void {
    if (perSecond === null) return;
    const now = this.now();
    let bucket = this.buckets.get(sourceId);
    if (!bucket) {
      bucket = { tokens: perSecond, updatedMs: now };
      this.buckets.set(sourceId, bucket);
    }
    bucket.tokens = Math.min(perSecond, bucket.tokens + ((now - bucket.updatedMs) / 1000) * perSecond);
    bucket.updatedMs = now;
    // A batch larger than one second's worth passes when the bucket is full and leaves a debt.
    const needed = Math.min(events, perSecond) - bucket.tokens;
    if (needed <= 0) {
      bucket.tokens -= events;
      return;
    }
    throw new GatewayError(
      'rate-limited',
      `This source may send ${perSecond} events per second; retry after the Retry-After header's seconds or raise the source's limit.`,
      { retryAfterSeconds: Math.max(1, Math.ceil(needed / perSecond)) },
    );
  }
}
