import { useTestDatabase } from '@keel/postgres/testing';
import type { DeliveryReportRow } from '@keel/shared';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type DashboardWorkspace, setUpDashboardWorkspace, type TestClient } from '../testing';

const db = useTestDatabase('trpc-reports');
let app: FastifyInstance;
let viewer: TestClient;
let workspaceId: string;

const HOUR = 3_600_000;
const now = Date.now();
const thisHour = Math.floor(now / HOUR) * HOUR;

function row(over: Partial<DeliveryReportRow>): DeliveryReportRow {
  return {
    workspaceId,
    minute: new Date(thisHour).toISOString(),
    sourceId: 'src_web',
    destinationId: 'dst_hook',
    status: 'delivered',
    errorCode: '',
    count: 0,
    latencyP50Ms: null,
    latencyP95Ms: null,
    latencyP99Ms: null,
    samples: [],
    ...over,
  };
}

beforeAll(async () => {
  ({ app } = await buildTestApp(db.url));
  let dataPlane: DashboardWorkspace['dataPlane'];
  ({ viewer, workspaceId, dataPlane } = await setUpDashboardWorkspace(app));
  for (const [id, name] of [
    ['src_web', 'Web'],
    ['src_srv', 'Server'],
  ]) {
    await db.pool.query(
      `INSERT INTO sources (id, workspace_id, name, type) VALUES ($1, $2, $3, 'javascript')`,
      [id, workspaceId, name],
    );
  }
  const minute = (offsetMinutes: number) => new Date(thisHour - offsetMinutes * 60_000).toISOString();
  const sample = {
    messageId: 'm1',
    request: { url: 'http://sink/hook' },
    response: { status: 400, body: 'no' },
  };
  const rejectedSample = {
    messageId: 'm-bad',
    request: { index: 2 },
    response: { code: 'invalid-event', reason: '`event` must be a string' },
  };
  const rejected = (over: Partial<DeliveryReportRow>) =>
    row({ destinationId: '', status: 'rejected', ...over });
  const reports = [
    row({ minute: minute(120), count: 100, latencyP50Ms: 10, latencyP95Ms: 50 }),
    row({ minute: minute(119), count: 300, latencyP50Ms: 30, latencyP95Ms: 90 }),
    row({ minute: minute(119), status: 'aborted', errorCode: '400', count: 4, samples: [sample] }),
    row({ minute: minute(60), status: 'retrying', errorCode: '503', count: 7 }),
    row({ minute: minute(60), status: 'dropped', errorCode: 'filtered', count: 5 }),
    row({ minute: minute(60), status: 'dropped', errorCode: 'consent', count: 2 }),
    row({ minute: minute(30), sourceId: 'src_srv', destinationId: 'dst_other', count: 40 }),
    row({ minute: minute(30), sourceId: 'src_srv', destinationId: 'dst_hook', count: 25 }),
    // The gateway's refusals: per source, no destination.
    rejected({ minute: minute(90), errorCode: 'invalid-event', count: 3, samples: [rejectedSample] }),
    rejected({ minute: minute(45), errorCode: 'invalid-event', count: 2 }),
    rejected({ minute: minute(45), errorCode: 'rate-limited', count: 50 }),
    rejected({ minute: minute(45), sourceId: 'src_srv', errorCode: 'event-too-large', count: 1 }),
    // Outside every range below.
    row({ minute: minute(60 * 30), count: 1000 }),
  ];
  const res = await dataPlane('POST', '/data-plane/v1/reports', { dataPlaneId: 'dp-1', reports });
  expect(res.json()).toEqual({ accepted: reports.length, skipped: 0 });
});
afterAll(() => app.close());

