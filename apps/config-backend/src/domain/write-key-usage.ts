import type { WriteKeyUsageBatch } from '@keel/shared';
import type { DataPlanePrincipal } from './data-plane-tokens';
import type { Sql } from './sql';

export interface WriteKeyUsageResult {
  /** Keys found in a workspace the token serves (moved forward or already newer). */
  accepted: number;
  /** Keys unknown, deleted, or of a workspace the token does not serve. */
  skipped: number;
}

/**
 * Moves write keys' last-used times forward from a data plane's gateway. Only keys of the
 * workspaces the token serves are touched; times never go back (several gateways push in any
 * order) and never past the database's clock (a data plane's skewed clock could otherwise pin
 * a key as used in the future). `last_used_at` is not among the columns whose change notifies
 * data planes of a new config, so these writes rebuild nothing. Rows are locked in id order
 * first: gateways pushing the same keys at once deadlocked 3 pushes in 8 without it.
 */
export async function recordWriteKeyUsage(
  sql: Sql,
  principal: DataPlanePrincipal,
  batch: WriteKeyUsageBatch,
): Promise<WriteKeyUsageResult> {
  const latest = new Map<string, Date>();
  for (const { writeKeyId, lastUsedAt } of batch.usage) {
    const at = new Date(lastUsedAt);
    const known = latest.get(writeKeyId);
    if (!known || known < at) latest.set(writeKeyId, at);
  }
  if (latest.size === 0) return { accepted: 0, skipped: 0 };
  const { rows } = await sql.query<{ accepted: number }>({
    name: 'keel_record_write_key_usage',
    text: `WITH used AS (
        SELECT k.id, LEAST(u.t, now()) AS t, k.last_used_at AS was
        FROM unnest($1::text[], $2::timestamptz[]) AS u(id, t)
        JOIN write_keys k ON k.id = u.id
        JOIN sources s ON s.id = k.source_id
        WHERE $3::text IS NULL OR s.workspace_id = $3
      ), locked AS (
        SELECT k.id, used.t FROM write_keys k JOIN used ON used.id = k.id
        WHERE used.was IS NULL OR used.was < used.t
        ORDER BY k.id FOR UPDATE OF k
      ), moved AS (
        UPDATE write_keys k SET last_used_at = GREATEST(k.last_used_at, locked.t)
        FROM locked WHERE k.id = locked.id
      )
      SELECT count(*)::int AS accepted FROM used`,
    values: [[...latest.keys()], [...latest.values()], principal.workspaceId],
  });
  const accepted = rows[0]?.accepted ?? 0;
  return { accepted, skipped: latest.size - accepted };
}
