import { useTestDatabase } from '@keel/postgres/testing';
import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { unpushedFailedEvents } from '../delivery/failed-events';
import {
  pipelineConfig,
  startPipelineApp,
  storeEvents,
  trackEvents,
  WebhookSink,
  waitFor,
  webhookDestination,
} from '../delivery/testing';
import { runScript } from '../jobsdb/copy';
import { lockKeyOf } from '../jobsdb/leases';
import { ROUTER_LEASE_CLASS } from '../jobsdb/locks';
import {
  appendRouterJobs,
  type NewRouterJob,
  type RouterStatusRow,
  routerStatusesStep,
} from '../jobsdb/router-jobs';

/** Appends status rows inside the caller's transaction, as the status writer does. */
const runStatuses = (tx: pg.ClientBase, rows: RouterStatusRow[]) => runScript(tx, [routerStatusesStep(rows)]);

const db = useTestDatabase('router');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await db.pool.query(
    'TRUNCATE gw_jobs, rt_jobs, rt_status, proc_done, proc_dedup, failed_events, rpt_deltas',
  );
});

async function sink(): Promise<WebhookSink> {
  const s = await new WebhookSink().start();
  cleanups.push(() => s.close());
  return s;
}

async function pipeline(...args: Parameters<typeof startPipelineApp>) {
  const dp = await startPipelineApp(...args);
  cleanups.push(() => dp.close());
  return dp;
}

