import { freePort, useTestDatabase } from '@keel/postgres/testing';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { encodeGatewayJobs, type GatewayJob } from '../jobsdb/gateway-jobs';
import { GatewayError } from './errors';
import { type GroupCommitOptions, GroupCommitter } from './group-commit';

const db = useTestDatabase('group-commit');

const options: GroupCommitOptions = {
  maxBatchEvents: 1000,
  maxQueueBytes: 1_000_000,
  concurrency: 1,
  commitTimeoutMs: 5000,
  failureBackoffMs: 500,
  lingerMs: 1,
};

function job(messageId: string): GatewayJob {
  return {
    workspaceId: 'ws',
    sourceId: 'src',
    userKey: 'u',
    messageId,
    receivedAt: new Date(),
    payload: JSON.stringify({ type: 'track', messageId, note: 'tab\there\nnewline \\ backslash' }),
  };
}

/** One job as the gateway submits it: its COPY row. */
function row(messageId: string): Buffer {
  return encodeGatewayJobs([job(messageId)]);
}

function recorder() {
  const batches: number[] = [];
  const failures: string[] = [];
  return {
    batches,
    failures,
    observer: {
      committed: (events: number) => batches.push(events),
      failed: (error: Error) => failures.push(error.message),
      depth: () => {},
    },
  };
}

describe('GroupCommitter', () => {
  it('gathers concurrent submits into few transactions and resolves each after its commit', async () => {
    const rec = recorder();
    const committer = new GroupCommitter(db.pool, options, rec.observer);
    const ids = Array.from({ length: 200 }, (_, i) => `gc-${i}`);
    await Promise.all(ids.map((id) => committer.submit(row(id), 1)));
    await committer.close();
    expect(rec.batches.reduce((a, b) => a + b, 0)).toBe(200);
    expect(rec.batches.length).toBeLessThan(50);
    const { rows } = await db.pool.query<{ message_id: string; payload: string }>(
      "SELECT message_id, payload FROM gw_jobs WHERE message_id LIKE 'gc-%' ORDER BY job_id",
    );
    expect(rows.map((r) => r.message_id).sort()).toEqual([...ids].sort());
    // COPY's text escaping keeps tabs, newlines and backslashes of the payload intact.
    expect(JSON.parse(rows[0]?.payload as string).note).toBe('tab\there\nnewline \\ backslash');
  });

  it('refuses with 503 overloaded once the queue holds maxQueueBytes, and commits the rest', async () => {
    const size = row('ov-0').length;
    const committer = new GroupCommitter(
      db.pool,
      { ...options, maxQueueBytes: Math.floor(size * 1.5) },
      recorder().observer,
    );
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE gw_jobs IN ACCESS EXCLUSIVE MODE');
    const first = committer.submit(row('ov-1'), 1); // in flight, waiting for the lock
    await new Promise((r) => setTimeout(r, 100));
    const second = committer.submit(row('ov-2'), 1); // queued, one row's bytes
    const third = committer.submit(row('ov-3'), 1); // two rows' bytes would exceed 1.5 rows'
    await expect(third).rejects.toMatchObject({
      code: 'overloaded',
      status: 503,
      extra: { retryAfterSeconds: 1 },
    });
    await blocker.query('COMMIT');
    await blocker.end();
    await Promise.all([first, second]);
    await committer.close();
  });

  it('fails fast with 503 while the database is unreachable, then probes again after the backoff', async () => {
    const dead = new pg.Pool({
      connectionString: `postgresql://keel:keel@127.0.0.1:${await freePort()}/none`,
    });
    const rec = recorder();
    const committer = new GroupCommitter(dead, options, rec.observer);
    const failure = await committer.submit(row('dead-1'), 1).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(GatewayError);
    expect(failure).toMatchObject({ code: 'database-unavailable', status: 503 });
    const started = Date.now();
    await expect(committer.submit(row('dead-2'), 1)).rejects.toMatchObject({
      code: 'database-unavailable',
    });
    expect(Date.now() - started).toBeLessThan(100); // refused during the backoff, without a connection attempt
    expect(rec.failures).toHaveLength(1);
    await new Promise((r) => setTimeout(r, options.failureBackoffMs + 50));
    await expect(committer.submit(row('dead-3'), 1)).rejects.toMatchObject({
      code: 'database-unavailable',
    });
    expect(rec.failures).toHaveLength(2);
    await committer.close();
    await dead.end();
  });
});
