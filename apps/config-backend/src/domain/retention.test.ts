import { useTestDatabase } from '@keel/postgres/testing';
import { describe, expect, it } from 'vitest';
import { pruneExpiredReports } from './retention';

const db = useTestDatabase('retention');

describe('pruneExpiredReports', () => {
  it('deletes reports beyond the longest dashboard range and lapsed watches, and keeps the rest', async () => {
    await db.pool.query(`INSERT INTO workspaces (id, name) VALUES ('ws', 'W')`);
    const now = new Date('2026-11-26T12:00:00Z');
    const day = 86_400_000;
    for (const [minute, count] of [
      [new Date(now.getTime() - 100 * day), 5],
      [new Date(now.getTime() - 10 * day), 7],
    ] as const) {
      await db.pool.query(
        `INSERT INTO delivery_reports (workspace_id, data_plane_id, minute, source_id, destination_id, status, error_code, count)
         VALUES ('ws', 'dp', $1, 's', 'd', 'delivered', '', $2)`,
        [minute, count],
      );
    }
    await db.pool.query(
      `INSERT INTO live_watches (workspace_id, scope, until) VALUES ('ws', 'workspace', $1), ('ws', 'source:s', $2)`,
      [new Date(now.getTime() - 2 * 3_600_000), new Date(now.getTime() + 60_000)],
    );
    expect(await pruneExpiredReports(db.pool, now)).toEqual({ reports: 1, watches: 1 });
    const left = await db.pool.query('SELECT count FROM delivery_reports');
    expect(left.rows).toEqual([{ count: 7 }]);
    const hourly = await db.pool.query('SELECT count::int FROM delivery_reports_hourly');
    expect(hourly.rows).toEqual([{ count: 7 }]);
    const watches = await db.pool.query('SELECT scope FROM live_watches');
    expect(watches.rows).toEqual([{ scope: 'source:s' }]);
  });
});