describe('router', () => {
  it('delivers every event once, in order per user, in batches when the webhook batches', async () => {
    const s = await sink();
    await pipeline({
      databaseUrl: db.url,
      config: pipelineConfig([
        webhookDestination('dst_a', `${s.url}/hook`, {
          batchingEnabled: true,
          maxBatchSize: 50,
          maxBatchWaitMs: 20,
        }),
      ]),
    });
    await storeEvents(db.pool, trackEvents(2_000, 50));
    await waitFor(() => s.summary().unique === 2_000, 20_000, 'all deliveries');
    expect(s.summary().duplicates).toBe(0);
    expect(s.outOfOrderUsers()).toEqual([]);
    expect(s.requests).toBeLessThan(2_000 / 5);
  });

  it('after a restart, reads past pages of nothing but finished jobs to the unfinished ones behind them', async () => {
    // What a data plane finds after a crash: a shard whose oldest jobs (more than one page,
    // 1,000) are delivered, with a few unfinished ones after them.
    const s = await sink();
    const job = (i: number) => routerJob('dst_a', `done-${i}`, `${s.url}/hook`, i);
    await inTransaction(async (tx) => {
      await appendRouterJobs(
        tx,
        Array.from({ length: 2_500 }, (_, i) => job(i)),
      );
      const { rows } = await tx.query<{ job_id: string }>('SELECT job_id FROM rt_jobs ORDER BY job_id');
      await runStatuses(
        tx,
        rows.slice(0, 2_497).map((r) => ({
          jobId: Number(r.job_id),
          status: 'delivered' as const,
          attempt: 1,
          errorCode: '',
          at: new Date(),
          detail: null,
        })),
      );
    });
    await pipeline({
      databaseUrl: db.url,
      config: pipelineConfig([webhookDestination('dst_a', `${s.url}/hook`)]),
      env: { ROUTER_SHARDS: '1' },
    });
    await waitFor(() => s.summary().unique === 3, 10_000, 'the three unfinished jobs');
    expect(s.received.map((r) => r.messageId)).toEqual(['done-2497', 'done-2498', 'done-2499']);
  });

  it('aborts the waiting jobs of a destination deleted from the config into the failed-events store', async () => {
    const s = await sink();
    await inTransaction((tx) =>
      appendRouterJobs(
        tx,
        [0, 1, 2].map((i) => routerJob('dst_gone', `gone-${i}`, `${s.url}/hook`, i)),
      ),
    );
    // A data plane starting with a config that no longer has dst_gone.
    await pipeline({
      databaseUrl: db.url,
      config: pipelineConfig([webhookDestination('dst_a', `${s.url}/hook`)]),
    });
    await waitFor(
      async () => (await count("SELECT count(*) FROM failed_events WHERE destination_id = 'dst_gone'")) === 3,
      10_000,
      'the deleted destination’s jobs in the failed-events store',
    );
    const { rows } = await db.pool.query<{ message_id: string; error_code: string }>(
      "SELECT message_id, error_code, user_key, event_label FROM failed_events WHERE destination_id = 'dst_gone' ORDER BY message_id",
    );
    expect(rows).toEqual(
      [0, 1, 2].map((i) => ({
        message_id: `gone-${i}`,
        error_code: 'destination-removed',
        user_key: 'u1',
        // Never sent, and transformed: named by the label the processor stored with the job.
        event_label: 'track · Tested',
      })),
    );
    expect(s.requests).toBe(0);

    // Once its jobs are gone too (maintenance drops finished partitions), the router lets go of
    // the destination's leases instead of holding them for as long as it runs.
    const goneKeys = Array.from({ length: 8 }, (_, shard) => lockKeyOf(`dst_gone:${shard}`) >>> 0);
    const goneLeases = () =>
      count(
        `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = ${ROUTER_LEASE_CLASS} AND objid IN (${goneKeys.join(',')})`,
      );
    expect(await goneLeases()).toBeGreaterThan(0);
    await db.pool.query("DELETE FROM rt_jobs WHERE destination_id = 'dst_gone'");
    await waitFor(
      async () => (await goneLeases()) === 0,
      10_000,
      'the deleted destination’s leases released',
    );
  });

  it('stores a failed event whose payload holds a NUL character, and goes on delivering', async () => {
    const s = await sink();
    s.reply = (events) =>
      events.some((e) => JSON.stringify(e.properties).includes('\\u0000'))
        ? { status: 400 }
        : { status: 200 };
    await pipeline({
      databaseUrl: db.url,
      config: pipelineConfig([webhookDestination('dst_a', `${s.url}/hook`)]),
    });
    // JSON allows "\u0000" in a string; Postgres's jsonb refuses it, which would have failed
    // every status transaction from then on, for every destination.
    const [poisoned, after] = trackEvents(2, 2, 'nul');
    if (!poisoned || !after) throw new Error('two events expected');
    poisoned.payload = JSON.stringify({
      ...JSON.parse(poisoned.payload),
      properties: { seq: 0, note: 'a\u0000b' },
    });
    await storeEvents(db.pool, [poisoned, after]);
    await waitFor(() => s.summary().unique === 1, 10_000, 'the clean event');
    await waitFor(
      async () => (await count("SELECT count(*) FROM failed_events WHERE message_id = 'nul-0'")) === 1,
      10_000,
      'the event with a NUL in the failed-events store',
    );
    const { rows } = await db.pool.query<{ request: unknown }>(
      "SELECT request FROM failed_events WHERE message_id = 'nul-0'",
    );
    expect(JSON.stringify(rows[0]?.request)).toContain('a\uFFFDb');
    // What the failed-events pusher sends, the control plane's jsonb columns can store.
    const [pushed] = await unpushedFailedEvents(db.pool, 10);
    const { rows: stored } = await db.pool.query<{ payload: { body: { properties: { note: string } } } }>(
      'SELECT $1::jsonb AS payload',
      [JSON.stringify(pushed?.payload)],
    );
    expect(stored[0]?.payload.body.properties.note).toBe('a\uFFFDb');
  });

  it('drops an event its destination transform throws on, and goes on delivering', async () => {
    const s = await sink();
    await pipeline({
      databaseUrl: db.url,
      config: pipelineConfig([webhookDestination('dst_a', `${s.url}/hook/{{event}}`)]),
    });
    // A lone surrogate is valid JSON, and encodeURIComponent throws on it: the URL template
    // made the processor's batch fail on every retry.
    const [broken, after] = trackEvents(2, 2, 'uri');
    if (!broken || !after) throw new Error('two events expected');
    broken.payload = JSON.stringify({ ...JSON.parse(broken.payload), event: 'x\ud800' });
    await storeEvents(db.pool, [broken, after]);
    await waitFor(() => s.summary().unique === 1, 10_000, 'the event after it');
    await waitFor(
      async () =>
        (await count(
          "SELECT coalesce(sum(count), 0) AS count FROM rpt_deltas WHERE error_code = 'destination-transform'",
        )) === 1,
      10_000,
      'the drop in the reports',
    );
    const { rows } = await db.pool.query<{ samples: { messageId: string; response: { error: string } }[] }>(
      "SELECT samples FROM rpt_deltas WHERE error_code = 'destination-transform'",
    );
    expect(rows[0]?.samples[0]).toMatchObject({
      messageId: 'uri-0',
      response: { error: expect.stringContaining('URI malformed') },
    });
  });

  it('retries through an outage of 500s and delivers everything with each user in order', async () => {
    const s = await sink();
    let failing = true;
    s.reply = () => (failing ? { status: 500 } : { status: 200 });
    await pipeline({
      databaseUrl: db.url,
      config: pipelineConfig([webhookDestination('dst_a', `${s.url}/hook`)]),
      env: { ROUTER_BREAKER_FAILURES: '5', ROUTER_BREAKER_COOLDOWN_MS: '100' },
    });
    await storeEvents(db.pool, trackEvents(1_000, 20));
    await waitFor(
      async () => (await count(`SELECT count(*) FROM rt_status WHERE status = 'retrying'`)) >= 5,
      10_000,
      'retries',
    );
    await new Promise((r) => setTimeout(r, 1_000));
    failing = false;
    await waitFor(() => s.summary().unique === 1_000, 30_000, 'all deliveries after recovery');
    expect(s.outOfOrderUsers()).toEqual([]);
    // The breaker held the queue while open: far fewer attempts than jobs.
    const retries = await count(`SELECT count(*) FROM rt_status WHERE status = 'retrying'`);
    expect(retries).toBeLessThan(200);
    await waitFor(
      async () =>
        (await count(
          `SELECT sum(coalesce(cardinality(job_ids), 1)) AS count FROM rt_status WHERE status = 'delivered'`,
        )) === 1_000,
      5_000,
      'delivered statuses',
    );
  });

  it('aborts a 400 into the failed-events store with request, response and attempts; the user goes on', async () => {
    const s = await sink();
    s.reply = (events) => (events.some((e) => e.messageId === 'm-4') ? { status: 400 } : { status: 200 });
    await pipeline({
      databaseUrl: db.url,
      config: pipelineConfig([
        webhookDestination('dst_a', `${s.url}/hook`, { secretHeaderValue: 'Bearer sekrit' }),
      ]),
    });
    await storeEvents(db.pool, trackEvents(20, 2));
    await waitFor(() => s.summary().unique === 19, 10_000, 'the other deliveries');
    await waitFor(
      async () => (await count('SELECT count(*) FROM failed_events')) === 1,
      5_000,
      'failed event',
    );
    const { rows } = await db.pool.query(
      'SELECT error_code, attempts, request, response, attempt_log, message_id, user_key, event_label FROM failed_events',
    );
    const failed = rows[0];
    expect(failed.message_id).toBe('m-4');
    // The job referred to its gateway event; the router named it from that event when it aborted.
    expect([failed.user_key, failed.event_label]).toEqual(['u0', 'track · Tested']);
    expect(failed.error_code).toBe('400');
    expect(failed.attempts).toBe(1);
    expect(failed.request.headers.authorization).toBe('********');
    expect(JSON.stringify(failed)).not.toContain('sekrit');
    expect(failed.request.body.messageId).toBe('m-4');
    expect(failed.response.status).toBe(400);
    expect(failed.attempt_log).toEqual([expect.objectContaining({ status: 'aborted', errorCode: '400' })]);
    expect(s.outOfOrderUsers()).toEqual([]);
    const aborted = await db.pool.query(
      `SELECT sum(count)::int AS n, jsonb_agg(samples) AS samples FROM rpt_deltas WHERE status = 'aborted' AND error_code = '400'`,
    );
    expect(aborted.rows[0].n).toBe(1);
    expect(JSON.stringify(aborted.rows[0].samples)).not.toContain('sekrit');
  });

  it('keeps a healthy destination at full speed while another hangs', { timeout: 120_000 }, async () => {
    const fast = await sink();
    const events = 2_000;
    const rate = async (config: ReturnType<typeof pipelineConfig>, prefix: string) => {
      const dp = await startPipelineApp({ databaseUrl: db.url, config, env: { DEDUP_WINDOW_MS: '0' } });
      try {
        fast.received.length = 0;
        await waitFor(
          async () =>
            (await count(`SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid <> 0`)) > 0,
          5_000,
          'router leases',
        );
        const started = Date.now();
        await storeEvents(db.pool, trackEvents(events, 100, prefix));
        await waitFor(() => fast.summary().unique === events, 30_000, 'fast deliveries');
        return events / ((Date.now() - started) / 1000);
      } finally {
        await hang.close();
        await dp.close();
        hang = await new WebhookSink().start();
        hang.reply = () => 'hang';
      }
    };
    let hang = await new WebhookSink().start();
    hang.reply = () => 'hang';
    cleanups.push(() => hang.close());
    // The baseline has the same two destinations with the second one healthy, so both runs do
    // the same processing work and only the hang differs.
    const other = await sink();
    const beside = () =>
      pipelineConfig([
        webhookDestination('dst_fast', `${fast.url}/hook`),
        webhookDestination('dst_hang', `${other.url}/hook`),
      ]);
    // Best of two runs each: the machine is shared, and one slow run says nothing about isolation.
    const alone = Math.max(await rate(beside(), 'alone1'), await rate(beside(), 'alone2'));
    const hanging = () =>
      pipelineConfig([
        webhookDestination('dst_fast', `${fast.url}/hook`),
        webhookDestination('dst_hang', `${hang.url}/hook`),
      ]);
    const withHanging = Math.max(await rate(hanging(), 'hanging1'), await rate(hanging(), 'hanging2'));
    console.log(
      `healthy destination: ${alone.toFixed(0)} ev/s beside a healthy one, ${withHanging.toFixed(0)} ev/s beside a hanging one`,
    );
    expect(withHanging).toBeGreaterThanOrEqual(alone * 0.9);
  });
});

async function inTransaction(work: (tx: pg.PoolClient) => Promise<unknown>): Promise<void> {
  const tx = await db.pool.connect();
  try {
    await tx.query('BEGIN');
    await work(tx);
    await tx.query('COMMIT');
  } finally {
    tx.release();
  }
}

/** A router job for user u1, as the processor writes it for the webhook at `url`. */
function routerJob(destinationId: string, messageId: string, url: string, seq: number): NewRouterJob {
  return {
    workspaceId: 'ws_test',
    sourceId: 'src_1',
    destinationId,
    shard: 0,
    userKey: 'u1',
    ordered: true,
    messageId,
    receivedAt: new Date(),
    replayOf: null,
    payload: JSON.stringify({ method: 'POST', url, headers: { 'content-type': 'application/json' } }),
    body: JSON.stringify({ type: 'track', userId: 'u1', messageId, properties: { seq } }),
    gatewayJobId: null,
    eventLabel: 'track · Tested',
  };
}

async function count(sql: string): Promise<number> {
  const { rows } = await db.pool.query<{ count: string }>(sql);
  return Number(rows[0]?.count ?? 0);
}
