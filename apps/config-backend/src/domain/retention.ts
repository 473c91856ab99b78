import { MAX_RANGE_DAYS } from './reports';
import type { Sql } from './sql';

/**
 * Deletes what no screen can show any more: delivery reports and their hourly rollup older
 * than the dashboard's longest range, and lapsed live watches. Runs hourly from the data-plane
 * API plugin; each statement uses the (workspace_id, minute)/primary-key order of its table.
 */
export async function pruneExpiredReports(
  sql: Sql,
  now = new Date(),
): Promise<{ reports: number; watches: number }> {
  const cutoff = new Date(now.getTime() - (MAX_RANGE_DAYS + 1) * 86_400_000);
  const reports = await sql.query('DELETE FROM delivery_reports WHERE minute < $1', [cutoff]);
  await sql.query('DELETE FROM delivery_reports_hourly WHERE hour < $1', [cutoff]);
  const watches = await sql.query(
    `DELETE FROM live_watches WHERE until < $1::timestamptz - interval '1 hour'`,
    [now],
  );
  return { reports: reports.rowCount ?? 0, watches: watches.rowCount ?? 0 };
}
