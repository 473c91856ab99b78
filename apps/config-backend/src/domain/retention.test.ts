import { useTestDatabase } from '@keel/postgres/testing';
import { describe, expect, it } from 'vitest';
import { pruneExpired } from './retention';

const db = useTestDatabase('retention');
const now = new Date('2026-11-26T12:00:00Z');
const day = 86_400_000;

describe('pruneExpired', () => {
  it('deletes reports beyond the longest dashboard range and lapsed watches, and keeps the rest', async () => {
    await db.pool.query(`INSERT INTO workspaces (id, name) VALUES ('ws', 'W')`);
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
    expect(await pruneExpired(db.pool, { failedEventRetentionDays: 14 }, now)).toEqual({
      reports: 1,
      watches: 1,
      failedEvents: 0,
    });
    const left = await db.pool.query('SELECT count FROM delivery_reports');
    expect(left.rows).toEqual([{ count: 7 }]);
    const hourly = await db.pool.query('SELECT count::int FROM delivery_reports_hourly');
    expect(hourly.rows).toEqual([{ count: 7 }]);
    const watches = await db.pool.query('SELECT scope FROM live_watches');
    expect(watches.rows).toEqual([{ scope: 'source:s' }]);
  });

  it('deletes failed-event samples that failed before the retention window, replayed or not', async () => {
    await db.pool.query(`INSERT INTO workspaces (id, name) VALUES ('wsf', 'F') ON CONFLICT DO NOTHING`);
    const samples: Array<[string, number, boolean]> = [
      ['fe-old', 20, false],
      ['fe-old-replayed', 15, true],
      ['fe-edge', 13.9, false],
      ['fe-new', 1, false],
    ];
    for (const [id, daysAgo, replayed] of samples) {
      await db.pool.query(
        `INSERT INTO failed_event_samples (id, workspace_id, data_plane_id, source_id, destination_id, message_id,
           error_code, attempts, payload, request, response, failed_at, replayed_at)
         VALUES ($1, 'wsf', 'dp', 's', 'd', $1, '400', 1, '{}', '{}', '{}', $2, $3)`,
        [id, new Date(now.getTime() - daysAgo * day), replayed ? now : null],
      );
    }
    const pruned = await pruneExpired(db.pool, { failedEventRetentionDays: 14 }, now);
    expect(pruned.failedEvents).toBe(2);
    const left = await db.pool.query('SELECT id FROM failed_event_samples ORDER BY id');
    expect(left.rows.map((r) => r.id)).toEqual(['fe-edge', 'fe-new']);

    // A shorter setting takes effect on the next run.
    expect((await pruneExpired(db.pool, { failedEventRetentionDays: 1 }, now)).failedEvents).toBe(1);
    const last = await db.pool.query('SELECT id FROM failed_event_samples');
    expect(last.rows).toEqual([{ id: 'fe-new' }]);
  });
});
