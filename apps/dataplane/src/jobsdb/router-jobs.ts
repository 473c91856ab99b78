import { jsonbText } from '@keel/postgres';
import type pg from 'pg';
import { copyIn, copyJson, copyText } from './copy';
import type { Queryable } from './db';
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
  /** A `DeliveryPayload`, serialised. */
  payload: string;
}

export interface RouterJob extends NewRouterJob {
  jobId: number;
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

const APPEND_SQL = `DO $$BEGIN PERFORM pg_advisory_xact_lock(${LOCK_CLASS}, ${LOCKS.routerAppend}); END$$;
COPY rt_jobs (workspace_id, source_id, destination_id, shard, user_key, ordered, message_id, received_at, replay_of, payload) FROM STDIN`;

/**
 * Appends router jobs inside the caller's transaction, with the router's ordering lock held
 * to the commit (see locks.ts), so the router can read each shard by a growing job id. The
 * lock and the COPY go as one message, as the gateway's do; `leading` (statements without
 * parameters, such as the BEGIN that opens the transaction) goes first in that message, which
 * saves its round trips while the event loop is busy. Payloads are JSON.
 */
export async function appendRouterJobs(
  tx: pg.ClientBase,
  jobs: readonly NewRouterJob[],
  leading = '',
): Promise<void> {
  if (jobs.length === 0) {
    if (leading) await tx.query(leading);
    return;
  }
  let text = '';
  let lastDate: Date | undefined;
  let lastIso = '';
  for (const j of jobs) {
    if (j.receivedAt !== lastDate) {
      lastDate = j.receivedAt;
      lastIso = j.receivedAt.toISOString();
    }
    text += `${copyText(j.workspaceId)}\t${copyText(j.sourceId)}\t${copyText(j.destinationId)}\t${j.shard}\t${copyText(j.userKey)}\t${j.ordered ? 't' : 'f'}\t${copyText(j.messageId)}\t${lastIso}\t${j.replayOf === null ? '\\N' : copyText(j.replayOf)}\t${copyJson(j.payload)}\n`;
  }
  await copyIn(tx, leading ? `${leading};\n${APPEND_SQL}` : APPEND_SQL, [text]);
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

/**
 * Unfinished jobs among the next `limit` of one destination shard after `afterJobId`, oldest
 * first. Finished jobs still count toward the page, so that a page of nothing but finished
 * jobs (as after a restart) still moves the reader on. Two plain index
 * lookups rather than one anti-join: on fresh partitions the planner has no statistics yet
 * and chose a nested loop over every status row (measured: 65 s for 1,000 jobs against
 * 88,000 statuses, versus 15 ms this way).
 */
export async function loadPendingRouterJobs(
  client: Queryable,
  destinationId: string,
  shard: number,
  afterJobId: number,
  limit: number,
): Promise<PendingPage> {
  const { rows } = await client.query<{
    job_id: string;
    workspace_id: string;
    source_id: string;
    user_key: string;
    ordered: boolean;
    message_id: string;
    received_at: Date;
    replay_of: string | null;
    payload: string;
  }>({
    name: 'keel-rt-pending',
    text: `SELECT job_id, workspace_id, source_id, user_key, ordered, message_id, received_at, replay_of, payload
             FROM rt_jobs
            WHERE destination_id = $1 AND shard = $2 AND job_id > $3
            ORDER BY job_id
            LIMIT $4`,
    values: [destinationId, shard, afterJobId, limit],
  });
  const last = rows.at(-1);
  if (!last) return { jobs: [], readUpTo: afterJobId, full: false };
  // The range lets Postgres prune rt_status to the partitions of this page's ids; with the
  // array alone it probed every partition's index for every id (half of Postgres's time in
  // the e2e benchmark, for lookups that mostly find nothing).
  const { rows: statuses } = await client.query<{ job_id: string; status: string; at: Date }>({
    name: 'keel-rt-pending-statuses',
    text: 'SELECT job_id, status, at FROM rt_status WHERE job_id = ANY($1::bigint[]) AND job_id BETWEEN $2 AND $3',
    values: [rows.map((r) => r.job_id), rows[0]?.job_id, last.job_id],
  });
  const finished = new Set<string>();
  const attempts = new Map<string, { count: number; first: Date }>();
  for (const s of statuses) {
    if (s.status === 'retrying') {
      const a = attempts.get(s.job_id);
      if (!a) attempts.set(s.job_id, { count: 1, first: s.at });
      else {
        a.count += 1;
        if (s.at < a.first) a.first = s.at;
      }
    } else {
      finished.add(s.job_id);
    }
  }
  const jobs = rows
    .filter((r) => !finished.has(r.job_id))
    .map((r) => ({
      jobId: Number(r.job_id),
      workspaceId: r.workspace_id,
      sourceId: r.source_id,
      destinationId,
      shard,
      userKey: r.user_key,
      ordered: r.ordered,
      messageId: r.message_id,
      receivedAt: r.received_at,
      replayOf: r.replay_of,
      payload: r.payload,
      attempts: attempts.get(r.job_id)?.count ?? 0,
      firstAttemptAt: attempts.get(r.job_id)?.first ?? null,
    }));
  return { jobs, readUpTo: Number(last.job_id), full: rows.length >= limit };
}

/** Appends status rows with COPY inside the caller's transaction; never updates a job row. */
export async function writeRouterStatuses(
  tx: pg.ClientBase,
  rows: readonly RouterStatusRow[],
): Promise<void> {
  if (rows.length === 0) return;
  let text = '';
  for (const r of rows) {
    const detail = r.detail === undefined || r.detail === null ? '\\N' : copyJson(jsonbText(r.detail));
    text += `${r.jobId}\t${r.status}\t${r.attempt}\t${copyText(r.errorCode)}\t${r.at.toISOString()}\t${detail}\n`;
  }
  await copyIn(tx, 'COPY rt_status (job_id, status, attempt, error_code, at, detail) FROM STDIN', [text]);
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
