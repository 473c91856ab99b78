import { useTestDatabase } from '@keel/postgres/testing';
import type { WorkspaceConfig } from '@keel/shared';
import { afterEach } from 'vitest';
import type { GatewayJob } from '../../jobsdb/gateway-jobs';
import { startPipelineApp, storeEvents, waitFor } from '../testing';
import { gatewayJobs, type VendorServer } from './vendor-server';

const PIPELINE_TABLES = 'gw_jobs, rt_jobs, rt_status, proc_done, proc_dedup, failed_events, rpt_deltas';

/**
 * The set-up every vendor destination test shares: its own database, emptied after each test,
 * and the fake vendors and data planes a test starts, closed after it (the last started first).
 */
export function useVendorHarness(label: string) {
  const db = useTestDatabase(label);
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    await db.pool.query(`TRUNCATE ${PIPELINE_TABLES}`);
  });
  const count = async (sql: string): Promise<number> => {
    const { rows } = await db.pool.query<{ count: string }>(sql);
    return Number(rows[0]?.count ?? 0);
  };
  return {
    db,
    /** Starts a fake vendor's server, closed after the test. */
    async startVendor<T extends { server: VendorServer }>(fake: T): Promise<T> {
      await fake.server.start();
      cleanups.push(() => fake.server.close());
      return fake;
    },
    /** A processor + router data plane serving `config`, closed after the test. */
    async startPipeline(config: WorkspaceConfig, env?: Record<string, string>) {
      const dp = await startPipelineApp({ databaseUrl: db.url, config, ...(env ? { env } : {}) });
      cleanups.push(() => dp.close());
      return dp;
    },
    /** Stores `events` as the gateway would, with message ids `<prefix>-<index>`; returns the jobs. */
    async store(events: Record<string, unknown>[], prefix: string): Promise<GatewayJob[]> {
      const jobs = gatewayJobs(events.map((e, i) => ({ ...e, messageId: `${prefix}-${i}` })));
      await storeEvents(db.pool, jobs);
      return jobs;
    },
    /** Waits until the failed-events store holds `n` events. */
    async waitForFailedEvents(n: number, timeoutMs: number): Promise<void> {
      await waitFor(
        async () => (await count('SELECT count(*) FROM failed_events')) === n,
        timeoutMs,
        n === 1 ? 'the failed event' : `${n} failed events`,
      );
    },
    /** The single count a `SELECT count(*) …` returns. */
    count,
  };
}
