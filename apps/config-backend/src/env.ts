import { TransformEnv } from '@keel/transform';
import { z } from 'zod';

/** Every setting of the config-backend; documented in the README. Nothing else reads process.env. */
export const ConfigBackendEnv = z.object({
  /** Limits of transformation test runs: the data plane's, see @keel/transform's env.ts. */
  ...TransformEnv.shape,
  DATABASE_URL: z
    .string()
    .min(1, 'set DATABASE_URL, or start Keel with `npm start` to use the embedded Postgres'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** 32 bytes, base64: encrypts destination secrets (AES-256-GCM). */
  KEEL_SECRET_KEY: z
    .string()
    .refine(
      (v) => Buffer.from(v, 'base64').length === 32,
      'KEEL_SECRET_KEY must be 32 bytes in base64 (openssl rand -base64 32)',
    ),
  /** Where the web app is served; cookies and CORS are scoped to it. */
  PUBLIC_URL: z.string().url().default('http://localhost:3000'),
  SESSION_TTL_HOURS: z.coerce
    .number()
    .positive()
    .default(24 * 14),
  /**
   * Days the control plane keeps failed-event samples. The same name and default as the data
   * plane's setting, so one variable keeps both stores in step: a sample older than the data
   * plane's copy could no longer be replayed.
   */
  FAILED_EVENTS_RETENTION_DAYS: z.coerce.number().int().min(1).default(14),
  /** Marks cookies Secure; on by default when PUBLIC_URL is https. */
  COOKIE_SECURE: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true')),
});
export type ConfigBackendEnv = z.infer<typeof ConfigBackendEnv>;

export function loadEnv(source: NodeJS.ProcessEnv = process.env): ConfigBackendEnv {
  const parsed = ConfigBackendEnv.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`The config-backend's settings are not valid:\n${problems}`);
  }
  return parsed.data;
}