describe('reports', () => {
  it('buckets a 6-hour range per minute with counts, drops by reason and weighted latency', async () => {
    const range = {
      workspaceId,
      from: new Date(thisHour - 5 * HOUR).toISOString(),
      to: new Date(thisHour + HOUR).toISOString(),
    };
    const series = await viewer.ok('query', 'reports.timeseries', range);
    expect(series.bucket).toBe('minute');
    expect(series.points).toHaveLength(360);
    expect(series.totals).toEqual({
      delivered: 465,
      retrying: 7,
      aborted: 4,
      dropped: 7,
      droppedByReason: { filtered: 5, consent: 2 },
      rejected: 56,
      rejectedByReason: { 'invalid-event': 5, 'rate-limited': 50, 'event-too-large': 1 },
      latencyP50Ms: 25,
      latencyP95Ms: 80,
    });
    const at = new Date(thisHour - 119 * 60_000).toISOString();
    expect(series.points.find((p: { at: string }) => p.at === at)).toMatchObject({
      delivered: 300,
      aborted: 4,
      latencyP50Ms: 30,
    });

    const oneDestination = await viewer.ok('query', 'reports.timeseries', {
      ...range,
      destinationId: 'dst_other',
    });
    expect(oneDestination.totals.delivered).toBe(40);
    expect(oneDestination.totals.rejected).toBe(0);
    const oneSource = await viewer.ok('query', 'reports.timeseries', { ...range, sourceId: 'src_srv' });
    expect(oneSource.totals.delivered).toBe(65);
    expect(oneSource.totals.rejectedByReason).toEqual({ 'event-too-large': 1 });
  });

  it('buckets longer ranges per hour and per day', async () => {
    const week = await viewer.ok('query', 'reports.timeseries', {
      workspaceId,
      from: new Date(now - 7 * 24 * HOUR).toISOString(),
      to: new Date(now).toISOString(),
    });
    expect(week.bucket).toBe('hour');
    expect(week.totals.delivered).toBe(1465);
    const month = await viewer.ok('query', 'reports.timeseries', {
      workspaceId,
      from: new Date(now - 30 * 24 * HOUR).toISOString(),
      to: new Date(now + HOUR).toISOString(),
    });
    expect(month.bucket).toBe('day');
    expect(month.points.length).toBeGreaterThanOrEqual(30);
  });

  it('groups errors by destination, status and code with a sample request and response', async () => {
    const errors = await viewer.ok('query', 'reports.errors', {
      workspaceId,
      from: new Date(thisHour - 5 * HOUR).toISOString(),
      to: new Date(thisHour + HOUR).toISOString(),
    });
    expect(
      errors.map((e: { status: string; errorCode: string; count: number }) => [
        e.status,
        e.errorCode,
        e.count,
      ]),
    ).toEqual([
      ['retrying', '503', 7],
      ['dropped', 'filtered', 5],
      ['aborted', '400', 4],
      ['dropped', 'consent', 2],
    ]);
    const aborted = errors.find((e: { errorCode: string }) => e.errorCode === '400');
    expect(aborted.samples[0]).toMatchObject({ response: { status: 400, body: 'no' } });
  });

  it('stores the gateway’s rejections and groups them by source and reason with a sample', async () => {
    const { rows } = await db.pool.query(
      `SELECT source_id, destination_id, error_code, sum(count)::int AS n FROM delivery_reports
        WHERE status = 'rejected' GROUP BY 1, 2, 3 ORDER BY 1, 3`,
    );
    expect(rows).toEqual([
      { source_id: 'src_srv', destination_id: '', error_code: 'event-too-large', n: 1 },
      { source_id: 'src_web', destination_id: '', error_code: 'invalid-event', n: 5 },
      { source_id: 'src_web', destination_id: '', error_code: 'rate-limited', n: 50 },
    ]);
    const range = {
      workspaceId,
      from: new Date(thisHour - 5 * HOUR).toISOString(),
      to: new Date(thisHour + HOUR).toISOString(),
    };
    const groups = await viewer.ok('query', 'reports.rejections', range);
    expect(
      groups.map((g: { sourceId: string; errorCode: string; count: number }) => [
        g.sourceId,
        g.errorCode,
        g.count,
      ]),
    ).toEqual([
      ['src_web', 'rate-limited', 50],
      ['src_web', 'invalid-event', 5],
      ['src_srv', 'event-too-large', 1],
    ]);
    const invalid = groups.find((g: { errorCode: string }) => g.errorCode === 'invalid-event');
    expect(invalid.samples[0]).toMatchObject({ messageId: 'm-bad', response: { code: 'invalid-event' } });
    expect(await viewer.ok('query', 'reports.rejections', { ...range, sourceId: 'src_srv' })).toHaveLength(1);
    // Rejected events never reached a destination.
    expect(await viewer.ok('query', 'reports.rejections', { ...range, destinationId: 'dst_hook' })).toEqual(
      [],
    );
  });

  it('gives each source 24 hourly volumes for sparklines', async () => {
    const volumes = await viewer.ok('query', 'reports.sourceVolumes', { workspaceId });
    const web = volumes.find((v: { sourceId: string }) => v.sourceId === 'src_web');
    const srv = volumes.find((v: { sourceId: string }) => v.sourceId === 'src_srv');
    expect(web.hourly).toHaveLength(24);
    expect(web.total).toBe(400 + 4 + 7);
    // Two destinations of one source count its events once: the busier destination's count.
    expect(srv.total).toBe(40);
  });

  it('sums each connection over the last hour for the graph', async () => {
    // The rows sit at whole minutes before this hour began; reach back 90 minutes from there.
    const minutes = 90 + Math.floor((now - thisHour) / 60_000);
    const health = await viewer.ok('query', 'reports.connectionHealth', { workspaceId, minutes });
    expect(
      health.map(
        (h: {
          sourceId: string;
          destinationId: string;
          delivered: number;
          retrying: number;
          dropped: number;
        }) => [h.sourceId, h.destinationId, h.delivered, h.retrying, h.dropped],
      ),
    ).toEqual([
      ['src_srv', 'dst_hook', 25, 0, 0],
      ['src_srv', 'dst_other', 40, 0, 0],
      ['src_web', 'dst_hook', 0, 7, 7],
    ]);
  });

  it('validates the range and hides other workspaces', async () => {
    const backwards = await viewer.query('reports.timeseries', {
      workspaceId,
      from: new Date(now).toISOString(),
      to: new Date(now - HOUR).toISOString(),
    });
    expect(backwards.status).toBe(400);
    expect(backwards.error?.data.fields).toHaveProperty('from');
    const other = await viewer.query('reports.sourceVolumes', { workspaceId: 'ws_someone_else' });
    expect(other.status).toBe(404);
  });
});
