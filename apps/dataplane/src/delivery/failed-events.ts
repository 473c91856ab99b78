import { randomUUID } from 'node:crypto';
import { jsonbSafe, jsonbText } from '@keel/postgres';
import type { FailedEvent, ReplayCommand } from '@keel/shared';
import type pg from 'pg';
import type { Queryable } from '../jobsdb/db';
import { appendRouterJobs, type NewRouterJob, shardOf } from '../jobsdb/router-jobs';

/** An aborted job on its way into the failed-events store. */
export interface NewFailedEvent {
  rtJobId: number;
  workspaceId: string;
  sourceId: string;
  destinationId: string;
  userKey: string;
  /** Which event failed (`eventLabelOf`), or null when it cannot be told. */
  eventLabel: string | null;
  messageId: string;
  receivedAt: Date;
  errorCode: string;
  attempts: number;
  /** The job's `DeliveryPayload`, serialised, so a replay sends it again. */
  payload: string;
  /** The request as sent, secrets masked. */
  request: unknown;
  response: unknown;
}

/**
 * Stores aborted jobs inside the router's status transaction. The attempt log is read from
 * the job's status rows, written earlier in the same transaction.
 */
export async function insertFailedEvents(
  tx: pg.ClientBase,
  events: readonly NewFailedEvent[],
): Promise<void> {
  if (events.length === 0) return;
  await tx.query(
    `INSERT INTO failed_events (id, rt_job_id, workspace_id, source_id, destination_id, user_key, message_id,
                                received_at, error_code, attempts, payload, request, response, attempt_log,
                                event_label)
     SELECT e.id, e.rt_job_id, e.workspace_id, e.source_id, e.destination_id, e.user_key, e.message_id,
            e.received_at, e.error_code, e.attempts, e.payload, e.request, e.response,
            coalesce((SELECT jsonb_agg(jsonb_build_object('attempt', s.attempt, 'status', s.status,
                                                          'errorCode', s.error_code, 'at', s.at, 'detail', s.detail)
                                       ORDER BY s.at, s.attempt)
                        FROM rt_status s WHERE s.job_id = e.rt_job_id), '[]'::jsonb),
            e.event_label
       FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                   $8::timestamptz[], $9::text[], $10::int[], $11::text[], $12::jsonb[], $13::jsonb[], $14::text[])
            AS e(id, rt_job_id, workspace_id, source_id, destination_id, user_key, message_id,
                 received_at, error_code, attempts, payload, request, response, event_label)`,
    [
      events.map(() => `fe_${randomUUID()}`),
      events.map((e) => e.rtJobId),
      events.map((e) => e.workspaceId),
      events.map((e) => e.sourceId),
      events.map((e) => e.destinationId),
      events.map((e) => e.userKey),
      events.map((e) => e.messageId),
      events.map((e) => e.receivedAt),
      events.map((e) => e.errorCode),
      events.map((e) => e.attempts),
      events.map((e) => e.payload),
      events.map((e) => jsonbText(e.request ?? null)),
      events.map((e) => jsonbText(e.response ?? null)),
      events.map((e) => e.eventLabel),
    ],
  );
}

interface FailedRow {
  id: string;
  workspace_id: string;
  source_id: string;
  destination_id: string;
  user_key: string;
  event_label: string | null;
  message_id: string;
  error_code: string;
  attempts: number;
  payload: string;
  request: unknown;
  response: unknown;
  attempt_log: unknown;
  failed_at: Date;
}

function toFailedEvent(r: FailedRow): FailedEvent {
  let payload: unknown = r.payload;
  try {
    // The control plane keeps the payload in jsonb, which refuses what jsonbText replaces.
    payload = jsonbSafe(JSON.parse(r.payload));
  } catch {
    // A payload that is not JSON is shown as the text it is.
  }
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    sourceId: r.source_id,
    destinationId: r.destination_id,
    messageId: r.message_id,
    // A job whose gateway event was lost has no user key ('' in the NOT NULL column).
    userKey: r.user_key === '' ? null : r.user_key,
    eventLabel: r.event_label,
    errorCode: r.error_code,
    attempts: r.attempts,
    payload,
    request: r.request,
    response: { last: r.response, attempts: r.attempt_log },
    failedAt: r.failed_at.toISOString(),
  };
}

