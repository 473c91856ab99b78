import type { ReplayCommand, ReplayDone } from '@keel/shared';
import type { DataPlanePrincipal } from './data-plane-tokens';
import { notFound } from './errors';
import type { Sql } from './sql';

interface CommandRow {
  id: string;
  workspace_id: string;
  destination_id: string | null;
  from_time: Date | null;
  to_time: Date | null;
  error_code: string | null;
  failed_event_ids: string[];
}

function toCommand(row: CommandRow): ReplayCommand {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    destinationId: row.destination_id,
    fromTime: row.from_time?.toISOString() ?? null,
    toTime: row.to_time?.toISOString() ?? null,
    errorCode: row.error_code,
    failedEventIds: row.failed_event_ids,
  };
}

/** A claimed command not reported done after this long is handed out again: its data plane died. */
export const REPLAY_CLAIM_TIMEOUT_SECONDS = 300;

/**
 * Claims pending replay commands of the workspaces a token serves, oldest first, in one
 * statement; concurrent data planes skip each other's rows.
 */
export async function claimReplayCommands(
  sql: Sql,
  principal: DataPlanePrincipal,
  limit = 20,
): Promise<ReplayCommand[]> {
  const { rows } = await sql.query<CommandRow>({
    name: 'keel_claim_replays',
    text: `WITH next AS (
        SELECT id FROM replay_commands
        WHERE ($1::text IS NULL OR workspace_id = $1)
          AND (status = 'pending'
            OR (status = 'claimed' AND claimed_at < now() - make_interval(secs => $3)))
        ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)
      UPDATE replay_commands r SET status = 'claimed', claimed_at = now()
      FROM next WHERE r.id = next.id
      RETURNING r.id, r.workspace_id, r.destination_id, r.from_time, r.to_time, r.error_code, r.failed_event_ids`,
    values: [principal.workspaceId, limit, REPLAY_CLAIM_TIMEOUT_SECONDS],
  });
  return rows.map(toCommand).sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * Records that a data plane carried out a replay, and marks the failed-event samples it
 * covered as replayed. Idempotent: reporting a finished command again changes nothing.
 */
export async function finishReplayCommand(
  sql: Sql,
  principal: DataPlanePrincipal,
  commandId: string,
  done: ReplayDone,
): Promise<{ alreadyDone: boolean }> {
  const { rows } = await sql.query<CommandRow & { created_at: Date }>({
    name: 'keel_finish_replay',
    text: `UPDATE replay_commands SET status = 'done', replayed_count = $3, finished_at = now()
      WHERE id = $1 AND ($2::text IS NULL OR workspace_id = $2) AND status <> 'done'
      RETURNING id, workspace_id, destination_id, from_time, to_time, error_code, failed_event_ids, created_at`,
    values: [commandId, principal.workspaceId, done.replayedCount],
  });
  const row = rows[0];
  if (!row) {
    const { rowCount } = await sql.query({
      name: 'keel_replay_exists',
      text: `SELECT 1 FROM replay_commands WHERE id = $1 AND ($2::text IS NULL OR workspace_id = $2)`,
      values: [commandId, principal.workspaceId],
    });
    if (!rowCount) throw notFound(`Replay command ${commandId}`);
    return { alreadyDone: true };
  }
  await sql.query({
    name: 'keel_mark_replayed',
    text: `UPDATE failed_event_samples SET replayed_at = now()
      WHERE workspace_id = $1 AND replayed_at IS NULL AND failed_at <= $2
        AND (cardinality($3::text[]) = 0 OR id = ANY($3::text[]))
        AND ($4::text IS NULL OR destination_id = $4)
        AND ($5::timestamptz IS NULL OR failed_at >= $5)
        AND ($6::timestamptz IS NULL OR failed_at <= $6)
        AND ($7::text IS NULL OR error_code = $7)`,
    values: [
      row.workspace_id,
      row.created_at,
      row.failed_event_ids,
      row.destination_id,
      row.from_time,
      row.to_time,
      row.error_code,
    ],
  });
  return { alreadyDone: false };
}
