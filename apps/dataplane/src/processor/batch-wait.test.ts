import { useTestDatabase } from '@keel/postgres/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  pipelineConfig,
  startPipelineApp,
  storeEvents,
  trackEvents,
  WebhookSink,
  waitFor,
  webhookDestination,
} from '../delivery/testing';

const db = useTestDatabase('processor_batch_wait');
const WAIT_MS = 1_000;
let sink: WebhookSink;
let close: () => Promise<void>;

beforeAll(async () => {
  sink = await new WebhookSink().start();
  const dp = await startPipelineApp({
    databaseUrl: db.url,
    config: pipelineConfig([webhookDestination('dst_all', `${sink.url}/all`)]),
    env: {
      PROCESSOR_BATCH_SIZE: '10',
      PROCESSOR_BATCH_WAIT_MS: String(WAIT_MS),
      // proc_done keeps every batch for the assertions below.
      JOBSDB_MAINTENANCE_INTERVAL_MS: '600000',
    },
  });
  close = dp.close;
});
afterAll(async () => {
  await close?.();
  await sink?.close();
});

async function doneBatches(): Promise<{ events: number; doneAt: number }[]> {
  const { rows } = await db.pool.query<{ events: number; done_at: Date }>(
    'SELECT (last_job_id - first_job_id + 1)::int AS events, done_at FROM proc_done ORDER BY first_job_id',
  );
  return rows.map((r) => ({ events: r.events, doneAt: r.done_at.getTime() }));
}

describe('processor batch wait', () => {
  it('after a partial batch it waits before reading again, so what arrives meanwhile is one batch; full batches follow at once', async () => {
    await storeEvents(db.pool, trackEvents(3, 1, 'first'));
    await waitFor(async () => (await doneBatches()).length === 1, 10_000, 'the first batch');

    // Three small commits within the wait: the next read takes them together.
    for (let i = 0; i < 3; i++) {
      await storeEvents(db.pool, trackEvents(2, 1, `trickle-${i}`));
      await new Promise((r) => setTimeout(r, 100));
    }
    await waitFor(async () => (await doneBatches()).length === 2, 10_000, 'the second batch');

    // A backlog of three full batches and one partial: no waiting between the full ones.
    await storeEvents(db.pool, trackEvents(35, 5, 'backlog'));
    await waitFor(async () => (await doneBatches()).length === 6, 10_000, 'the backlog');
    await waitFor(() => sink.received.length === 3 + 6 + 35, 10_000, 'every delivery');

    const batches = await doneBatches();
    expect(batches.map((b) => b.events)).toEqual([3, 6, 10, 10, 10, 5]);
    const doneAt = batches.map((b) => b.doneAt);
    // The second read waited until the wait had passed since the first read began. done_at is
    // each commit's time, later than its read by the batch's own work, hence the margin.
    expect((doneAt[1] ?? 0) - (doneAt[0] ?? 0)).toBeGreaterThanOrEqual(WAIT_MS / 2);
    // The three full batches did not wait for one another: waiting would take two whole waits.
    expect((doneAt[4] ?? 0) - (doneAt[2] ?? 0)).toBeLessThan(WAIT_MS);
  });
});
