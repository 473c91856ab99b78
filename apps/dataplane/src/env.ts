import os from 'node:os';
import { z } from 'zod';

export const DataPlaneRole = z.enum(['gateway', 'processor', 'router']);
export type DataPlaneRole = z.infer<typeof DataPlaneRole>;

/** Every setting of the data plane; documented in the README. Nothing else reads process.env. */
export const DataPlaneEnv = z.object({
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
  /** Group-commit transactions in flight at once. */
  GATEWAY_COMMIT_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
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
