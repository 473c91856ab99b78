import { jsonbText } from '@keel/postgres';
import type pg from 'pg';
import { copyJson, copyText, runScript, type ScriptStep } from './copy';
import { jobTypes, type Queryable } from './db';
import { LOCK_CLASS, LOCKS } from './locks';

/** A delivery job as the processor or a replay writes it. */
export interface NewRouterJob {
  workspaceId: string;
  sourceId: string;
  destinationId: string;
  shard: number;
  userKey: string;
  ordered: boolean;
  messageId: string;
  receivedAt: Date;
  /** The failed event this job replays, or null. */
  replayOf: string | null;
  /**
   * The `DeliveryPayload` serialised without its body when `body` is set (method, URL and
   * headers), else whole.
   */
  payload: string;
  /**
   * The payload's body as JSON text; null when `gatewayJobId` names it, or else when `payload`
   * holds it.
   */
  body: string | null;
  /**
   * The gateway job whose stored event is the body, unchanged: the job refers to it rather than
   * storing a second copy, and the router reads it from gw_jobs.
   */
  gatewayJobId: number | null;
}

/** A job as the router reads it: `body` holds the gateway event of a job that refers to one. */
export interface RouterJob extends NewRouterJob {
  jobId: number;
  /**
   * The job refers to a gateway event that is no longer stored. Maintenance keeps every
   * referred-to gw_jobs partition, so this is a defect; the router aborts such a job into the
   * failed-events store rather than send it without its body.
   */
  eventMissing: boolean;
  /** Failed attempts recorded so far, and when the first one happened. */
  attempts: number;
  firstAttemptAt: Date | null;
}

export const FINAL_STATUSES = ['delivered', 'aborted'] as const;
export type RouterJobStatus = 'delivered' | 'retrying' | 'aborted';

export interface RouterStatusRow {
  jobId: number;
  status: RouterJobStatus;
  attempt: number;
  errorCode: string;
  at: Date;
  /** For failed attempts: the response or error, kept for the failed-events store. */
  detail: unknown;
}

/** Spreads users over shards; router leases are per (destination, shard). FNV-1a. */
export function shardOf(userKey: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < userKey.length; i++) {
    h ^= userKey.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % shards;
}

const APPEND_LOCK_SQL = `DO $$BEGIN PERFORM pg_advisory_xact_lock(${LOCK_CLASS}, ${LOCKS.routerAppend}); END$$`;
const APPEND_COPY_SQL =
  'COPY rt_jobs (workspace_id, source_id, destination_id, shard, user_key, ordered, message_id, received_at, replay_of, payload, body, gw_job_id) FROM STDIN';

/**
 * The steps that append router jobs inside a transaction script, with the router's ordering
 * lock held to the commit (see locks.ts), so the router can read each shard by a growing job
 * id. None for no jobs. Payloads and bodies are JSON.
 */
export function routerJobsSteps(jobs: readonly NewRouterJob[]): ScriptStep[] {
  if (jobs.length === 0) return [];
  let rows = '';
  let lastDate: Date | undefined;
  let lastIso = '';
  for (const j of jobs) {
    if (j.gatewayJobId === null && j.receivedAt !== lastDate) {
      lastDate = j.receivedAt;
      lastIso = j.receivedAt.toISOString();
    }
    // A job that refers to its gateway event leaves what that row holds (user, messageId,
    // receivedAt) NULL: the router reads them with the event.
    const own =
      j.gatewayJobId === null
        ? `${copyText(j.userKey)}\t${j.ordered ? 't' : 'f'}\t${copyText(j.messageId)}\t${lastIso}`
        : `\\N\t${j.ordered ? 't' : 'f'}\t\\N\t\\N`;
    rows += `${copyText(j.workspaceId)}\t${copyText(j.sourceId)}\t${copyText(j.destinationId)}\t${j.shard}\t${own}\t${j.replayOf === null ? '\\N' : copyText(j.replayOf)}\t${copyJson(j.payload)}\t${j.body === null ? '\\N' : copyJson(j.body)}\t${j.gatewayJobId ?? '\\N'}\n`;
  }
  return [APPEND_LOCK_SQL, { copy: APPEND_COPY_SQL, rows }];
}

/** Appends router jobs inside the caller's transaction (see `routerJobsSteps`). */
export async function appendRouterJobs(tx: pg.ClientBase, jobs: readonly NewRouterJob[]): Promise<void> {
  await runScript(tx, routerJobsSteps(jobs));
}

