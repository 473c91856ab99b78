import { useTestDatabase } from '@keel/postgres/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, setUpWorkspace, type TestClient, type TestWorkspace } from '../testing';

const db = useTestDatabase('trpc-transformations');
let app: FastifyInstance;
let acme: TestWorkspace;
let editor: TestClient;
let viewer: TestClient;
let ws: { workspaceId: string };

const v1 = 'export function transformEvent(event) { event.event = "renamed"; return event; }';
const v2 = 'export function transformEvent(event) { event.event = "renamed again"; return event; }';

beforeAll(async () => {
  ({ app } = await buildTestApp(db.url));
  acme = await setUpWorkspace(app);
  editor = await acme.tokenClient('editor');
  viewer = await acme.tokenClient('viewer');
  ws = { workspaceId: acme.workspaceId };
});
afterAll(() => app.close());

async function auditActions(targetId: string): Promise<string[]> {
  const { rows } = await db.pool.query('SELECT action FROM audit_logs WHERE target_id = $1 ORDER BY id', [
    targetId,
  ]);
  return rows.map((r: { action: string }) => r.action);
}

describe('transformations', () => {
  it('creates a transformation with version 1, lists and reads it, audited', async () => {
    const created = await editor.ok('mutation', 'transformations.create', {
      ...ws,
      name: 'Rename',
      code: v1,
    });
    expect(created).toMatchObject({
      name: 'Rename',
      code: v1,
      latestVersion: { number: 1 },
      connectionCount: 0,
    });
    expect(created.versions).toHaveLength(1);
    const list = await viewer.ok('query', 'transformations.list', ws);
    expect(list.map((t: { name: string }) => t.name)).toContain('Rename');
    expect(await auditActions(created.id)).toEqual(['transformation.create']);
    const dup = await editor.mutation('transformations.create', { ...ws, name: 'Rename', code: v1 });
    expect(dup.status).toBe(409);
  });

  it('publishes immutable versions, refuses stale drafts and code that does not compile', async () => {
    const t = await editor.ok('mutation', 'transformations.create', { ...ws, name: 'Versioned', code: v1 });
    const published = await editor.ok('mutation', 'transformations.publishVersion', {
      ...ws,
      transformationId: t.id,
      code: v2,
      basedOnVersion: 1,
    });
    expect(published).toMatchObject({ number: 2, code: v2 });
    const stale = await editor.mutation('transformations.publishVersion', {
      ...ws,
      transformationId: t.id,
      code: 'export function transformEvent(e) { return e; }',
      basedOnVersion: 1,
    });
    expect(stale.status).toBe(409);
    expect(stale.error?.message).toMatch(/Version 2 was published since you opened version 1/);
    const broken = await editor.mutation('transformations.publishVersion', {
      ...ws,
      transformationId: t.id,
      code: 'export function transformEvent(e) { return e',
      basedOnVersion: 2,
    });
    expect(broken.status).toBe(400);
    expect(broken.error?.data.fields?.code).toMatch(/does not compile: SyntaxError/);

    const versions = await viewer.ok('query', 'transformations.versions', { ...ws, id: t.id });
    expect(versions.map((v: { number: number }) => v.number)).toEqual([2, 1]);
    const first = await viewer.ok('query', 'transformations.version', { ...ws, versionId: versions[1].id });
    expect(first.code).toBe(v1);
    const diff = await viewer.ok('query', 'transformations.diff', {
      ...ws,
      transformationId: t.id,
      from: 1,
      to: 2,
    });
    expect([diff.from.code, diff.to.code]).toEqual([v1, v2]);
    expect(await auditActions(t.id)).toEqual(['transformation.create', 'transformation.publish']);
    const { rows } = await db.pool.query(
      `SELECT after FROM audit_logs WHERE target_id = $1 AND action = 'transformation.publish'`,
      [t.id],
    );
    expect(rows[0].after.version).toMatchObject({ number: 2, codeLength: v2.length });
    expect(JSON.stringify(rows[0].after)).not.toContain('renamed again');
  });

  it('lets viewers read but not write, and hides other workspaces', async () => {
    const denied = await viewer.mutation('transformations.create', { ...ws, name: 'Nope', code: v1 });
    expect(denied.status).toBe(403);
    const other = await setUpWorkspace(app, 'Other');
    const t = await editor.ok('mutation', 'transformations.create', { ...ws, name: 'Private', code: v1 });
    const peek = await other.owner.query('transformations.get', { workspaceId: other.workspaceId, id: t.id });
    expect(peek.status).toBe(404);
    const foreign = await other.owner.query('transformations.get', { ...ws, id: t.id });
    expect(foreign.status).toBe(404);
  });

  it('serves the version a connection points at in the data-plane config', async () => {
    const t = await editor.ok('mutation', 'transformations.create', { ...ws, name: 'Attached', code: v1 });
    const source = await editor.ok('mutation', 'sources.create', { ...ws, name: 'Site', type: 'javascript' });
    const destination = await editor.ok('mutation', 'destinations.create', {
      ...ws,
      name: 'Hook',
      type: 'webhook',
      config: { url: 'https://hooks.example.com/in' },
    });
    await editor.ok('mutation', 'connections.create', {
      ...ws,
      sourceId: source.id,
      destinationId: destination.id,
      transformationVersionId: t.versions[0].id,
    });
    await editor.ok('mutation', 'transformations.publishVersion', {
      ...ws,
      transformationId: t.id,
      code: v2,
      basedOnVersion: 1,
    });
    const { token } = await acme.owner.ok('mutation', 'dataPlaneTokens.create', { ...ws, name: 'dp' });
    const res = await app.inject({
      method: 'GET',
      url: '/data-plane/v1/config',
      headers: { authorization: `Bearer ${token}` },
    });
    const config = res.json();
    const served = config.sources.find((s: { id: string }) => s.id === source.id).destinations[0];
    // The connection still runs version 1: publishing does not move connections.
    expect(served.transformations).toEqual([
      { id: t.id, versionId: t.versions[0].id, name: 'Attached', code: v1 },
    ]);
    const detail = await viewer.ok('query', 'transformations.get', { ...ws, id: t.id });
    expect(detail.connections).toEqual([
      expect.objectContaining({ sourceId: source.id, destinationId: destination.id, versionNumber: 1 }),
    ]);
    const busy = await editor.mutation('transformations.delete', { ...ws, id: t.id });
    expect(busy.status).toBe(409);
  });

  it('offers the built-in templates', async () => {
    const templates = await viewer.ok('query', 'transformations.templates', ws);
    expect(templates.map((t: { id: string }) => t.id)).toEqual([
      'hash-pii',
      'anonymise-ip',
      'rename-events',
      'sample-users',
      'drop-events',
    ]);
  });
});

