import { useTestDatabase } from '@keel/postgres/testing';
import { describe, expect, it } from 'vitest';
import { storeEvents, trackEvents } from '../delivery/testing';
import { readGatewayJobs } from './gateway-reader';
import { appendRouterJobs, loadPendingRouterJobs, type NewRouterJob } from './router-jobs';

const db = useTestDatabase('rtjobs');

const ENVELOPE = JSON.stringify({ method: 'POST', url: 'http://127.0.0.1:9/hook', headers: {} });

/** Router jobs for destination `destinationId` that refer to these gateway jobs. */
function referring(destinationId: string, gateway: { jobId: number; messageId: string }[]): NewRouterJob[] {
  return gateway.map((g) => ({
    workspaceId: 'ws_test',
    sourceId: 'src_1',
    destinationId,
    shard: g.jobId % 2,
    userKey: 'written-from-the-gateway-row',
    ordered: true,
    messageId: g.messageId,
    receivedAt: new Date(),
    replayOf: null,
    payload: ENVELOPE,
    body: null,
    gatewayJobId: g.jobId,
    eventLabel: null,
  }));
}

describe('router jobs that refer to gateway events', () => {
  it('read their bodies, users, messageIds and receivedAt from gw_jobs, whether the references are dense or sparse', async () => {
    // Spacing JSON.stringify would not write, so a body can only be the stored text itself.
    await storeEvents(
      db.pool,
      trackEvents(300, 3, 'ref').map((j) => ({ ...j, payload: j.payload.replace('{', '{  ') })),
    );
    const gateway = await readGatewayJobs(db.pool, 0, 1_000);
    const byId = new Map(gateway.map((g) => [g.jobId, g]));
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await appendRouterJobs(client, referring('dst_dense', gateway));
      // Every 25th event: far more gateway rows between the references than references.
      await appendRouterJobs(
        client,
        referring(
          'dst_sparse',
          gateway.filter((_, i) => i % 25 === 0),
        ),
      );
      await client.query('COMMIT');
    } finally {
      client.release();
    }

    for (const [destination, expected] of [
      ['dst_dense', 300],
      ['dst_sparse', 12],
    ] as const) {
      const pages = await loadPendingRouterJobs(db.pool, destination, [
        { shard: 0, afterJobId: 0, limit: 1_000 },
        { shard: 1, afterJobId: 0, limit: 1_000 },
      ]);
      const jobs = [...pages.values()].flatMap((p) => p.jobs);
      expect(jobs).toHaveLength(expected);
      for (const job of jobs) {
        expect(job.eventMissing).toBe(false);
        const stored = byId.get(job.gatewayJobId as number);
        expect(job.body).toBe(stored?.payload);
        // Not stored on the router job: read from the gateway row with the event.
        expect([job.userKey, job.messageId, job.receivedAt]).toEqual([
          stored?.userKey,
          stored?.messageId,
          stored?.receivedAt,
        ]);
      }
    }
  });
});

describe('router jobs that share a row', () => {
  const rdb = useTestDatabase('rtranges');

  it('keep a job id each, their order per shard, and a page bounded by jobs', async () => {
    await storeEvents(rdb.pool, trackEvents(300, 3, 'range'));
    const gateway = await readGatewayJobs(rdb.pool, 0, 1_000);
    const client = await rdb.pool.connect();
    try {
      await client.query('BEGIN');
      await appendRouterJobs(client, referring('dst_range', gateway));
      await client.query('COMMIT');
      // Alternating shards: one row per shard, the other shard's jobs between them do not end its run.
      const { rows } = await client.query<{ shard: number; job_id: string; job_count: number }>(
        "SELECT shard, job_id, job_count FROM rt_jobs WHERE destination_id = 'dst_range' ORDER BY job_id",
      );
      expect(rows).toEqual([
        { shard: 1, job_id: '1', job_count: 150 },
        { shard: 0, job_id: '151', job_count: 150 },
      ]);
      // The sequence moved past both rows' ids.
      await client.query('BEGIN');
      await appendRouterJobs(client, referring('dst_next', gateway.slice(0, 1)));
      await client.query('COMMIT');
      const { rows: next } = await client.query<{ job_id: string }>(
        "SELECT job_id FROM rt_jobs WHERE destination_id = 'dst_next'",
      );
      expect(next).toEqual([{ job_id: '301' }]);
    } finally {
      client.release();
    }

    // A page of 100 ends with the row that reaches 100, and the next starts after its last job.
    const first = await loadPendingRouterJobs(rdb.pool, 'dst_range', [
      { shard: 0, afterJobId: 0, limit: 100 },
    ]);
    const page = first.get(0);
    expect(page?.full).toBe(true);
    expect(page?.readUpTo).toBe(300);
    expect(page?.jobs.map((j) => j.jobId)).toEqual(Array.from({ length: 150 }, (_, i) => 151 + i));
    expect(page?.jobs.map((j) => j.gatewayJobId)).toEqual(
      gateway.filter((g) => g.jobId % 2 === 0).map((g) => g.jobId),
    );
    const after = await loadPendingRouterJobs(rdb.pool, 'dst_range', [
      { shard: 0, afterJobId: 300, limit: 100 },
    ]);
    expect(after.get(0)).toMatchObject({ jobs: [], full: false, readUpTo: 300 });
  });

  it('end a run at any other job of the destination and shard, so each user keeps their order', async () => {
    await storeEvents(rdb.pool, trackEvents(6, 1, 'runs'));
    const gateway = (await readGatewayJobs(rdb.pool, 0, 10_000)).filter((g) =>
      g.messageId.startsWith('runs'),
    );
    const jobs = referring('dst_runs', gateway).map((j, i) => ({
      ...j,
      shard: 0,
      // The third event comes from another source; the fifth was transformed and holds its body.
      sourceId: i === 2 ? 'src_2' : 'src_1',
      ...(i === 4 ? { body: '{"changed":true}', gatewayJobId: null, eventLabel: 'track · Tested' } : {}),
    }));
    const client = await rdb.pool.connect();
    try {
      await client.query('BEGIN');
      await appendRouterJobs(client, jobs);
      await client.query('COMMIT');
      const { rows } = await client.query<{ source_id: string; job_count: number }>(
        "SELECT source_id, job_count FROM rt_jobs WHERE destination_id = 'dst_runs' ORDER BY job_id",
      );
      expect(rows).toEqual([
        { source_id: 'src_1', job_count: 2 },
        { source_id: 'src_2', job_count: 1 },
        { source_id: 'src_1', job_count: 1 },
        { source_id: 'src_1', job_count: 1 },
        { source_id: 'src_1', job_count: 1 },
      ]);
    } finally {
      client.release();
    }
    const pages = await loadPendingRouterJobs(rdb.pool, 'dst_runs', [
      { shard: 0, afterJobId: 0, limit: 100 },
    ]);
    const read = pages.get(0)?.jobs ?? [];
    expect(read.map((j) => j.messageId)).toEqual(gateway.map((g) => g.messageId));
    expect(read.map((j) => j.body === '{"changed":true}')).toEqual([false, false, false, false, true, false]);
    // Only the transformed job carries a label; the others are named from their events when aborted.
    expect(read.map((j) => j.eventLabel)).toEqual([null, null, null, null, 'track · Tested', null]);
    const ids = read.map((j) => j.jobId);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });
});
