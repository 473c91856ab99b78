import { jobTypes, type Queryable } from './db';

export interface StoredGatewayJob {
  jobId: number;
  workspaceId: string;
  sourceId: string;
  userKey: string;
  messageId: string;
  receivedAt: Date;
  payload: string;
}

/** The last gateway job id the processor has finished (0 before the first batch). */
export async function processedUpTo(client: Queryable): Promise<number> {
  const { rows } = await client.query<{ last: string | null }>(
    'SELECT max(last_job_id) AS last FROM proc_done',
  );
  return Number(rows[0]?.last ?? 0);
}

/** The next gateway jobs after `afterJobId`, in the order the gateway committed them. */
export async function readGatewayJobs(
  client: Queryable,
  afterJobId: number,
  limit: number,
): Promise<StoredGatewayJob[]> {
  const { rows } = await client.query<{
    job_id: string;
    workspace_id: string;
    source_id: string;
    user_key: string;
    message_id: string;
    received_at: Date;
    payload: string;
  }>({
    name: 'keel-gw-read',
    text: `SELECT job_id, workspace_id, source_id, user_key, message_id, received_at, payload
             FROM gw_jobs WHERE job_id > $1 ORDER BY job_id LIMIT $2`,
    values: [afterJobId, limit],
    types: jobTypes,
  });
  return rows.map((r) => ({
    jobId: Number(r.job_id),
    workspaceId: r.workspace_id,
    sourceId: r.source_id,
    userKey: r.user_key,
    messageId: r.message_id,
    receivedAt: r.received_at,
    payload: r.payload,
  }));
}

/**
 * The statement that marks gateway jobs first..last done, inside the transaction that writes
 * their router jobs. A second processor that worked the same range fails on the primary key,
 * and its transaction, router jobs included, rolls back. Plain SQL rather than a parameterised
 * query, so that it can travel in the same message as the router jobs' COPY.
 */
export function markGatewayDoneSql(firstJobId: number, lastJobId: number): string {
  if (!Number.isSafeInteger(firstJobId) || !Number.isSafeInteger(lastJobId)) {
    throw new Error(`job ids must be integers, got ${firstJobId} and ${lastJobId}`);
  }
  return `INSERT INTO proc_done (first_job_id, last_job_id) VALUES (${firstJobId}, ${lastJobId})`;
}
