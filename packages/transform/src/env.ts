import { z } from 'zod';
import type { SandboxLimitsInput } from './limits';

/**
 * The sandbox settings, for the env.ts of each app that runs transformations (the data plane,
 * and the config-backend for test runs), so both use the same limits. Spread its shape into
 * the app's env schema; nothing here reads process.env.
 */
export const TransformEnv = z.object({
  /** Heap per transformation isolate. */
  TRANSFORM_MEMORY_LIMIT_MB: z.coerce.number().int().min(8).default(128),
  /** CPU time per batch of events. */
  TRANSFORM_CPU_LIMIT_MS: z.coerce.number().int().positive().default(4000),
  /** Wall-clock time per batch, including awaited fetches. */
  TRANSFORM_WALL_LIMIT_MS: z.coerce.number().int().positive().default(30_000),
  /** Sandbox child processes; each transformation always runs in the same one. */
  TRANSFORM_PROCESSES: z.coerce.number().int().min(1).max(64).default(1),
  TRANSFORM_FETCH_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  TRANSFORM_FETCH_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  /** Comma-separated private CIDRs fetch may reach anyway (an internal enrichment service). */
  TRANSFORM_FETCH_ALLOWED_CIDRS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean),
    ),
});
export type TransformEnv = z.infer<typeof TransformEnv>;

export function limitsFromEnv(env: TransformEnv): SandboxLimitsInput {
  return {
    memoryLimitMb: env.TRANSFORM_MEMORY_LIMIT_MB,
    cpuTimeLimitMs: env.TRANSFORM_CPU_LIMIT_MS,
    wallTimeLimitMs: env.TRANSFORM_WALL_LIMIT_MS,
    fetchTimeoutMs: env.TRANSFORM_FETCH_TIMEOUT_MS,
    fetchMaxResponseBytes: env.TRANSFORM_FETCH_MAX_BYTES,
    fetchAllowedCidrs: env.TRANSFORM_FETCH_ALLOWED_CIDRS,
  };
}
