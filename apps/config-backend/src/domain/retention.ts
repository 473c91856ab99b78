import { MAX_RANGE_DAYS } from '@keel/shared';
import type { Sql } from './sql';

export interface RetentionSettings {
  /** Failed-event samples older than this (by when they failed) are deleted. */
  failedEventRetentionDays: number;
}

export interface Pruned {
  reports: number;
  watches: number;
  failedEvents: number;
}

/**
 * Deletes what no screen can show any more: delivery reports and their hourly rollup older
 * than the dashboard's longest range, lapsed live watches, and failed-event samples past their
 * retention (the data plane drops its own copy after the same number of days by default, so
 * an older sample could not be replayed). Runs hourly from the data-plane API plugin, off the
 * request path; deletes are idempotent, so every config-backend may run it.
 */
export async function pruneExpired(sql: Sql, settings: RetentionSettings, now = new Date()): Promise<Pruned> {
  const cutoff = new Date(now.getTime() - (MAX_RANGE_DAYS + 1) * 86_400_000);
  const reports = await sql.query('DELETE FROM delivery_reports WHERE minute < $1', [cutoff]);
  await sql.query('DELETE FROM delivery_reports_hourly WHERE hour < $1', [cutoff]);
  const watches = await sql.query(
    `DELETE FROM live_watches WHERE until < $1::timestamptz - interval '1 hour'`,
    [now],
  );
  const failedCutoff = new Date(now.getTime() - settings.failedEventRetentionDays * 86_400_000);
  const failedEvents = await sql.query('DELETE FROM failed_event_samples WHERE failed_at < $1', [
    failedCutoff,
  ]);
  return {
    reports: reports.rowCount ?? 0,
    watches: watches.rowCount ?? 0,
    failedEvents: failedEvents.rowCount ?? 0,
  };
}
