import { useTestDatabase } from '@keel/postgres/testing';
import { afterAll, describe, expect, it } from 'vitest';
import {
  pipelineConfig,
  startPipelineApp,
  storeEvents,
  trackEvents,
  WebhookSink,
  waitFor,
  webhookDestination,
} from '../delivery/testing';
import { GATEWAY_FAMILY, jobsDiskBytes, listRangePartitions, ROUTER_FAMILY } from './partitions';

const db = useTestDatabase('partitions');
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('partitioned job storage', () => {
  it('drops finished partitions whole, so disk use returns near where it started', async () => {
    const sink = await new WebhookSink().start();
    cleanups.push(() => sink.close());
    const dp = await startPipelineApp({
      databaseUrl: db.url,
      config: pipelineConfig([
        webhookDestination('dst_a', `${sink.url}/hook`, { batchingEnabled: true, maxBatchWaitMs: 10 }),
      ]),
      env: {
        JOBSDB_PARTITION_SIZE: '1000',
        JOBSDB_PARTITIONS_AHEAD: '2',
        JOBSDB_MAINTENANCE_INTERVAL_MS: '60000',
        // The dedup ids are bounded by their window, not by the backlog; processor.test.ts covers them.
        DEDUP_WINDOW_MS: '0',
      },
    });
    cleanups.push(() => dp.close());
    const pipeline = dp.app.dataPlane.pipeline;
    if (!pipeline) throw new Error('the pipeline did not start');
    await pipeline.maintain();
    const start = await jobsDiskBytes(db.pool);
    expect((await listRangePartitions(db.pool, GATEWAY_FAMILY)).length).toBe(2);

    const total = 6_000;
    let peak = 0;
    for (let i = 0; i < total; i += 1_000) {
      await storeEvents(db.pool, trackEvents(1_000, 100, `b${i}`));
      peak = Math.max(peak, await jobsDiskBytes(db.pool));
      await pipeline.maintain();
    }
    await waitFor(() => sink.summary().unique === total, 30_000, 'all deliveries');
    // Let the last statuses land, then one more round (and one more to pass the lock of the first).
    await waitFor(() => (pipeline.router?.statusesWritten ?? 0) >= total, 10_000, 'delivered statuses');
    await pipeline.maintain();
    await pipeline.maintain();
    const end = await jobsDiskBytes(db.pool);
    const gw = await listRangePartitions(db.pool, GATEWAY_FAMILY);
    const rt = await listRangePartitions(db.pool, ROUTER_FAMILY);
    console.log(
      `job tables: ${start} bytes at start, ${peak} at peak, ${end} after the drops; partitions left: gw ${gw.map((p) => p.lo)}, rt ${rt.map((p) => p.lo)}`,
    );
    // Only the partition still being filled and the ones kept ahead remain.
    expect(gw.every((p) => p.hi > total)).toBe(true);
    expect(rt.every((p) => p.hi > total)).toBe(true);
    expect(gw.length).toBeLessThanOrEqual(3);
    expect(end).toBeLessThan(peak);
    expect(end).toBeLessThanOrEqual(start * 1.6 + 64 * 1024);
  });
});
