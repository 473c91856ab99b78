import { controlPlaneMigrations, ensureDatabase, migrate, withClient, withDatabase } from '@keel/postgres';
import { benchPostgresServer } from './lib/postgres-server';

/**
 * A fresh, migrated control-plane database for a benchmark: on DATABASE_URL's server when it
 * is set, else on an embedded Postgres in a temporary directory. `stop()` drops and cleans up.
 */
export async function benchControlPlaneDatabase(
  label: string,
): Promise<{ url: string; stop(): Promise<void> }> {
  const server = await benchPostgresServer();
  const serverUrl = server.url;
  const name = `keel_bench_${label}_${process.pid}`;
  const url = withDatabase(serverUrl, name);
  await ensureDatabase(url);
  await withClient(url, (client) => migrate(client, controlPlaneMigrations));
  const admin = withDatabase(serverUrl, 'postgres');
  return {
    url,
    async stop() {
      await withClient(admin, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      await server.stop();
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