/** Failed events not yet pushed to the control plane, oldest first. */
export async function unpushedFailedEvents(client: Queryable, limit: number): Promise<FailedEvent[]> {
  const { rows } = await client.query<FailedRow>(
    `SELECT id, workspace_id, source_id, destination_id, user_key, event_label, message_id, error_code, attempts,
            payload, request, response, attempt_log, failed_at
       FROM failed_events WHERE pushed_at IS NULL ORDER BY failed_at LIMIT $1`,
    [limit],
  );
  return rows.map(toFailedEvent);
}

export async function markFailedEventsPushed(client: Queryable, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await client.query('UPDATE failed_events SET pushed_at = now() WHERE id = ANY($1::text[])', [ids]);
}

/**
 * Re-enqueues the failed events a replay command selects, once per command even if the
 * command is pulled again. The router delivers them like any job and reports them as replays.
 */
export async function replayFailedEvents(
  client: pg.ClientBase,
  command: ReplayCommand,
  shards: number,
): Promise<number> {
  await client.query('BEGIN');
  try {
    const { rows } = await client.query<{
      id: string;
      workspace_id: string;
      source_id: string;
      destination_id: string;
      user_key: string;
      message_id: string;
      received_at: Date;
      payload: string;
      event_label: string | null;
    }>(
      `SELECT f.id, f.workspace_id, f.source_id, f.destination_id, f.user_key, f.message_id, f.received_at, f.payload,
              f.event_label
         FROM failed_events f
        WHERE f.workspace_id = $1
          AND ($2::text IS NULL OR f.destination_id = $2)
          AND ($3::timestamptz IS NULL OR f.failed_at >= $3)
          AND ($4::timestamptz IS NULL OR f.failed_at < $4)
          AND ($5::text IS NULL OR f.error_code = $5)
          AND (cardinality($6::text[]) = 0 OR f.id = ANY($6::text[]))
          AND NOT EXISTS (SELECT 1 FROM failed_event_replays r WHERE r.command_id = $7 AND r.failed_event_id = f.id)
        ORDER BY f.rt_job_id`,
      [
        command.workspaceId,
        command.destinationId,
        command.fromTime,
        command.toTime,
        command.errorCode,
        command.failedEventIds,
        command.id,
      ],
    );
    const jobs: NewRouterJob[] = rows.map((r) => ({
      workspaceId: r.workspace_id,
      sourceId: r.source_id,
      destinationId: r.destination_id,
      shard: shardOf(r.user_key, shards),
      userKey: r.user_key,
      // A replay is no longer in sequence with the user's other events.
      ordered: false,
      messageId: r.message_id,
      receivedAt: r.received_at,
      replayOf: r.id,
      payload: r.payload,
      body: null,
      gatewayJobId: null,
      // The payload holds the body, so the router cannot name the event: the failed event can.
      eventLabel: r.event_label,
    }));
    await appendRouterJobs(client, jobs);
    if (rows.length > 0) {
      await client.query(
        `INSERT INTO failed_event_replays (command_id, failed_event_id)
         SELECT $1, id FROM unnest($2::text[]) AS id`,
        [command.id, rows.map((r) => r.id)],
      );
    }
    await client.query('COMMIT');
    return rows.length;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/** Deletes failed events older than the retention; returns how many. */
export async function deleteExpiredFailedEvents(
  client: pg.ClientBase,
  retentionDays: number,
): Promise<number> {
  const { rowCount } = await client.query(
    `DELETE FROM failed_events WHERE failed_at < now() - make_interval(days => $1)`,
    [retentionDays],
  );
  await client.query(
    `DELETE FROM failed_event_replays WHERE replayed_at < now() - make_interval(days => $1)`,
    [retentionDays],
  );
  return rowCount ?? 0;
}