/**
 * The destinations that have jobs in rt_jobs, finished or not: one index descent per
 * destination (a loose scan of rt_jobs_destination_shard_idx), not a scan of the jobs.
 */
export async function destinationsWithJobs(client: Queryable): Promise<string[]> {
  const { rows } = await client.query<{ destination_id: string }>({
    name: 'keel-rt-destinations',
    text: `WITH RECURSIVE d(destination_id) AS (
             (SELECT destination_id FROM rt_jobs ORDER BY destination_id LIMIT 1)
             UNION ALL
             SELECT (SELECT r.destination_id FROM rt_jobs r
                      WHERE r.destination_id > d.destination_id ORDER BY r.destination_id LIMIT 1)
               FROM d WHERE d.destination_id IS NOT NULL
           )
           SELECT destination_id FROM d WHERE destination_id IS NOT NULL`,
  });
  return rows.map((r) => r.destination_id);
}

/** A page of one shard's jobs: the unfinished ones, and how far the page reached. */
export interface PendingPage {
  jobs: RouterJob[];
  /** The last job id read, finished or not: where the next page starts. */
  readUpTo: number;
  /** The page was full, so more jobs may follow at once. */
  full: boolean;
}

/** Where to read one shard from, and how many jobs at most. */
export interface ShardRead {
  shard: number;
  afterJobId: number;
  limit: number;
  /**
   * Jobs after this id have no statuses but the reader's own, which it holds in memory: their
   * status lookup is skipped. Omitted: every job is looked up.
   */
  statusesUpTo?: number;
}

interface PendingRow {
  shard: number;
  job_id: string;
  workspace_id: string;
  source_id: string;
  /** NULL, like message_id and received_at, when the gateway row referred to holds it. */
  user_key: string | null;
  ordered: boolean;
  message_id: string | null;
  received_at: Date | null;
  replay_of: string | null;
  payload: string;
  body: string | null;
  gw_job_id: string | null;
}

/**
 * The next page of each of one destination's shards, oldest first, with the finished jobs left
 * out. Finished jobs still count toward a page, so that a page of nothing but finished jobs (as
 * after a restart) still moves the reader on. Two queries for all the shards (one round trip
 * per shard and query took a tenth of the data plane's CPU in syscalls), each a plain index
 * lookup rather than one anti-join: on fresh partitions the planner has no statistics yet and
 * chose a nested loop over every status row (measured: 65 s for 1,000 jobs against 88,000
 * statuses, versus 15 ms this way). The bodies of jobs that refer to their gateway events come
 * from a third query, run beside the status lookup (see `gatewayEventsOf`).
 */
export async function loadPendingRouterJobs(
  client: Queryable,
  destinationId: string,
  reads: readonly ShardRead[],
): Promise<Map<number, PendingPage>> {
  const pages = new Map<number, PendingPage>(
    reads.map((r) => [r.shard, { jobs: [], readUpTo: r.afterJobId, full: false }]),
  );
  if (reads.length === 0) return pages;
  const { rows } = await client.query<PendingRow>({
    name: 'keel-rt-pending',
    text: `SELECT p.shard, j.job_id, j.workspace_id, j.source_id, j.user_key, j.ordered, j.message_id,
                  j.received_at, j.replay_of, j.payload, j.body, j.gw_job_id
             FROM unnest($2::smallint[], $3::bigint[], $4::int[]) AS p(shard, after_job_id, page_size)
             CROSS JOIN LATERAL (
               SELECT * FROM rt_jobs r
                WHERE r.destination_id = $1 AND r.shard = p.shard AND r.job_id > p.after_job_id
                ORDER BY r.job_id
                LIMIT p.page_size) j`,
    values: [
      destinationId,
      reads.map((r) => r.shard),
      reads.map((r) => r.afterJobId),
      reads.map((r) => r.limit),
    ],
    types: jobTypes,
  });
  if (rows.length === 0) return pages;
  const statusesUpTo = new Map(reads.map((r) => [r.shard, r.statusesUpTo ?? Number.POSITIVE_INFINITY]));
  const lookUp = rows.filter((r) => Number(r.job_id) <= (statusesUpTo.get(r.shard) ?? 0));
  const [statuses, events] = await Promise.all([
    lookUp.length > 0 ? statusesOf(client, lookUp) : new Map<string, JobStatusSummary>(),
    gatewayEventsOf(client, rows),
  ]);
  const limits = new Map(reads.map((r) => [r.shard, r.limit]));
  const read = new Map<number, number>();
  for (const r of rows) {
    const page = pages.get(r.shard) as PendingPage;
    const jobId = Number(r.job_id);
    page.readUpTo = jobId;
    read.set(r.shard, (read.get(r.shard) ?? 0) + 1);
    const status = statuses.get(r.job_id);
    if (status?.finished) continue;
    const event = r.gw_job_id === null ? undefined : events.get(r.gw_job_id);
    page.jobs.push({
      jobId,
      workspaceId: r.workspace_id,
      sourceId: r.source_id,
      destinationId,
      shard: r.shard,
      // A job whose event is gone keeps what it can show of itself in the failed-events store.
      userKey: r.user_key ?? event?.user_key ?? '',
      ordered: r.ordered,
      messageId: r.message_id ?? event?.message_id ?? '',
      receivedAt: r.received_at ?? event?.received_at ?? new Date(),
      replayOf: r.replay_of,
      payload: r.payload,
      body: r.gw_job_id === null ? r.body : (event?.payload ?? null),
      gatewayJobId: r.gw_job_id === null ? null : Number(r.gw_job_id),
      eventMissing: r.gw_job_id !== null && event === undefined,
      attempts: status?.attempts ?? 0,
      firstAttemptAt: status?.firstAttemptAt ?? null,
    });
  }
  for (const [shard, count] of read) {
    const page = pages.get(shard) as PendingPage;
    page.full = count >= (limits.get(shard) ?? Number.POSITIVE_INFINITY);
  }
  return pages;
}

