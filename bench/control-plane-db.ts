import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  controlPlaneMigrations,
  ensureDatabase,
  migrate,
  startEmbeddedPostgres,
  withClient,
  withDatabase,
} from '@keel/postgres';
import { freePort } from '@keel/postgres/testing';

/**
 * A fresh, migrated control-plane database for a benchmark: on DATABASE_URL's server when it
 * is set, else on an embedded Postgres in a temporary directory. `stop()` drops and cleans up.
 */
export async function benchControlPlaneDatabase(
  label: string,
): Promise<{ url: string; stop(): Promise<void> }> {
  let serverUrl = process.env.DATABASE_URL;
  let stopServer = async () => {};
  if (!serverUrl) {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'keel-bench-pg-'));
    const server = await startEmbeddedPostgres({ dataDir, port: await freePort() });
    serverUrl = server.url;
    stopServer = async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    };
  }
  const name = `keel_bench_${label}_${process.pid}`;
  const url = withDatabase(serverUrl, name);
  await ensureDatabase(url);
  await withClient(url, (client) => migrate(client, controlPlaneMigrations));
  const admin = withDatabase(serverUrl, 'postgres');
  return {
    url,
    async stop() {
      await withClient(admin, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      await stopServer();
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

export function summary(samples: number[]): { p50: number; p95: number; p99: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}
