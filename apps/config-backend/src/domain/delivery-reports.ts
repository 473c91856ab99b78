import type { DeliveryReportBatch, DeliveryReportRow } from '@keel/shared';
import { servableWorkspaces } from './data-plane-scope';
import type { DataPlanePrincipal } from './data-plane-tokens';
import type { Sql } from './sql';

export interface IngestResult {
  accepted: number;
  /** Rows of workspaces that no longer exist. */
  skipped: number;
}

function minuteOf(iso: string): Date {
  const date = new Date(iso);
  date.setUTCSeconds(0, 0);
  return date;
}

function keyOf(row: DeliveryReportRow, minute: Date): string {
  return JSON.stringify([minute.getTime(), row.sourceId, row.destinationId, row.status, row.errorCode]);
}

/**
 * Stores per-minute delivery aggregates. A row is keyed by (data plane, minute, source,
 * destination, status, error code) and a resent row REPLACES the stored one, so a data plane
 * that resends after a timeout never double-counts. One statement for the whole batch.
 */
export async function ingestDeliveryReports(
  sql: Sql,
  principal: DataPlanePrincipal,
  batch: DeliveryReportBatch,
): Promise<IngestResult> {
  const workspaces = await servableWorkspaces(
    sql,
    principal,
    batch.reports.map((r) => r.workspaceId),
  );
  // Within one batch the last row for a key wins: ON CONFLICT cannot touch a row twice.
  const rows = new Map<string, { row: DeliveryReportRow; minute: Date }>();
  let skipped = 0;
  for (const row of batch.reports) {
    if (!workspaces.has(row.workspaceId)) {
      skipped++;
      continue;
    }
    const minute = minuteOf(row.minute);
    rows.set(keyOf(row, minute), { row, minute });
  }
  if (rows.size === 0) return { accepted: 0, skipped };
  // A fixed order, so concurrent batches lock the hourly rollup's rows in the same order.
  const list = [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  await sql.query({
    name: 'keel_ingest_reports',
    text: `INSERT INTO delivery_reports (workspace_id, data_plane_id, minute, source_id, destination_id, status,
        error_code, count, latency_p50_ms, latency_p95_ms, latency_p99_ms, samples)
      SELECT w, $1, m, s, d, st, e, c, p50, p95, p99, sm
      FROM unnest($2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[],
        $9::int[], $10::int[], $11::int[], $12::jsonb[]) AS t(w, m, s, d, st, e, c, p50, p95, p99, sm)
      ON CONFLICT (data_plane_id, minute, source_id, destination_id, status, error_code) DO UPDATE SET
        workspace_id = EXCLUDED.workspace_id, count = EXCLUDED.count, latency_p50_ms = EXCLUDED.latency_p50_ms,
        latency_p95_ms = EXCLUDED.latency_p95_ms, latency_p99_ms = EXCLUDED.latency_p99_ms,
        samples = EXCLUDED.samples`,
    values: [
      batch.dataPlaneId,
      list.map((r) => r.row.workspaceId),
      list.map((r) => r.minute),
      list.map((r) => r.row.sourceId),
      list.map((r) => r.row.destinationId),
      list.map((r) => r.row.status),
      list.map((r) => r.row.errorCode),
      list.map((r) => r.row.count),
      list.map((r) => r.row.latencyP50Ms),
      list.map((r) => r.row.latencyP95Ms),
      list.map((r) => r.row.latencyP99Ms),
      list.map((r) => JSON.stringify(r.row.samples)),
    ],
  });
  return { accepted: list.length, skipped };
}