describe('transformations.testRun', () => {
  it('returns per input the output, drop or error, its logs and time, from a sandbox process', async () => {
    const code = `export function transformEvent(event, metadata) {
      log('saw', event.event, metadata(event).sourceName);
      if (event.event === 'drop me') return null;
      if (event.event === 'break me') throw new Error('no email on this event');
      return { ...event, event: event.event.toUpperCase() };
    }`;
    const result = await editor.ok('mutation', 'transformations.testRun', {
      ...ws,
      code,
      events: [
        { type: 'track', event: 'signed up', userId: 'u1' },
        { type: 'track', event: 'drop me', userId: 'u1' },
        { type: 'track', event: 'break me', userId: 'u1' },
      ],
    });
    expect(result.error).toBeNull();
    expect(result.results.map((r: { outcome: unknown }) => r.outcome)).toEqual([
      { kind: 'events', events: [{ type: 'track', event: 'SIGNED UP', userId: 'u1' }] },
      { kind: 'dropped' },
      { kind: 'failed', error: 'no email on this event' },
    ]);
    expect(result.results[0].logs).toEqual([{ level: 'log', message: 'saw signed up Test source' }]);
    expect(result.results[2].input).toEqual({ type: 'track', event: 'break me', userId: 'u1' });
    expect(typeof result.results[0].durationMs).toBe('number');
    expect(result.totalMs).toBeGreaterThan(0);
    expect(app.transformWorker.starts).toBeGreaterThanOrEqual(1);
  });

  it('uses the newest live events of a source as samples', async () => {
    const source = await editor.ok('mutation', 'sources.create', {
      ...ws,
      name: 'Live source',
      type: 'server',
    });
    const none = await editor.mutation('transformations.testRun', { ...ws, code: v1, sourceId: source.id });
    expect(none.status).toBe(412);
    expect(none.error?.message).toMatch(/no live events yet/);
    for (const [i, name] of ['first', 'second'].entries()) {
      await db.pool.query(
        `INSERT INTO live_events (workspace_id, data_plane_id, source_id, message_id, stage, at, payload)
         VALUES ($1, 'dp', $2, $3, 'received', now(), $4)`,
        [
          ws.workspaceId,
          source.id,
          `m${i}`,
          JSON.stringify({ type: 'track', event: name, messageId: `m${i}` }),
        ],
      );
    }
    const result = await editor.ok('mutation', 'transformations.testRun', {
      ...ws,
      code: 'export function transformEvent(e, metadata) { return { ...e, from: metadata(e).sourceName }; }',
      sourceId: source.id,
    });
    expect(result.results.map((r: { outcome: { events: unknown[] } }) => r.outcome.events[0])).toEqual([
      { type: 'track', event: 'first', messageId: 'm0', from: 'Live source' },
      { type: 'track', event: 'second', messageId: 'm1', from: 'Live source' },
    ]);
  });

  it('stops an endless loop at the CPU limit while the config-backend keeps answering', async () => {
    const running = editor.ok('mutation', 'transformations.testRun', {
      ...ws,
      code: 'export function transformEvent() { while (true) {} }',
      events: [{ type: 'track', event: 'x' }],
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = performance.now();
    const health = await app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(performance.now() - started).toBeLessThan(2000);
    const result = await running;
    expect(result.error).toMatch(/4000 ms CPU limit/);
    expect(result.results[0].outcome).toMatchObject({ kind: 'failed' });
  });

  it('rejects a test run without samples, and viewers', async () => {
    const empty = await editor.mutation('transformations.testRun', { ...ws, code: v1 });
    expect(empty.status).toBe(400);
    expect(empty.error?.data.fields?.events).toMatch(/paste sample events, or choose a source/);
    const denied = await viewer.mutation('transformations.testRun', {
      ...ws,
      code: v1,
      events: [{ type: 'track' }],
    });
    expect(denied.status).toBe(403);
  });
});
