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
