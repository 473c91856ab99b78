import { useTestDatabase } from '@keel/postgres/testing';
import type { FailedEvent } from '@keel/shared';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type DashboardWorkspace, setUpDashboardWorkspace, type TestClient } from '../testing';

const db = useTestDatabase('trpc-failed');
let app: FastifyInstance;
let owner: TestClient;
let viewer: TestClient;
let workspaceId: string;
let dataPlane: DashboardWorkspace['dataPlane'];

function failed(id: string, over: Partial<FailedEvent>): FailedEvent {
  return {
    id,
    workspaceId,
    sourceId: 'src_web',
    destinationId: 'dst_a',
    messageId: `msg-${id}`,
    userKey: `user-${id}`,
    eventLabel: 'track · Signed Up',
    errorCode: '400',
    attempts: 1,
    payload: { type: 'track', event: 'Signed Up' },
    request: { method: 'POST', url: 'http://sink/a', body: '{"event":"Signed Up"}' },
    response: { status: 400, body: 'missing field' },
    failedAt: '2026-11-26T10:00:00.000Z',
    ...over,
  };
}

beforeAll(async () => {
  ({ app } = await buildTestApp(db.url));
  ({ owner, viewer, workspaceId, dataPlane } = await setUpDashboardWorkspace(app));
  // f4 comes from a data plane of the version before user keys and event labels.
  const {
    userKey: _userKey,
    eventLabel: _eventLabel,
    ...f4
  } = failed('f4', {
    failedAt: '2026-11-26T10:15:00.000Z',
    destinationId: 'dst_b',
  });
  const events = [
    failed('f1', { failedAt: '2026-11-26T10:00:00.000Z' }),
    failed('f2', { failedAt: '2026-11-26T10:05:00.000Z' }),
    failed('f3', { failedAt: '2026-11-26T10:10:00.000Z', errorCode: '404' }),
    f4,
  ];
  await dataPlane('POST', '/data-plane/v1/failed-events', { dataPlaneId: 'dp-1', events });
});
afterAll(() => app.close());

describe('failedEvents', () => {
  it('lists newest first with filters and paging, and shows one with its request and response', async () => {
    const all = await viewer.ok('query', 'failedEvents.list', { workspaceId, limit: 3 });
    expect(all.events.map((e: { id: string }) => e.id)).toEqual(['f4', 'f3', 'f2']);
    // Which event failed and for whom, as the table shows them; unknown for the older data plane's.
    expect(
      all.events.map((e: { userKey: string | null; eventLabel: string | null }) => [e.userKey, e.eventLabel]),
    ).toEqual([
      [null, null],
      ['user-f3', 'track · Signed Up'],
      ['user-f2', 'track · Signed Up'],
    ]);
    const next = await viewer.ok('query', 'failedEvents.list', {
      workspaceId,
      limit: 3,
      cursor: all.nextCursor,
    });
    expect(next.events.map((e: { id: string }) => e.id)).toEqual(['f1']);
    expect(next.nextCursor).toBeNull();

    const filtered = await viewer.ok('query', 'failedEvents.list', {
      workspaceId,
      destinationId: 'dst_a',
      errorCode: '400',
      from: '2026-11-26T10:01:00.000Z',
    });
    expect(filtered.events.map((e: { id: string }) => e.id)).toEqual(['f2']);

    const one = await viewer.ok('query', 'failedEvents.get', { workspaceId, id: 'f2' });
    expect(one).toMatchObject({
      messageId: 'msg-f2',
      userKey: 'user-f2',
      eventLabel: 'track · Signed Up',
      response: { status: 400, body: 'missing field' },
    });
    expect((await viewer.query('failedEvents.get', { workspaceId, id: 'nope' })).status).toBe(404);
  });

  it('counts what a replay would cover, lets an editor (not a viewer) replay, and the data plane carries it out', async () => {
    const selection = { filter: { destinationId: 'dst_a', errorCode: '400' } };
    expect(await viewer.ok('query', 'failedEvents.countMatching', { workspaceId, ...selection })).toEqual({
      count: 2,
    });
    expect((await viewer.mutation('failedEvents.replay', { workspaceId, ...selection })).status).toBe(403);

    const replay = await owner.ok('mutation', 'failedEvents.replay', { workspaceId, ...selection });
    expect(replay.matching).toBe(2);
    const claimed = (await dataPlane('GET', '/data-plane/v1/commands')).json();
    expect(claimed.replays).toEqual([
      expect.objectContaining({ id: replay.commandId, destinationId: 'dst_a', errorCode: '400' }),
    ]);
    await dataPlane('POST', `/data-plane/v1/commands/${replay.commandId}/done`, {
      dataPlaneId: 'dp-1',
      replayedCount: 2,
    });
    expect(await viewer.ok('query', 'failedEvents.countMatching', { workspaceId, ...selection })).toEqual({
      count: 0,
    });
    const replays = await viewer.ok('query', 'failedEvents.replays', { workspaceId });
    expect(replays[0]).toMatchObject({ id: replay.commandId, status: 'done', replayedCount: 2 });

    // A filter's replay names the events it counted, so the data plane replays exactly those.
    const bySource = await owner.ok('mutation', 'failedEvents.replay', {
      workspaceId,
      filter: { sourceId: 'src_web', errorCode: '404' },
    });
    expect(bySource.matching).toBe(1);
    const command = await db.pool.query('SELECT failed_event_ids FROM replay_commands WHERE id = $1', [
      bySource.commandId,
    ]);
    expect(command.rows[0].failed_event_ids).toEqual(['f3']);

    const byIds = await owner.ok('mutation', 'failedEvents.replay', {
      workspaceId,
      ids: ['f3', 'f4', 'not-ours'],
    });
    expect(byIds.matching).toBe(2);
    const nothing = await owner.mutation('failedEvents.replay', { workspaceId, ids: ['f1'] });
    expect(nothing.status).toBe(412);
    expect(nothing.error?.message).toMatch(/No failed events/);
    const audit = await db.pool.query(
      "SELECT count(*)::int AS n FROM audit_logs WHERE action = 'failed_events.replay'",
    );
    expect(audit.rows[0].n).toBe(3);
  });
});
