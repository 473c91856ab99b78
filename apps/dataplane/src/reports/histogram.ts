/**
 * Latency histograms with log-spaced buckets (each 25% wider than the last), from 1 ms to
 * about 4 hours: 70 integers per report row, mergeable by addition, percentiles within 25%.
 */
const GROWTH = 1.25;
export const BUCKETS = 70;

/** Upper bound in ms of each bucket; the last one is open-ended. */
export const BUCKET_BOUNDS: readonly number[] = Array.from({ length: BUCKETS }, (_, i) =>
  Math.ceil(GROWTH ** i),
);

export function bucketOf(ms: number): number {
  if (ms <= 1) return 0;
  const i = Math.ceil(Math.log(ms) / Math.log(GROWTH));
  return Math.min(BUCKETS - 1, Math.max(0, i));
}

export function emptyHistogram(): number[] {
  return new Array<number>(BUCKETS).fill(0);
}

export function addTo(target: number[], source: readonly number[]): void {
  for (let i = 0; i < BUCKETS; i++) target[i] = (target[i] ?? 0) + (source[i] ?? 0);
}

/** The bucket bound at or above which `p` (0–1) of the samples lie, or null when empty. */
export function percentile(histogram: readonly number[], p: number): number | null {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.ceil(total * p);
  let seen = 0;
  for (let i = 0; i < BUCKETS; i++) {
    seen += histogram[i] ?? 0;
    if (seen >= rank) return BUCKET_BOUNDS[i] ?? null;
  }
  return BUCKET_BOUNDS[BUCKETS - 1] ?? null;
}
