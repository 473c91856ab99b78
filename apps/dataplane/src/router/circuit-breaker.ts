/**
 * One destination's circuit breaker. After `threshold` consecutive failed requests it opens:
 * nothing is sent, so the jobs behind keep their attempts. After a cool-down, which doubles
 * each time it reopens, one probe request goes out; its success closes the breaker.
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private coolDownMs: number;
  private probing = false;

  constructor(
    private readonly threshold: number,
    private readonly minCoolDownMs: number,
    private readonly maxCoolDownMs: number,
  ) {
    this.coolDownMs = minCoolDownMs;
  }

  get isOpen(): boolean {
    return this.failures >= this.threshold;
  }

  /** How many requests may start now: all (Infinity), one probe, or none. */
  allowance(inFlight: number, now = Date.now()): number {
    if (!this.isOpen) return Number.POSITIVE_INFINITY;
    if (now < this.openUntil || this.probing || inFlight > 0) return 0;
    return 1;
  }

  /** When the breaker will let a probe through, or 0 when it is closed. */
  get reopensAt(): number {
    return this.isOpen ? this.openUntil : 0;
  }

  onStart(): void {
    if (this.isOpen) this.probing = true;
  }

  onSuccess(): void {
    this.failures = 0;
    this.probing = false;
    this.coolDownMs = this.minCoolDownMs;
  }

  onFailure(now = Date.now()): void {
    const wasProbe = this.probing;
    this.probing = false;
    this.failures += 1;
    if (this.failures === this.threshold || wasProbe) {
      if (wasProbe) this.coolDownMs = Math.min(this.maxCoolDownMs, this.coolDownMs * 2);
      this.openUntil = now + this.coolDownMs;
    }
  }
}
