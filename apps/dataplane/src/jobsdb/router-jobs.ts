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
  /**
   * Which event the job came from (`eventLabelOf` of the gateway's event), for the failed-events
   * store, when its body is not that event: the processor sets it on transformed jobs, a replay
   * copies it from the failed event. Null for jobs that refer to their gateway events: the
   * router names those from the event it reads, and only when one is aborted, since naming
   * every job would cost the hot path for a rare outcome.
   */
  eventLabel: string | null;
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
  'COPY rt_jobs (workspace_id, source_id, destination_id, shard, user_key, ordered, message_id, received_at, replay_of, payload, body, gw_job_id, job_count, gw_job_ids, event_label) FROM STDIN';

/**
 * Most jobs one rt_jobs row stands for. A router page can read this many jobs beyond its size,
 * so it stays well below the router's memory.
 */
const MAX_JOBS_PER_ROW = 500;

/** One rt_jobs row: a job, or consecutive jobs like it that each send their gateway event. */
interface RouterJobRow {
  job: NewRouterJob;
  /** The gateway events of the row's jobs, in job order, when they refer to theirs. */
  gatewayJobIds: number[];
}

/** Jobs that can share a row: they differ only in the gateway event they send. */
function sameRow(a: NewRouterJob, b: NewRouterJob): boolean {
  return (
    a.payload === b.payload &&
    a.sourceId === b.sourceId &&
    a.workspaceId === b.workspaceId &&
    a.ordered === b.ordered &&
    a.replayOf === b.replayOf &&
    a.eventLabel === b.eventLabel
  );
}

/**
 * Groups jobs into rows. Within one destination and shard, consecutive jobs that refer to their
 * gateway events with the same envelope become one row, whose jobs get consecutive ids; any
 * other job of that destination and shard ends the run. So each shard's jobs keep the order
 * they came in, which is all that per-user order needs (a user's jobs for a destination are in
 * one shard), and rows start in the order of their first jobs: the first reference in job-id
 * order stays the lowest (see maintenance.ts). A row per job had been the largest part of the
 * processor's transaction.
 */
function routerJobRows(jobs: readonly NewRouterJob[]): RouterJobRow[] {
  const rows: RouterJobRow[] = [];
  const open = new Map<string, RouterJobRow>();
  for (const job of jobs) {
    const key = `${job.destinationId}\u0000${job.shard}`;
    const run = open.get(key);
    if (
      job.gatewayJobId !== null &&
      run !== undefined &&
      run.gatewayJobIds.length < MAX_JOBS_PER_ROW &&
      sameRow(run.job, job)
    ) {
      run.gatewayJobIds.push(job.gatewayJobId);
      continue;
    }
    const row = { job, gatewayJobIds: job.gatewayJobId === null ? [] : [job.gatewayJobId] };
    rows.push(row);
    if (job.gatewayJobId === null) open.delete(key);
    else open.set(key, row);
  }
  return rows;
}

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
  for (const { job: j, gatewayJobIds } of routerJobRows(jobs)) {
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
    const range =
      gatewayJobIds.length > 1 ? `${gatewayJobIds.length}\t{${gatewayJobIds.join(',')}}` : '1\t\\N';
    rows += `${copyText(j.workspaceId)}\t${copyText(j.sourceId)}\t${copyText(j.destinationId)}\t${j.shard}\t${own}\t${j.replayOf === null ? '\\N' : copyText(j.replayOf)}\t${copyJson(j.payload)}\t${j.body === null ? '\\N' : copyJson(j.body)}\t${j.gatewayJobId ?? '\\N'}\t${range}\t${j.eventLabel === null ? '\\N' : copyText(j.eventLabel)}\n`;
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
  /** The gateway events of a row of several jobs, as Postgres writes an array: `{1,2,3}`. */
  gw_job_ids: string | null;
  event_label: string | null;
}

/** One job of a row read: its id and the gateway event it sends, if it refers to one. */
interface PendingJob {
  row: PendingRow;
  jobId: number;
  gatewayJobId: string | null;
}

/** The jobs of the rows read, in job order. */
function jobsOfRows(rows: readonly PendingRow[]): PendingJob[] {
  const jobs: PendingJob[] = [];
  for (const row of rows) {
    const first = Number(row.job_id);
    if (row.gw_job_ids === null) {
      jobs.push({ row, jobId: first, gatewayJobId: row.gw_job_id });
      continue;
    }
    const events = row.gw_job_ids.slice(1, -1).split(',');
    for (let i = 0; i < events.length; i++) {
      jobs.push({ row, jobId: first + i, gatewayJobId: events[i] as string });
    }
  }
  return jobs;
}

