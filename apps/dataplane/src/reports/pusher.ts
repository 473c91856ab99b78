import type { DeliveryReportRow, DeliveryStatus, ReportSample } from '@keel/shared';
import type { Queryable } from '../jobsdb/db';
import { addTo, emptyHistogram, percentile } from './histogram';

interface DeltaRow {
  id: string;
  workspace_id: string;
  minute: Date;
  source_id: string;
  destination_id: string;
  status: DeliveryStatus;
  error_code: string;
  count: number;
  histogram: number[];
  samples: ReportSample[];
}

/**
 * The per-minute aggregates of the last three minutes and of every older minute that changed
 * since `afterId`. The control plane replaces a minute's row on each push, so each push carries
 * the whole minute so far; recent minutes are always included because ids commit out of order.
 */
export async function aggregateReports(
  client: Queryable,
  afterId: number,
  now: Date = new Date(),
): Promise<{ rows: DeliveryReportRow[]; lastId: number }> {
  const { rows } = await client.query<DeltaRow>(
    `SELECT id, workspace_id, minute, source_id, destination_id, status, error_code, count, histogram, samples
       FROM rpt_deltas
      WHERE minute >= $2 OR minute IN (SELECT DISTINCT minute FROM rpt_deltas WHERE id > $1)
      ORDER BY id`,
    [afterId, new Date(now.getTime() - 180_000)],
  );
  const byKey = new Map<string, { row: DeliveryReportRow; histogram: number[] }>();
  let lastId = afterId;
  for (const d of rows) {
    lastId = Math.max(lastId, Number(d.id));
    const minute = d.minute.toISOString();
    const key = `${minute}\u0000${d.workspace_id}\u0000${d.source_id}\u0000${d.destination_id}\u0000${d.status}\u0000${d.error_code}`;
    let entry = byKey.get(key);
    if (!entry) {
      entry = {
        row: {
          workspaceId: d.workspace_id,
          minute,
          sourceId: d.source_id,
          destinationId: d.destination_id,
          status: d.status,
          errorCode: d.error_code,
          count: 0,
          latencyP50Ms: null,
          latencyP95Ms: null,
          latencyP99Ms: null,
          samples: [],
        },
        histogram: emptyHistogram(),
      };
      byKey.set(key, entry);
    }
    entry.row.count += d.count;
    addTo(entry.histogram, d.histogram);
    for (const s of d.samples) if (entry.row.samples.length < 5) entry.row.samples.push(s);
  }
  const out = [...byKey.values()].map(({ row, histogram }) => ({
    ...row,
    latencyP50Ms: percentile(histogram, 0.5),
    latencyP95Ms: percentile(histogram, 0.95),
    latencyP99Ms: percentile(histogram, 0.99),
  }));
  return { rows: out, lastId };
}

/** Deletes the deltas of minutes that are closed and were pushed, in bulk, off the hot path. */
export async function pruneReportDeltas(
  client: Queryable,
  pushedUpToId: number,
  before: Date,
): Promise<void> {
  await client.query('DELETE FROM rpt_deltas WHERE id <= $1 AND minute < $2', [pushedUpToId, before]);
}
