import { useTestDatabase } from '@keel/postgres/testing';
import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  eventually,
  pipelineConfig,
  startPipelineApp,
  storeEvents,
  trackEvents,
  WebhookSink,
  waitFor,
  webhookDestination,
} from '../delivery/testing';
import { runScript } from './copy';
import { processedUpTo } from './gateway-reader';
import { routerPartitionMemory, runMaintenance } from './maintenance';
import { GATEWAY_FAMILY, jobsDiskBytes, listRangePartitions, ROUTER_FAMILY } from './partitions';
import {
  loadPendingRouterJobs,
  type NewRouterJob,
  type RouterStatusRow,
  routerJobsSteps,
  routerStatusesStep,
} from './router-jobs';

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

describe('router jobs that refer to their gateway events', () => {
  const refDb = useTestDatabase('gwrefs');
  // Its own database: the data plane of the first test still holds the processor lease in that one.
  const lostDb = useTestDatabase('gwlost');
  // Registered after the databases, so that it runs before they are dropped.
  const stops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  it('sends the gateway text itself, and keeps its partition until the router jobs are finished', async () => {
    const sink = await new WebhookSink().start();
    stops.push(() => sink.close());
    let down = true;
    sink.reply = () => (down ? { status: 503 } : { status: 200 });
    const dp = await startPipelineApp({
      databaseUrl: refDb.url,
      config: pipelineConfig([webhookDestination('dst_ref', `${sink.url}/hook`)]),
      env: {
        JOBSDB_PARTITION_SIZE: '100',
        JOBSDB_PARTITIONS_AHEAD: '2',
        JOBSDB_MAINTENANCE_INTERVAL_MS: '60000',
        DEDUP_WINDOW_MS: '0',
      },
    });
    stops.push(() => dp.close());
    const pipeline = dp.app.dataPlane.pipeline;
    if (!pipeline) throw new Error('the pipeline did not start');
    // Spacing JSON.stringify would not write: what arrives must be the stored text itself.
    const jobs = trackEvents(250, 5, 'ref').map((j) => ({ ...j, payload: j.payload.replace('{', '{ ') }));
    for (let i = 0; i < jobs.length; i += 100) {
      await pipeline.maintain();
      await storeEvents(refDb.pool, jobs.slice(i, i + 100));
    }
    await waitFor(async () => (await processedUpTo(refDb.pool)) >= 250, 10_000, 'processed');
    const referring = await refDb.pool.query<{ n: string }>(
      'SELECT sum(job_count) AS n FROM rt_jobs WHERE gw_job_id IS NOT NULL AND body IS NULL',
    );
    expect(Number(referring.rows[0]?.n)).toBe(250);

    // Processed, but the router still needs the events: the partitions stay.
    await pipeline.maintain();
    await pipeline.maintain();
    expect((await listRangePartitions(refDb.pool, GATEWAY_FAMILY))[0]?.lo).toBe(1);

    down = false;
    await waitFor(() => sink.summary().unique === 250, 30_000, 'all deliveries');
    expect(new Set(sink.bodies)).toEqual(new Set(jobs.map((j) => j.payload)));
    await waitFor(() => (pipeline.router?.statusesWritten ?? 0) >= 250, 10_000, 'delivered statuses');
    // The router partitions go first, then the gateway partitions nothing refers into any more.
    await waitFor(
      async () => {
        await pipeline.maintain();
        return (await listRangePartitions(refDb.pool, GATEWAY_FAMILY)).every((p) => p.hi > 250);
      },
      10_000,
      'gateway partitions dropped',
    );
  });

  it('aborts a job whose gateway event is gone into the failed-events store instead of sending it bare', async () => {
    const sink = await new WebhookSink().start();
    stops.push(() => sink.close());
    const dp = await startPipelineApp({
      databaseUrl: lostDb.url,
      config: pipelineConfig([webhookDestination('dst_lost', `${sink.url}/hook`)]),
      env: { ROLES: 'processor', DEDUP_WINDOW_MS: '0' },
    });
    const jobs = trackEvents(3, 1, 'lost');
    await storeEvents(lostDb.pool, jobs);
    await waitFor(
      async () =>
        Number(
          (
            await lostDb.pool.query<{ n: string }>(
              "SELECT sum(job_count) AS n FROM rt_jobs WHERE destination_id = 'dst_lost'",
            )
          ).rows[0]?.n,
        ) === 3,
      10_000,
      'router jobs',
    );
    await dp.close();
    const { rows: lost } = await lostDb.pool.query<{ job_id: string }>(
      "DELETE FROM gw_jobs WHERE message_id = 'lost-1' RETURNING job_id",
    );

    const router = await startPipelineApp({
      databaseUrl: lostDb.url,
      config: pipelineConfig([webhookDestination('dst_lost', `${sink.url}/hook`)]),
      env: { ROLES: 'router' },
    });
    stops.push(() => router.close());
    await waitFor(() => sink.summary().unique === 2, 10_000, 'the other deliveries');
    const failed = await eventually('the failed event', async () => {
      const { rows } = await lostDb.pool.query<{ error_code: string; error: string }>(
        "SELECT error_code, response->>'error' AS error FROM failed_events WHERE destination_id = 'dst_lost'",
      );
      return rows.length > 0 ? rows : undefined;
    });
    // Its messageId went with the gateway row; the gateway job id says which event it was.
    expect(failed).toEqual([
      {
        error_code: 'event-missing',
        error: `the job's gateway event ${lost[0]?.job_id} is no longer stored`,
      },
    ]);
    expect(sink.received.map((r) => r.messageId).sort()).toEqual(['lost-0', 'lost-2']);
  });
});