/**
 * The next page of each of one destination's shards, oldest first, with the finished jobs left
 * out. Finished jobs still count toward a page, so that a page of nothing but finished jobs (as
 * after a restart) still moves the reader on. A page ends with the row that reaches its size,
 * so it can hold up to MAX_JOBS_PER_ROW more. Two queries for all the shards (one round trip
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
    text: `SELECT p.shard, j.job_id, j.workspace_id, j.source_id, j.user_key, j.ordered,
                  j.message_id, j.received_at, j.replay_of, j.payload, j.body, j.gw_job_id,
                  j.gw_job_ids::text AS gw_job_ids, j.event_label
             FROM unnest($2::smallint[], $3::bigint[], $4::int[]) AS p(shard, after_job_id, page_size)
             CROSS JOIN LATERAL (
               SELECT * FROM (
                 SELECT r.*, sum(r.job_count) OVER (ORDER BY r.job_id ROWS UNBOUNDED PRECEDING) AS jobs_through
                   FROM rt_jobs r
                  WHERE r.destination_id = $1 AND r.shard = p.shard AND r.job_id > p.after_job_id
                  ORDER BY r.job_id
                  LIMIT p.page_size) w
                WHERE w.jobs_through - w.job_count < p.page_size) j`,
    values: [
      destinationId,
      reads.map((r) => r.shard),
      reads.map((r) => r.afterJobId),
      reads.map((r) => r.limit),
    ],
    types: jobTypes,
  });
  if (rows.length === 0) return pages;
  const read = jobsOfRows(rows);
  const statusesUpTo = new Map(reads.map((r) => [r.shard, r.statusesUpTo ?? Number.POSITIVE_INFINITY]));
  const lookUp = read.filter((j) => j.jobId <= (statusesUpTo.get(j.row.shard) ?? 0)).map((j) => j.jobId);
  const [statuses, events] = await Promise.all([
    lookUp.length > 0 ? statusesOf(client, lookUp) : new Map<number, JobStatusSummary>(),
    gatewayEventsOf(client, read),
  ]);
  const limits = new Map(reads.map((r) => [r.shard, r.limit]));
  const counts = new Map<number, number>();
  for (const { row: r, jobId, gatewayJobId } of read) {
    const page = pages.get(r.shard) as PendingPage;
    page.readUpTo = jobId;
    counts.set(r.shard, (counts.get(r.shard) ?? 0) + 1);
    const status = statuses.get(jobId);
    if (status?.finished) continue;
    const event = gatewayJobId === null ? undefined : events.get(gatewayJobId);
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
      body: gatewayJobId === null ? r.body : (event?.payload ?? null),
      gatewayJobId: gatewayJobId === null ? null : Number(gatewayJobId),
      eventLabel: r.event_label,
      eventMissing: gatewayJobId !== null && event === undefined,
      attempts: status?.attempts ?? 0,
      firstAttemptAt: status?.firstAttemptAt ?? null,
    });
  }
  for (const [shard, count] of counts) {
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
  jobs: readonly { gatewayJobId: string | null }[],
): Promise<Map<string, GatewayEventRow>> {
  const ids: string[] = [];
  let low = Number.POSITIVE_INFINITY;
  let high = 0;
  for (const j of jobs) {
    if (j.gatewayJobId === null) continue;
    const id = Number(j.gatewayJobId);
    if (id < low) low = id;
    if (id > high) high = id;
    ids.push(j.gatewayJobId);
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
async function statusesOf(client: Queryable, ids: readonly number[]): Promise<Map<number, JobStatusSummary>> {
  let low = Number.POSITIVE_INFINITY;
  let high = 0;
  for (const id of ids) {
    if (id < low) low = id;
    if (id > high) high = id;
  }
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
  const summaries = new Map<number, JobStatusSummary>();
  for (const s of rows) {
    const jobId = Number(s.job_id);
    if (!asked.has(jobId)) continue;
    let summary = summaries.get(jobId);
    if (!summary) {
      summary = { finished: false, attempts: 0, firstAttemptAt: null };
      summaries.set(jobId, summary);
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