/** What a router job reads from the gateway row it refers to. */
interface GatewayEventRow {
  job_id: string;
  user_key: string;
  message_id: string;
  received_at: Date;
  payload: string;
}

/**
 * The stored events that these jobs refer to, by gateway job id. A page's references are nearly
 * contiguous (a destination's jobs follow the gateway's order, and its shards are read together),
 * so they are read as one range of the gw_jobs primary key and the few rows between that no job
 * wanted are skipped here. Measured on the e2e benchmark's database: 1 ms for such a range of
 * 4,000 rows, against 6 ms for 2,000 single-row probes. Sparse references (a destination that
 * gets few of its source's events) are looked up one by one instead.
 */
async function gatewayEventsOf(
  client: Queryable,
  jobs: readonly { gw_job_id: string | null }[],
): Promise<Map<string, GatewayEventRow>> {
  const ids: string[] = [];
  let low = Number.POSITIVE_INFINITY;
  let high = 0;
  for (const j of jobs) {
    if (j.gw_job_id === null) continue;
    const id = Number(j.gw_job_id);
    if (id < low) low = id;
    if (id > high) high = id;
    ids.push(j.gw_job_id);
  }
  if (ids.length === 0) return new Map();
  const sparse = high - low + 1 > SPARSE_REFERENCES * ids.length;
  const columns = 'job_id, user_key, message_id, received_at, payload';
  const { rows } = await client.query<GatewayEventRow>(
    sparse
      ? {
          name: 'keel-rt-gateway-events-sparse',
          text: `SELECT ${columns} FROM gw_jobs WHERE job_id = ANY($3::bigint[]) AND job_id BETWEEN $1 AND $2`,
          values: [low, high, ids],
          types: jobTypes,
        }
      : {
          name: 'keel-rt-gateway-events',
          text: `SELECT ${columns} FROM gw_jobs WHERE job_id BETWEEN $1 AND $2`,
          values: [low, high],
          types: jobTypes,
        },
  );
  return new Map(rows.map((r) => [r.job_id, r]));
}

/** Beyond this many gateway rows per referred-to event, references are looked up one by one. */
const SPARSE_REFERENCES = 3;

interface JobStatusSummary {
  finished: boolean;
  attempts: number;
  firstAttemptAt: Date | null;
}

