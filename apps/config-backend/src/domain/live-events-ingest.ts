import type { LiveEventBatch, LiveWatch } from '@keel/shared';
import { servableWorkspaces } from './data-plane-scope';
import type { DataPlanePrincipal } from './data-plane-tokens';
import type { IngestResult } from './delivery-reports';
import type { Sql } from './sql';

/** How many live events a workspace keeps; older ones are deleted as new ones arrive. */
export const LIVE_EVENTS_PER_WORKSPACE = 1000;

/** What someone is watching right now, in the workspaces a token serves. */
export async function activeLiveWatches(sql: Sql, principal: DataPlanePrincipal): Promise<LiveWatch[]> {
  const { rows } = await sql.query<{
    workspace_id: string;
    source_id: string | null;
    destination_id: string | null;
    until: Date;
  }>({
    name: 'keel_active_watches',
    text: `SELECT workspace_id, source_id, destination_id, until FROM live_watches
      WHERE until > now() AND ($1::text IS NULL OR workspace_id = $1) ORDER BY workspace_id, scope`,
    values: [principal.workspaceId],
  });
  return rows.map((r) => ({
    workspaceId: r.workspace_id,
    sourceId: r.source_id,
    destinationId: r.destination_id,
    until: r.until.toISOString(),
  }));
}

/**
 * Stores sampled live events and trims each workspace to its newest LIVE_EVENTS_PER_WORKSPACE.
 * A sample whose id the workspace already holds (a resent batch) is ignored; `accepted` counts
 * the samples stored now.
 */
export async function ingestLiveEvents(
  sql: Sql,
  principal: DataPlanePrincipal,
  batch: LiveEventBatch,
): Promise<IngestResult> {
  const workspaces = await servableWorkspaces(
    sql,
    principal,
    batch.events.map((e) => e.workspaceId),
  );
  const events = batch.events.filter((e) => workspaces.has(e.workspaceId));
  const skipped = batch.events.length - events.length;
  if (events.length === 0) return { accepted: 0, skipped };
  const inserted = await sql.query({
    name: 'keel_ingest_live_events',
    text: `INSERT INTO live_events (workspace_id, data_plane_id, source_id, destination_id, message_id, stage, at,
        payload, request, response, reason, sample_id)
      SELECT w, $1, s, d, m, st, t, p, rq, rs, r, i
      FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::jsonb[],
        $9::jsonb[], $10::jsonb[], $11::text[], $12::text[]) AS u(w, s, d, m, st, t, p, rq, rs, r, i)
      ON CONFLICT (workspace_id, sample_id) DO NOTHING`,
    values: [
      batch.dataPlaneId,
      events.map((e) => e.workspaceId),
      events.map((e) => e.sourceId),
      events.map((e) => e.destinationId),
      events.map((e) => e.messageId),
      events.map((e) => e.stage),
      events.map((e) => new Date(e.at)),
      events.map((e) => JSON.stringify(e.payload ?? null)),
      events.map((e) => (e.request === undefined ? null : JSON.stringify(e.request))),
      events.map((e) => (e.response === undefined ? null : JSON.stringify(e.response))),
      events.map((e) => e.reason ?? null),
      events.map((e) => e.id ?? null),
    ],
  });
  for (const workspaceId of new Set(events.map((e) => e.workspaceId))) {
    await sql.query({
      name: 'keel_trim_live_events',
      text: `DELETE FROM live_events WHERE workspace_id = $1 AND id <= (
          SELECT id FROM live_events WHERE workspace_id = $1 ORDER BY id DESC OFFSET $2 LIMIT 1)`,
      values: [workspaceId, LIVE_EVENTS_PER_WORKSPACE],
    });
  }
  return { accepted: inserted.rowCount ?? 0, skipped };
}
