import { useTestDatabase } from '@keel/postgres/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, setUpWorkspace, type TestClient, type TestWorkspace } from '../testing';

const db = useTestDatabase('trpc-connections');
let app: FastifyInstance;
let acme: TestWorkspace;
let other: TestWorkspace;
let editor: TestClient;
let ws: { workspaceId: string };

async function transformationVersion(workspaceId: string, name: string): Promise<string> {
  const id = `tv_${name}`;
  await db.pool.query('INSERT INTO transformations (id, workspace_id, name) VALUES ($1, $2, $3)', [
    `tr_${name}`,
    workspaceId,
    name,
  ]);
  await db.pool.query(
    'INSERT INTO transformation_versions (id, transformation_id, number, code) VALUES ($1, $2, 1, $3)',
    [id, `tr_${name}`, 'export function transformEvent(e) { return e; }'],
  );
  return id;
}

async function pair(name: string) {
  const source = await editor.ok('mutation', 'sources.create', {
    ...ws,
    name: `${name} source`,
    type: 'http',
  });
  const destination = await editor.ok('mutation', 'destinations.create', {
    ...ws,
    name: `${name} destination`,
    type: 'webhook',
    config: { url: 'https://example.com/hook' },
  });
  return { sourceId: source.id as string, destinationId: destination.id as string };
}

beforeAll(async () => {
  ({ app } = await buildTestApp(db.url));
  acme = await setUpWorkspace(app);
  other = await setUpWorkspace(app, 'Other');
  editor = await acme.tokenClient('editor');
  ws = { workspaceId: acme.workspaceId };
});
afterAll(() => app.close());

describe('connections', () => {
  it('connects a source to a destination with options, and reads them back', async () => {
    const ids = await pair('Main');
    const tv = await transformationVersion(acme.workspaceId, 'mine');
    const created = await editor.ok('mutation', 'connections.create', {
      ...ws,
      ...ids,
      filterMode: 'allow',
      filterEvents: ['Order Completed', 'Signed Up'],
      consentCategories: ['analytics'],
      orderingEnabled: false,
      transformationVersionId: tv,
    });
    expect(created).toMatchObject({
      ...ids,
      enabled: true,
      filterMode: 'allow',
      filterEvents: ['Order Completed', 'Signed Up'],
      consentCategories: ['analytics'],
      orderingEnabled: false,
      transformationVersionId: tv,
      version: 1,
    });
    expect(await editor.ok('query', 'connections.get', { ...ws, id: created.id })).toEqual(created);
    expect(await editor.ok('query', 'connections.list', { ...ws, sourceId: ids.sourceId })).toEqual([
      created,
    ]);

    const updated = await editor.ok('mutation', 'connections.update', {
      ...ws,
      id: created.id,
      version: 1,
      enabled: false,
      filterMode: 'deny',
      filterEvents: ['Debug'],
      transformationVersionId: null,
    });
    expect(updated).toMatchObject({
      enabled: false,
      filterMode: 'deny',
      filterEvents: ['Debug'],
      version: 2,
    });
    expect(updated.transformationVersionId).toBeNull();
    expect(updated.consentCategories).toEqual(['analytics']);

    const stale = await editor.mutation('connections.update', {
      ...ws,
      id: created.id,
      version: 1,
      enabled: true,
    });
    expect(stale.status).toBe(409);
    expect(stale.error?.data.domainCode).toBe('stale-version');

    await editor.ok('mutation', 'connections.delete', { ...ws, id: created.id });
    expect((await editor.query('connections.get', { ...ws, id: created.id })).status).toBe(404);
  });

  it('refuses a second connection of the same pair with a clear conflict', async () => {
    const ids = await pair('Twice');
    await editor.ok('mutation', 'connections.create', { ...ws, ...ids });
    const again = await editor.mutation('connections.create', { ...ws, ...ids });
    expect(again.status).toBe(409);
    expect(again.error?.message).toBe(
      '"Twice source" is already connected to "Twice destination"; edit that connection instead.',
    );
  });

  it("refuses another workspace's source, destination or transformation version as NOT_FOUND", async () => {
    const ids = await pair('Guarded');
    const theirSource = await other.owner.ok('mutation', 'sources.create', {
      workspaceId: other.workspaceId,
      name: 'Theirs',
      type: 'http',
    });
    const theirTv = await transformationVersion(other.workspaceId, 'theirs');

    const foreignSource = await editor.mutation('connections.create', {
      ...ws,
      ...ids,
      sourceId: theirSource.id,
    });
    expect(foreignSource.status).toBe(404);
    expect(foreignSource.error?.data.fields).toEqual({ sourceId: 'no such source' });
    const unknownDestination = await editor.mutation('connections.create', {
      ...ws,
      ...ids,
      destinationId: 'dst_nope',
    });
    expect(unknownDestination.error?.data.fields).toEqual({ destinationId: 'no such destination' });
    const foreignTv = await editor.mutation('connections.create', {
      ...ws,
      ...ids,
      transformationVersionId: theirTv,
    });
    expect(foreignTv.status).toBe(404);
    expect(foreignTv.error?.data.fields).toEqual({
      transformationVersionId: 'no such transformation version in this workspace',
    });
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM connections WHERE source_id = $1', [
      ids.sourceId,
    ]);
    expect(rows[0].n).toBe(0);
  });

  it('validates options with field errors', async () => {
    const ids = await pair('Invalid');
    const res = await editor.mutation('connections.create', {
      ...ws,
      ...ids,
      filterMode: 'sometimes',
      filterEvents: [''],
    });
    expect(res.status).toBe(400);
    expect(Object.keys(res.error?.data.fields ?? {}).sort()).toEqual(['filterEvents.0', 'filterMode']);
  });
});