/** What rt_status says of these jobs: finished or not, and their failed attempts so far. */
async function statusesOf(
  client: Queryable,
  jobs: readonly { job_id: string }[],
): Promise<Map<string, JobStatusSummary>> {
  let low = Number.POSITIVE_INFINITY;
  let high = 0;
  const ids = jobs.map((j) => {
    const id = Number(j.job_id);
    if (id < low) low = id;
    if (id > high) high = id;
    return j.job_id;
  });
  // The range lets Postgres prune rt_status to the partitions of these ids; with the array
  // alone it probed every partition's index for every id (half of Postgres's time in the e2e
  // benchmark, for lookups that mostly find nothing). Rows of requests that delivered several
  // jobs are found by their id range (rt_status_batch_idx), and their ids in this page's range
  // come back one by one; those of other jobs are skipped below.
  const { rows } = await client.query<{ job_id: string; status: string; at: Date }>({
    name: 'keel-rt-pending-statuses',
    text: `SELECT job_id, status, at FROM rt_status
            WHERE job_id = ANY($1::bigint[]) AND job_id BETWEEN $2 AND $3 AND job_ids IS NULL
           UNION ALL
           SELECT e, s.status, s.at FROM rt_status s CROSS JOIN LATERAL unnest(s.job_ids) e
            WHERE s.job_ids IS NOT NULL AND s.last_job_id >= $2 AND s.job_id <= $3 AND e BETWEEN $2 AND $3`,
    values: [ids, low, high],
  });
  const asked = new Set(ids);
  const summaries = new Map<string, JobStatusSummary>();
  for (const s of rows) {
    if (!asked.has(s.job_id)) continue;
    let summary = summaries.get(s.job_id);
    if (!summary) {
      summary = { finished: false, attempts: 0, firstAttemptAt: null };
      summaries.set(s.job_id, summary);
    }
    if (s.status !== 'retrying') summary.finished = true;
    else {
      summary.attempts += 1;
      if (!summary.firstAttemptAt || s.at < summary.firstAttemptAt) summary.firstAttemptAt = s.at;
    }
  }
  return summaries;
}

/**
 * The COPY step that appends status rows; statuses are appended, never updated. Deliveries of
 * one response (the same time and outcome, recorded one after another) become one row that
 * lists their jobs: a batched request of 100 events is one row instead of 100, which had been
 * the largest cost of the router's transactions.
 */
export function routerStatusesStep(rows: readonly RouterStatusRow[]): ScriptStep {
  let text = '';
  // The jobs of one response share their time: format it once.
  let lastMs = Number.NaN;
  let lastIso = '';
  const iso = (at: Date) => {
    if (at.getTime() !== lastMs) {
      lastMs = at.getTime();
      lastIso = at.toISOString();
    }
    return lastIso;
  };
  for (let i = 0; i < rows.length; ) {
    const r = rows[i] as RouterStatusRow;
    let end = i + 1;
    if (r.status === 'delivered') {
      const at = r.at.getTime();
      while (end < rows.length) {
        const next = rows[end] as RouterStatusRow;
        if (next.status !== 'delivered' || next.at.getTime() !== at || next.errorCode !== r.errorCode) break;
        end += 1;
      }
    }
    if (end - i > 1) {
      const group = rows.slice(i, end);
      const ids = group.map((g) => g.jobId).sort((a, b) => a - b);
      const attempt = Math.max(...group.map((g) => g.attempt));
      text += `${ids[0]}\t${r.status}\t${attempt}\t${copyText(r.errorCode)}\t${iso(r.at)}\t\\N\t{${ids.join(',')}}\t${ids.at(-1)}\n`;
    } else {
      const detail = r.detail === undefined || r.detail === null ? '\\N' : copyJson(jsonbText(r.detail));
      text += `${r.jobId}\t${r.status}\t${r.attempt}\t${copyText(r.errorCode)}\t${iso(r.at)}\t${detail}\t\\N\t\\N\n`;
    }
    i = end;
  }
  return {
    copy: 'COPY rt_status (job_id, status, attempt, error_code, at, detail, job_ids, last_job_id) FROM STDIN',
    rows: text,
  };
}

/** Every status row of one job, oldest first: the attempt log of a failed event. */
export async function attemptsOf(
  client: Queryable,
  jobId: number,
): Promise<{ status: string; attempt: number; errorCode: string; at: Date; detail: unknown }[]> {
  const { rows } = await client.query<{
    status: string;
    attempt: number;
    error_code: string;
    at: Date;
    detail: unknown;
  }>('SELECT status, attempt, error_code, at, detail FROM rt_status WHERE job_id = $1 ORDER BY at, attempt', [
    jobId,
  ]);
  return rows.map((r) => ({
    status: r.status,
    attempt: r.attempt,
    errorCode: r.error_code,
    at: r.at,
    detail: r.detail,
  }));
}
