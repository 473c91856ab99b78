import type pg from 'pg';

/**
 * Seeds a month of hourly-report traffic for the dashboard benchmarks: one delivered row per
 * minute and source→destination pair (pair p is source p % 5 → destination p), adding up to
 * exactly `delivered` events; and every 7th minute a row per pair of the `problems` in turn
 * (status and error code), with a failed-request sample, so every chart has data.
 */
export async function seedDeliveryReports(
  pool: pg.Pool,
  options: {
    workspaceId: string;
    start: Date;
    days: number;
    pairs: number;
    delivered: number;
    problems: Array<{ status: string; errorCode: string }>;
  },
): Promise<void> {
  const { workspaceId, start, pairs } = options;
  const minutes = options.days * 1440;
  const perRow = Math.floor(options.delivered / (minutes * pairs));
  const remainder = options.delivered - perRow * minutes * pairs;
  // The first `remainder` rows carry one event more.
  await pool.query(
    `INSERT INTO delivery_reports (workspace_id, data_plane_id, minute, source_id, destination_id, status, error_code,
       count, latency_p50_ms, latency_p95_ms, latency_p99_ms)
     SELECT $1, 'dp-1', $2::timestamptz + m * interval '1 minute', 'src_' || (p % 5), 'dst_' || p, 'delivered', '',
       $3 + CASE WHEN m * $5 + p < $4 THEN 1 ELSE 0 END, 40 + (m % 17), 180 + (m % 91), 400 + (m % 301)
     FROM generate_series(0, $6 - 1) m, generate_series(0, $5 - 1) p`,
    [workspaceId, start, perRow, remainder, pairs, minutes],
  );
  await pool.query(
    `INSERT INTO delivery_reports (workspace_id, data_plane_id, minute, source_id, destination_id, status, error_code,
       count, samples)
     SELECT $1, 'dp-1', $2::timestamptz + m * interval '1 minute', 'src_' || (p % 5), 'dst_' || p,
       ($5::text[])[1 + m % cardinality($5::text[])], ($6::text[])[1 + m % cardinality($6::text[])], 1 + m % 7,
       jsonb_build_array(jsonb_build_object('messageId', 'm' || m, 'request', jsonb_build_object('url', 'https://x'),
         'response', jsonb_build_object('status', 400)))
     FROM generate_series(0, $3 - 1, 7) m, generate_series(0, $4 - 1) p`,
    [
      workspaceId,
      start,
      minutes,
      pairs,
      options.problems.map((p) => p.status),
      options.problems.map((p) => p.errorCode),
    ],
  );
  await pool.query('ANALYZE delivery_reports');
}
