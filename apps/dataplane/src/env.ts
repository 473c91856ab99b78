import os from 'node:os';
import { TransformEnv } from '@keel/transform';
import { z } from 'zod';

export const DataPlaneRole = z.enum(['gateway', 'processor', 'router']);
export type DataPlaneRole = z.infer<typeof DataPlaneRole>;

/** Every setting of the data plane; documented in the README. Nothing else reads process.env. */
export const DataPlaneEnv = z.object({
  /** User-transformation sandbox limits (TRANSFORM_*), see @keel/transform's env.ts. */
  ...TransformEnv.shape,
  /** The data plane's own Postgres. Defaults to DATABASE_URL, the one the control plane uses. */
  DATAPLANE_DATABASE_URL: z.string().optional(),
  DATABASE_URL: z.string().optional(),
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Which stages this process runs; several processes may split them. */
  ROLES: z
    .string()
    .default('gateway,processor,router')
    .transform((v) =>
      v
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean),
    )
    .pipe(z.array(DataPlaneRole).min(1)),
  CONFIG_BACKEND_URL: z.string().url().default('http://127.0.0.1:4000'),
  DATA_PLANE_TOKEN: z.string().min(1, 'set DATA_PLANE_TOKEN to a data-plane token from workspace settings'),
  /** Names this data plane in reports; stable across restarts. */
  DATA_PLANE_ID: z.string().min(1).default(os.hostname()),
  CONFIG_POLL_INTERVAL_MS: z.coerce.number().int().positive().default(5000),
  /** Largest request body, compressed or inflated (RudderStack's default is 4 MB). */
  GATEWAY_MAX_REQUEST_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(4 * 1024 * 1024),
  /** Largest single event once serialised. */
  GATEWAY_MAX_EVENT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(32 * 1024),
  /** Payload bytes that may wait for a group commit; past it requests get 503 + Retry-After. */
  GATEWAY_QUEUE_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(64 * 1024 * 1024),
  /** Most events in one group-commit transaction. */
  GATEWAY_COMMIT_MAX_EVENTS: z.coerce.number().int().positive().default(10_000),
  /**
   * Group-commit transactions in flight at once; their appends still serialise on the ordering
   * lock, but the next batch is sent while the last one commits. Measured by the gateway bench
   * on an idle 2-core box: 1 → 85k events/s batched, 18.3k single requests/s; 2 → 126k and 17.4k.
   */
  GATEWAY_COMMIT_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  /**
   * After a commit, wait this long before the next one so the clients just answered can join it.
   * Measured with 64 clients: 0 → batches of 32, 2.9–3.6k submits/s, p50 13–17 ms; 1 → batches
   * of 64, 6.1k/s, p50 7 ms, half the CPU per submit. 0 turns it off.
   */
  GATEWAY_COMMIT_LINGER_MS: z.coerce.number().int().min(0).max(50).default(1),
  /** A commit slower than this answers its requests 503 (they are retried; at-least-once). */
  GATEWAY_COMMIT_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /**
   * Which X-Forwarded-For hops to trust for request_ip: empty (none, the default), `true`
   * (all), a number of hops, or comma-separated addresses/CIDRs of the proxies.
   */
  GATEWAY_TRUST_PROXY: z
    .string()
    .default('')
    .transform((v): boolean | number | string[] => {
      const value = v.trim();
      if (value === '' || value === 'false') return false;
      if (value === 'true') return true;
      if (/^\d+$/.test(value)) return Number(value);
      return value
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
    }),
  /** Job ids per job-table partition; a partition is dropped whole once all its jobs are finished. */
  JOBSDB_PARTITION_SIZE: z.coerce.number().int().min(100).default(100_000),
  /** Empty partitions kept ready beyond the newest job id. */
  JOBSDB_PARTITIONS_AHEAD: z.coerce.number().int().min(1).max(50).default(3),
  JOBSDB_MAINTENANCE_INTERVAL_MS: z.coerce.number().int().positive().default(2_000),
  /** Gateway events per processor transaction. */
  PROCESSOR_BATCH_SIZE: z.coerce.number().int().min(1).max(50_000).default(2_000),
  /**
   * After a read that found less than a full batch, the processor's next read waits until this
   * long after that one began. Every transaction has a fixed cost, so small batches at moderate
   * load cost more CPU per event than full ones at peak (see docs/jobsdb.md); this trades up to
   * this much latency for it. 0 reads again at once.
   */
  PROCESSOR_BATCH_WAIT_MS: z.coerce.number().int().min(0).max(5_000).default(100),
  /** Drop events whose messageId a source sent within this window; 0 turns deduplication off. */
  DEDUP_WINDOW_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(24 * 60 * 60 * 1000),
  /** Router leases per destination; processes share a destination's users by these. Keep it fixed. */
  ROUTER_SHARDS: z.coerce.number().int().min(1).max(256).default(8),
  /** Attempts after which a retried job is aborted into the failed-events store. */
  ROUTER_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(100),
  /** Time after a job's first failure after which it is aborted. */
  ROUTER_RETRY_WINDOW_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(3 * 60 * 60 * 1000),
  ROUTER_BACKOFF_MIN_MS: z.coerce.number().int().positive().default(500),
  ROUTER_BACKOFF_MAX_MS: z.coerce.number().int().positive().default(300_000),
  /** Consecutive failed requests that open a destination's circuit breaker. */
  ROUTER_BREAKER_FAILURES: z.coerce.number().int().min(1).default(20),
  /** First cool-down of an open breaker; it doubles up to a minute while probes fail. */
  ROUTER_BREAKER_COOLDOWN_MS: z.coerce.number().int().positive().default(1_000),
  /** Jobs of one destination held in memory; the rest wait in Postgres. */
  ROUTER_MAX_JOBS_IN_MEMORY: z.coerce.number().int().min(100).default(10_000),
  /** Days an aborted event stays in the failed-events store. */
  FAILED_EVENTS_RETENTION_DAYS: z.coerce.number().int().min(1).default(14),
  /** How often reports and failed events are pushed and replay commands pulled. */
  CONTROL_PLANE_PUSH_INTERVAL_MS: z.coerce.number().int().positive().default(5_000),
  /**
   * How often the data plane asks whether someone is watching live events: events that arrive
   * between opening the live view and the next poll are not shown. One indexed read per poll.
   */
  LIVE_EVENTS_POLL_MS: z.coerce.number().int().positive().default(500),
  /** How often the gateway pushes write keys' last-used times to the control plane (and on stop). */
  WRITE_KEY_USAGE_PUSH_INTERVAL_MS: z.coerce.number().int().positive().default(30_000),
});
export type DataPlaneEnv = z.infer<typeof DataPlaneEnv> & { databaseUrl: string };

export function loadEnv(source: NodeJS.ProcessEnv = process.env): DataPlaneEnv {
  const parsed = DataPlaneEnv.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`The data plane's settings are not valid:\n${problems}`);
  }
  const databaseUrl = parsed.data.DATAPLANE_DATABASE_URL ?? parsed.data.DATABASE_URL;
  if (!databaseUrl) {
    throw new Error(
      'Set DATAPLANE_DATABASE_URL or DATABASE_URL, or start Keel with `npm start` to use the embedded Postgres.',
    );
  }
  return { ...parsed.data, databaseUrl };
}
