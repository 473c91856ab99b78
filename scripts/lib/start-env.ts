import path from 'node:path';
import { z } from 'zod';

/** The settings of `npm start`; each is documented in the README with its default. */
export const StartEnv = z.object({
  DATABASE_URL: z.string().optional(),
  KEEL_DATA_DIR: z.string().default('.data'),
  KEEL_EMBEDDED_PG_PORT: z.coerce.number().int().default(5488),
  WEB_PORT: z.coerce.number().int().default(3000),
  CONFIG_BACKEND_PORT: z.coerce.number().int().default(4000),
  DATAPLANE_PORT: z.coerce.number().int().default(8080),
  /** `dev` runs `next dev`; `prod` runs `next start` on a build from `npm run build`; `auto` picks prod when a build exists. */
  KEEL_WEB_MODE: z.enum(['auto', 'dev', 'prod']).default('auto'),
  /** Passed on to the processes when set; otherwise generated (secret key) or derived from the ports. */
  KEEL_SECRET_KEY: z.string().optional(),
  PUBLIC_URL: z.string().optional(),
  DATA_PLANE_URL: z.string().optional(),
  DATA_PLANE_ID: z.string().default('local'),
});
export type StartEnv = z.infer<typeof StartEnv>;

export function loadStartEnv(source: NodeJS.ProcessEnv, repoRoot: string): StartEnv {
  const env = StartEnv.parse(source);
  return { ...env, KEEL_DATA_DIR: path.resolve(repoRoot, env.KEEL_DATA_DIR) };
}