describe('router partition finished check', () => {
  const rdb = useTestDatabase('rtfinished');
  const options = {
    partitionSize: 10,
    partitionsAhead: 2,
    dedupWindowMs: 60_000,
    failedEventsRetentionDays: 7,
  };

  const appendRouterJobs = (client: pg.ClientBase, count: number) =>
    client.query(
      `INSERT INTO rt_jobs (workspace_id, source_id, destination_id, shard, user_key, ordered, message_id, received_at, payload)
       SELECT 'ws', 'src', 'dst', 0, 'user', true, 'm' || i, now(), '{}' FROM generate_series(1, $1) i`,
      [count],
    );
  const appendStatus = (client: pg.ClientBase, jobIds: number[], status: string) =>
    client.query(`INSERT INTO rt_status (job_id, status, attempt) SELECT unnest($1::bigint[]), $2, 1`, [
      jobIds,
      status,
    ]);

  it('keeps a partition while a job lacks a final status, even when a duplicate delivery makes up the count', async () => {
    const client = await rdb.pool.connect();
    try {
      const memory = routerPartitionMemory();
      const maintain = () => runMaintenance(client, options, memory);
      await maintain();
      const [first] = await listRangePartitions(client, ROUTER_FAMILY);
      expect(first).toMatchObject({ lo: 1, hi: 11 });
      if (!first) return;
      // Jobs 1..10 fill it; job 11 takes the sequence past it.
      await appendRouterJobs(client, 11);
      // Ten final rows for ten jobs, but job 1 was delivered twice and job 10 is still retrying.
      await appendStatus(client, [1, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'delivered');
      await appendStatus(client, [10], 'retrying');

      await maintain();
      await maintain();
      expect((await listRangePartitions(client, ROUTER_FAMILY)).map((p) => p.lo)).toContain(1);
      expect(memory.spans.get(first.oid)?.jobs).toBe(10);
      expect(memory.finishedUpTo.has(first.oid)).toBe(false);

      await appendStatus(client, [10], 'delivered');
      // A reader in the partition keeps the drop from its lock; the round remembers the
      // partition as finished and the next one drops it without counting again.
      const reader = await rdb.pool.connect();
      try {
        await reader.query('BEGIN');
        await reader.query(`SELECT 1 FROM "${first.names[0]}" LIMIT 1`);
        await maintain();
        expect((await listRangePartitions(client, ROUTER_FAMILY)).map((p) => p.lo)).toContain(1);
        expect(memory.finishedUpTo.get(first.oid)).toBe(10);
      } finally {
        await reader.query('ROLLBACK');
        reader.release();
      }
      await maintain();
      expect((await listRangePartitions(client, ROUTER_FAMILY)).map((p) => p.lo)).not.toContain(1);
      await maintain();
      expect(memory.spans.has(first.oid)).toBe(false);
      expect(memory.finishedUpTo.has(first.oid)).toBe(false);
    } finally {
      client.release();
    }
  });

  it('creates the job partitions without autovacuum', async () => {
    const client = await rdb.pool.connect();
    try {
      await runMaintenance(client, options);
    } finally {
      client.release();
    }
    const { rows } = await rdb.pool.query<{ relname: string; reloptions: string[] | null }>(
      `SELECT relname, reloptions FROM pg_class
        WHERE relkind = 'r' AND relname ~ '^(gw_jobs|rt_jobs|rt_status)_r[0-9]|^proc_dedup_b[0-9]'`,
    );
    expect(new Set(rows.map((r) => r.relname.replace(/_[rb][0-9].*/, '')))).toEqual(
      new Set(['gw_jobs', 'rt_jobs', 'rt_status', 'proc_dedup']),
    );
    for (const r of rows) expect(r.reloptions, r.relname).toEqual(['autovacuum_enabled=false']);
  });
});

/** Router jobs of one destination and shard that refer to these gateway jobs. */
const routerJobs = (gatewayJobIds: number[]): NewRouterJob[] =>
  gatewayJobIds.map((gatewayJobId) => ({
    workspaceId: 'ws',
    sourceId: 'src',
    destinationId: 'dst',
    shard: 0,
    userKey: 'user',
    ordered: true,
    messageId: `m${gatewayJobId}`,
    receivedAt: new Date(),
    replayOf: null,
    payload: '{"method":"POST","url":"http://127.0.0.1:9/","headers":{}}',
    body: null,
    gatewayJobId,
    eventLabel: null,
  }));

/** Records one delivery per job, each at its own time (so each is a row of its own). */
const deliver = (client: pg.ClientBase, ids: number[]) =>
  runScript(client, [
    'BEGIN',
    routerStatusesStep(
      ids.map((jobId) => ({
        jobId,
        status: 'delivered' as const,
        attempt: 1,
        errorCode: '',
        at: new Date(Date.now() + jobId),
        detail: null,
      })),
    ),
    'COMMIT',
  ]);

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('a router job row whose ids run past its partition', () => {
  const sdb = useTestDatabase('rtstraddle');
  const options = { partitionSize: 10, partitionsAhead: 2, dedupWindowMs: 0, failedEventsRetentionDays: 7 };

  it('keeps the partition until those jobs are finished, and the next one does not count their statuses', async () => {
    const client = await sdb.pool.connect();
    const partitionsFrom = async () => (await listRangePartitions(client, ROUTER_FAMILY)).map((p) => p.lo);
    try {
      const maintain = () => runMaintenance(client, options);
      await maintain();
      expect(await partitionsFrom()).toEqual([1, 11]);
      // One row of 15 jobs (ids 1 to 15) in the first partition, then five rows of one (16 to 20).
      await runScript(client, ['BEGIN', ...routerJobsSteps(routerJobs(range(101, 115))), 'COMMIT']);
      for (const id of range(116, 120)) {
        await runScript(client, ['BEGIN', ...routerJobsSteps(routerJobs([id])), 'COMMIT']);
      }
      const { rows } = await client.query<{ job_id: string; job_count: number }>(
        'SELECT job_id, job_count FROM rt_jobs ORDER BY job_id',
      );
      expect(rows.map((r) => [Number(r.job_id), r.job_count])).toEqual([
        [1, 15],
        ...range(16, 20).map((id) => [id, 1]),
      ]);

      // Jobs 11 to 15 are the first partition's, though their statuses land in the second.
      await deliver(client, range(1, 10));
      await maintain();
      expect(await partitionsFrom()).toContain(1);
      await deliver(client, range(11, 15));
      await maintain();
      expect(await partitionsFrom()).not.toContain(1);
      // Five final statuses in the second partition, as many as its jobs, but none of them theirs.
      await maintain();
      expect(await partitionsFrom()).toContain(11);
      const pages = await loadPendingRouterJobs(client, 'dst', [{ shard: 0, afterJobId: 0, limit: 100 }]);
      expect(pages.get(0)?.jobs.map((j) => j.jobId)).toEqual(range(16, 20));

      await deliver(client, range(16, 20));
      await maintain();
      expect(await partitionsFrom()).not.toContain(11);
    } finally {
      client.release();
    }
  });
});

describe('a router job row whose ids run past every partition', () => {
  const ddb = useTestDatabase('rtpastall');
  const options = { partitionSize: 10, partitionsAhead: 2, dedupWindowMs: 0, failedEventsRetentionDays: 7 };

  it('keeps the default status partition while statuses of that row are in it', async () => {
    const client = await ddb.pool.connect();
    const count = async (sql: string) => Number((await client.query<{ n: string }>(sql)).rows[0]?.n);
    try {
      const maintain = () => runMaintenance(client, options);
      await maintain();
      expect((await listRangePartitions(client, ROUTER_FAMILY)).map((p) => [p.lo, p.hi])).toEqual([
        [1, 11],
        [11, 21],
      ]);
      // Without maintenance in between: one row of 25 jobs (ids 1 to 25, the last five beyond
      // every partition), then a job that lands in the default partition (26).
      await runScript(client, ['BEGIN', ...routerJobsSteps(routerJobs(range(101, 125))), 'COMMIT']);
      await runScript(client, ['BEGIN', ...routerJobsSteps(routerJobs([126])), 'COMMIT']);
      expect(await count('SELECT count(*) AS n FROM rt_jobs_default')).toBe(1);

      // The default partition's own job is finished, but the first partition's jobs 21 to 25
      // have their statuses there too.
      await deliver(client, range(21, 26));
      await maintain();
      expect(await count('SELECT count(*) AS n FROM rt_status_default WHERE job_id BETWEEN 21 AND 25')).toBe(
        5,
      );
      expect(await count('SELECT count(*) AS n FROM rt_jobs_default')).toBe(1);

      await deliver(client, range(1, 20));
      await maintain();
      await maintain();
      expect((await listRangePartitions(client, ROUTER_FAMILY)).map((p) => p.lo)).not.toContain(1);
      expect(await count('SELECT count(*) AS n FROM rt_jobs_default')).toBe(0);
      expect(await count('SELECT count(*) AS n FROM rt_status_default')).toBe(0);
    } finally {
      client.release();
    }
  });
});

describe('one status row for the jobs a request delivered together', () => {
  const bdb = useTestDatabase('rtbatchstatus');
  const options = { partitionSize: 10, partitionsAhead: 2, dedupWindowMs: 0, failedEventsRetentionDays: 7 };

  it('skips those jobs when reading, and keeps the proof for the next partition when a partition drops', async () => {
    const client = await bdb.pool.connect();
    const partitionsFrom = async () => (await listRangePartitions(client, ROUTER_FAMILY)).map((p) => p.lo);
    const append = (from: number, count: number) =>
      client.query(
        `INSERT INTO rt_jobs (workspace_id, source_id, destination_id, shard, user_key, ordered, message_id, received_at, payload)
         SELECT 'ws', 'src', 'dst', 0, 'user', true, 'm' || i, now(), '{}' FROM generate_series($1::int, $2::int) i`,
        [from, from + count - 1],
      );
    const statuses = (rows: RouterStatusRow[]) =>
      runScript(client, ['BEGIN', routerStatusesStep(rows), 'COMMIT']);
    const row = (jobId: number, status: RouterStatusRow['status'], at: Date): RouterStatusRow => ({
      jobId,
      status,
      attempt: 1,
      errorCode: status === 'retrying' ? '500' : '',
      at,
      detail: null,
    });
    try {
      const maintain = () => runMaintenance(client, options);
      await maintain();
      await append(1, 10);
      await maintain();
      await append(11, 10);
      await maintain();
      expect(await partitionsFrom()).toEqual([1, 11, 21]);

      // One request delivered jobs 5 to 15, across the bound at 11; others one by one.
      const batchAt = new Date('2026-11-27T10:00:00Z');
      await statuses([
        ...range(1, 4).map((id) => row(id, 'delivered', new Date(batchAt.getTime() - 1_000 * id))),
        ...range(5, 15).map((id) => row(id, 'delivered', batchAt)),
        ...range(16, 19).map((id) => row(id, 'delivered', new Date(batchAt.getTime() + 1_000 * id))),
        row(20, 'retrying', batchAt),
      ]);
      const { rows: batchRows } = await client.query<{ job_id: string; n: number; last_job_id: string }>(
        'SELECT job_id, cardinality(job_ids) AS n, last_job_id FROM rt_status WHERE job_ids IS NOT NULL',
      );
      expect(batchRows).toEqual([{ job_id: '5', n: 11, last_job_id: '15' }]);

      const pages = await loadPendingRouterJobs(client, 'dst', [{ shard: 0, afterJobId: 0, limit: 100 }]);
      expect(pages.get(0)?.jobs.map((j) => [j.jobId, j.attempts])).toEqual([[20, 1]]);

      await maintain();
      expect(await partitionsFrom()).not.toContain(1);
      // The row went with the first partition; jobs 11 to 15 keep theirs in the second.
      const { rows: moved } = await client.query<{ job_id: string }>(
        "SELECT job_id FROM rt_status WHERE status = 'delivered' AND job_id BETWEEN 11 AND 15 ORDER BY job_id",
      );
      expect(moved.map((r) => Number(r.job_id))).toEqual(range(11, 15));
      await maintain();
      expect(await partitionsFrom()).toContain(11);

      await statuses([row(20, 'delivered', new Date())]);
      await maintain();
      expect(await partitionsFrom()).not.toContain(11);
    } finally {
      client.release();
    }
  });
});
