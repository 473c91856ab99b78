import type { FailedEventBatch } from '@keel/shared';
import { servableWorkspaces } from './data-plane-scope';
import type { DataPlanePrincipal } from './data-plane-tokens';
import type { IngestResult } from './delivery-reports';
import type { Sql } from './sql';

/**
 * Stores failed-event samples pushed by a data plane, idempotent per failed-event id: a
 * resend changes nothing, and the same id failing again later (after a replay) updates the
 * sample and makes it replayable again.
 */
export async function ingestFailedEvents(
  sql: Sql,
  principal: DataPlanePrincipal,
  batch: FailedEventBatch,
): Promise<IngestResult> {
  const workspaces = await servableWorkspaces(
    sql,
    principal,
    batch.events.map((e) => e.workspaceId),
  );
  const byId = new Map(batch.events.filter((e) => workspaces.has(e.workspaceId)).map((e) => [e.id, e]));
  const events = [...byId.values()];
  const skipped = batch.events.length - events.length;
  if (events.length === 0) return { accepted: 0, skipped };
  await sql.query({
    name: 'keel_ingest_failed_events',
    text: `INSERT INTO failed_event_samples AS f (id, workspace_id, data_plane_id, source_id, destination_id, message_id,
        user_key, event_label, error_code, attempts, payload, request, response, failed_at)
      SELECT id, w, $1, s, d, m, uk, el, e, a, p, rq, rs, t
      FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::jsonb[],
        $10::jsonb[], $11::jsonb[], $12::timestamptz[], $13::text[], $14::text[])
        AS u(id, w, s, d, m, e, a, p, rq, rs, t, uk, el)
      ON CONFLICT (id) DO UPDATE SET error_code = EXCLUDED.error_code, attempts = EXCLUDED.attempts,
        request = EXCLUDED.request, response = EXCLUDED.response, failed_at = EXCLUDED.failed_at,
        user_key = coalesce(EXCLUDED.user_key, f.user_key), event_label = coalesce(EXCLUDED.event_label, f.event_label),
        replayed_at = NULL
      WHERE EXCLUDED.failed_at > f.failed_at`,
    values: [
      batch.dataPlaneId,
      events.map((e) => e.id),
      events.map((e) => e.workspaceId),
      events.map((e) => e.sourceId),
      events.map((e) => e.destinationId),
      events.map((e) => e.messageId),
      events.map((e) => e.errorCode),
      events.map((e) => e.attempts),
      events.map((e) => JSON.stringify(e.payload ?? null)),
      events.map((e) => JSON.stringify(e.request ?? null)),
      events.map((e) => JSON.stringify(e.response ?? null)),
      events.map((e) => new Date(e.failedAt)),
      // Null from a data plane older than these fields (the contract defaults them).
      events.map((e) => e.userKey),
      events.map((e) => e.eventLabel),
    ],
  });
  return { accepted: events.length, skipped };
}
