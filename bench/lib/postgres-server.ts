import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '@keel/postgres';
import { freePort } from '@keel/postgres/testing';

/**
 * The Postgres server a benchmark runs on: DATABASE_URL's when it is set, else an embedded one
 * in a temporary directory. `stop()` stops and removes only what this started.
 */
export async function benchPostgresServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const given = process.env.DATABASE_URL;
  if (given) return { url: given, stop: async () => {} };
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'keel-bench-pg-'));
  const server = await startEmbeddedPostgres({ dataDir, port: await freePort() });
  return {
    url: server.url,
    async stop() {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
