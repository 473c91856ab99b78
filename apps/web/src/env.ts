import { z } from 'zod';

/**
 * The web app's settings. Nothing else reads process.env. They are read where the server runs
 * (the `/trpc` route, the root layout), never fixed into a build, so one build serves any
 * deployment.
 */
export const WebEnv = z.object({
  /** Where `next build` writes and `next start` reads, relative to apps/web. */
  KEEL_WEB_DIST_DIR: z.string().min(1).default('.next'),
  /** The config-backend that `/trpc/*` is forwarded to, same-origin for the browser. */
  CONFIG_BACKEND_URL: z
    .string()
    .url('CONFIG_BACKEND_URL must be a URL such as http://127.0.0.1:4000')
    .default('http://127.0.0.1:4000')
    .transform((url) => url.replace(/\/+$/, '')),
  /** The gateway URL that install snippets send events to. */
  DATA_PLANE_URL: z
    .string()
    .url('DATA_PLANE_URL must be a URL such as https://events.example.com')
    .default('http://localhost:8080')
    .transform((url) => url.replace(/\/+$/, '')),
});
export type WebEnv = z.infer<typeof WebEnv>;

export function loadWebEnv(source: NodeJS.ProcessEnv = process.env): WebEnv {
  const parsed = WebEnv.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`The web app's settings are not valid:\n${problems}`);
  }
  return parsed.data;
}
