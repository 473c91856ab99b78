import { useTestDatabase } from '@keel/postgres/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type DashboardWorkspace, setUpDashboardWorkspace, type TestClient } from '../testing';

const db = useTestDatabase('trpc-live');
let app: FastifyInstance;
let viewer: TestClient;
let workspaceId: string;
let dataPlane: DashboardWorkspace['dataPlane'];

beforeAll(async () => {
  ({ app } = await buildTestApp(db.url));
  ({ viewer, workspaceId, dataPlane } = await setUpDashboardWorkspace(app));
  await db.pool.query(
    `INSERT INTO sources (id, workspace_id, name, type) VALUES ('src_web', $1, 'Web', 'javascript')`,
    [workspaceId],
  );
  await db.pool.query(
    `INSERT INTO destinations (id, workspace_id, name, type, config) VALUES ('dst_hook', $1, 'Hook', 'webhook', '{}')`,
    [workspaceId],
  );
});
afterAll(() => app.close());

describe('live', () => {
  it('a viewer watches a source, the data plane sees the watch and pushes samples, the viewer reads them after a cursor', async () => {
    expect((await dataPlane('GET', '/data-plane/v1/live')).json()).toEqual({ watches: [] });
    const watch = await viewer.ok('mutation', 'live.watch', { workspaceId, sourceId: 'src_web' });
    expect(Date.parse(watch.until)).toBeGreaterThan(Date.now() + 50_000);
    const { watches } = (await dataPlane('GET', '/data-plane/v1/live')).json();
    expect(watches).toEqual([
      expect.objectContaining({ workspaceId, sourceId: 'src_web', destinationId: null }),
    ]);

    const event = (messageId: string, stage: string) => ({
      workspaceId,
      sourceId: 'src_web',
      destinationId: stage === 'received' ? null : 'dst_hook',
      messageId,
      stage,
      at: new Date().toISOString(),
      payload: { type: 'track', event: 'Clicked' },
      ...(stage === 'delivered' ? { request: { url: 'http://sink' }, response: { status: 200 } } : {}),
    });
    await dataPlane('POST', '/data-plane/v1/live-events', {
      dataPlaneId: 'dp-1',
      events: [event('m1', 'received'), event('m1', 'delivered')],
    });
    const first = await viewer.ok('query', 'live.events', { workspaceId, sourceId: 'src_web' });
    expect(first.events.map((e: { messageId: string; stage: string }) => [e.messageId, e.stage])).toEqual([
      ['m1', 'received'],
      ['m1', 'delivered'],
    ]);
    expect(first.events[1]).toMatchObject({ request: { url: 'http://sink' }, response: { status: 200 } });

    await dataPlane('POST', '/data-plane/v1/live-events', {
      dataPlaneId: 'dp-1',
      events: [event('m2', 'received')],
    });
    const next = await viewer.ok('query', 'live.events', {
      workspaceId,
      sourceId: 'src_web',
      after: first.cursor,
    });
    expect(next.events.map((e: { messageId: string }) => e.messageId)).toEqual(['m2']);
    const byDestination = await viewer.ok('query', 'live.events', { workspaceId, destinationId: 'dst_hook' });
    expect(byDestination.events.map((e: { stage: string }) => e.stage)).toEqual(['delivered']);
  });

  it('answers not found for another workspace’s source and refuses watching two things at once', async () => {
    expect((await viewer.mutation('live.watch', { workspaceId, sourceId: 'src_elsewhere' })).status).toBe(
      404,
    );
    const both = await viewer.mutation('live.watch', {
      workspaceId,
      sourceId: 'src_web',
      destinationId: 'x',
    });
    expect(both.status).toBe(400);
  });
});
