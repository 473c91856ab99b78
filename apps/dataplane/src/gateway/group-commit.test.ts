import { freePort, useTestDatabase } from '@keel/postgres/testing';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { GatewayJob } from '../jobsdb/gateway-jobs';
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
    await Promise.all(ids.map((id) => committer.submit([job(id)], 100)));
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
    const committer = new GroupCommitter(db.pool, { ...options, maxQueueBytes: 250 }, recorder().observer);
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE gw_jobs IN ACCESS EXCLUSIVE MODE');
    const first = committer.submit([job('ov-1')], 100); // in flight, waiting for the lock
    await new Promise((r) => setTimeout(r, 100));
    const second = committer.submit([job('ov-2')], 200); // queued
    const third = committer.submit([job('ov-3')], 100); // 300 bytes would exceed 250
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
    const failure = await committer.submit([job('dead-1')], 100).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(GatewayError);
    expect(failure).toMatchObject({ code: 'database-unavailable', status: 503 });
    const started = Date.now();
    await expect(committer.submit([job('dead-2')], 100)).rejects.toMatchObject({
      code: 'database-unavailable',
    });
    expect(Date.now() - started).toBeLessThan(100); // refused during the backoff, without a connection attempt
    expect(rec.failures).toHaveLength(1);
    await new Promise((r) => setTimeout(r, options.failureBackoffMs + 50));
    await expect(committer.submit([job('dead-3')], 100)).rejects.toMatchObject({
      code: 'database-unavailable',
    });
    expect(rec.failures).toHaveLength(2);
    await committer.close();
    await dead.end();
  });
});
