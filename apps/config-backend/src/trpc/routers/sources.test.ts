import { useTestDatabase } from '@keel/postgres/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, setUpWorkspace, type TestClient, type TestWorkspace } from '../testing';

const db = useTestDatabase('trpc-sources');
let app: FastifyInstance;
let acme: TestWorkspace;
let editor: TestClient;
let ws: { workspaceId: string };

beforeAll(async () => {
  ({ app } = await buildTestApp(db.url));
  acme = await setUpWorkspace(app);
  editor = await acme.tokenClient('editor');
  ws = { workspaceId: acme.workspaceId };
});
afterAll(() => app.close());

describe('sources', () => {
  it('creates a source with one random write key of 32+ characters, and lists and reads it', async () => {
    const source = await editor.ok('mutation', 'sources.create', {
      ...ws,
      name: 'Website',
      type: 'javascript',
      rateLimitPerSecond: 500,
    });
    expect(source).toMatchObject({
      name: 'Website',
      type: 'javascript',
      enabled: true,
      rateLimitPerSecond: 500,
      version: 1,
    });
    expect(source.writeKeys).toHaveLength(1);
    expect(source.writeKeys[0].key).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect((await editor.ok('query', 'sources.get', { ...ws, id: source.id })).writeKeys[0].key).toBe(
      source.writeKeys[0].key,
    );
    const list = await editor.ok('query', 'sources.list', ws);
    expect(list.map((s: { name: string }) => s.name)).toContain('Website');
  });

  it('accepts pinned write keys and validates them', async () => {
    const pinned = 'dev_key_0123456789abcdefghijklmnopqrstuv';
    const source = await editor.ok('mutation', 'sources.create', {
      ...ws,
      name: 'Pinned',
      type: 'server',
      writeKeys: [{ name: 'Dev', key: pinned }],
    });
    expect(source.writeKeys[0]).toMatchObject({ name: 'Dev', key: pinned });
    const short = await editor.mutation('sources.create', {
      ...ws,
      name: 'Bad key',
      type: 'server',
      writeKeys: [{ key: 'short' }],
    });
    expect(short.status).toBe(400);
    expect(short.error?.data.fields?.['writeKeys.0.key']).toMatch(/32 to 128 characters/);
    const reused = await editor.mutation('sources.writeKeys.create', {
      ...ws,
      sourceId: source.id,
      name: 'x',
      key: pinned,
    });
    expect(reused.status).toBe(409);
    expect(reused.error?.message).toMatch(/already in use/);
  });

  it('rotates write keys with overlap: create, rename, revoke', async () => {
    const source = await editor.ok('mutation', 'sources.create', { ...ws, name: 'Rotating', type: 'http' });
    const [first] = source.writeKeys;
    const second = await editor.ok('mutation', 'sources.writeKeys.create', {
      ...ws,
      sourceId: source.id,
      name: 'New',
    });
    expect(second.key).not.toBe(first.key);
    const renamed = await editor.ok('mutation', 'sources.writeKeys.rename', {
      ...ws,
      id: second.id,
      name: 'Primary',
    });
    expect(renamed.name).toBe('Primary');
    const revoked = await editor.ok('mutation', 'sources.writeKeys.revoke', { ...ws, id: first.id });
    expect(revoked.revokedAt).not.toBeNull();
    const keys = (await editor.ok('query', 'sources.get', { ...ws, id: source.id })).writeKeys;
    const active = (k: { name: string; revokedAt: string | null }) => [k.name, k.revokedAt === null];
    expect(keys.map(active)).toEqual([
      ['Default', false],
      ['Primary', true],
    ]);
    expect((await editor.mutation('sources.writeKeys.revoke', { ...ws, id: first.id })).status).toBe(409);
  });

  it('refuses duplicate names with a clear conflict', async () => {
    await editor.ok('mutation', 'sources.create', { ...ws, name: 'Dup', type: 'http' });
    const dup = await editor.mutation('sources.create', { ...ws, name: 'Dup', type: 'webhook' });
    expect(dup.status).toBe(409);
    expect(dup.error?.message).toBe(
      'A source named "Dup" already exists in this workspace; choose another name.',
    );
    expect(dup.error?.data.fields).toEqual({ name: 'already used by another source' });
  });

  it('refuses a stale version, so concurrent edits never overwrite each other', async () => {
    const source = await editor.ok('mutation', 'sources.create', { ...ws, name: 'Contended', type: 'http' });
    const alice = await editor.ok('mutation', 'sources.update', {
      ...ws,
      id: source.id,
      version: source.version,
      enabled: false,
    });
    expect(alice.version).toBe(source.version + 1);
    const bob = await editor.mutation('sources.update', {
      ...ws,
      id: source.id,
      version: source.version,
      rateLimitPerSecond: 10,
    });
    expect(bob.status).toBe(409);
    expect(bob.error?.data.domainCode).toBe('stale-version');
    expect(bob.error?.message).toMatch(/changed by someone else.*reload/);
    const now = await editor.ok('query', 'sources.get', { ...ws, id: source.id });
    expect(now).toMatchObject({ enabled: false, rateLimitPerSecond: null, version: 2 });

    // Two updates racing from the same version: exactly one wins.
    const results = await Promise.all(
      [1, 2, 3].map((n) =>
        editor.mutation('sources.update', { ...ws, id: source.id, version: 2, rateLimitPerSecond: n }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
  });

  it('deletes a connected source only with cascade: true', async () => {
    const source = await editor.ok('mutation', 'sources.create', { ...ws, name: 'Connected', type: 'http' });
    const destination = await editor.ok('mutation', 'destinations.create', {
      ...ws,
      name: 'Hook for delete',
      type: 'webhook',
      config: { url: 'https://example.com/hook' },
    });
    await editor.ok('mutation', 'connections.create', {
      ...ws,
      sourceId: source.id,
      destinationId: destination.id,
    });
    const refused = await editor.mutation('sources.delete', { ...ws, id: source.id });
    expect(refused.status).toBe(409);
    expect(refused.error?.message).toMatch(/has 1 connection\(s\).*cascade: true/);
    expect((await editor.query('sources.get', { ...ws, id: source.id })).status).toBe(200);
    expect(await editor.ok('mutation', 'sources.delete', { ...ws, id: source.id, cascade: true })).toEqual({
      deletedConnections: 1,
    });
    expect((await editor.query('sources.get', { ...ws, id: source.id })).status).toBe(404);
    expect(await editor.ok('query', 'connections.list', { ...ws, destinationId: destination.id })).toEqual(
      [],
    );
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM write_keys WHERE source_id = $1', [
      source.id,
    ]);
    expect(rows[0].n).toBe(0);
  });

  it("answers NOT_FOUND for unknown ids and for another workspace's ids", async () => {
    const other = await setUpWorkspace(app, 'Other');
    const theirs = await other.owner.ok('mutation', 'sources.create', {
      workspaceId: other.workspaceId,
      name: 'Theirs',
      type: 'http',
    });
    for (const id of ['src_unknown', theirs.id]) {
      const res = await editor.query('sources.get', { ...ws, id });
      expect(res.status).toBe(404);
      expect(res.error?.message).toBe('Source was not found.');
      expect((await editor.mutation('sources.update', { ...ws, id, version: 1, name: 'x' })).status).toBe(
        404,
      );
      expect((await editor.mutation('sources.delete', { ...ws, id })).status).toBe(404);
    }
    const key = theirs.writeKeys[0].id;
    expect((await editor.mutation('sources.writeKeys.revoke', { ...ws, id: key })).status).toBe(404);
    expect(
      (await editor.mutation('sources.writeKeys.create', { ...ws, sourceId: theirs.id, name: 'k' })).status,
    ).toBe(404);
  });

  it('records every write in the audit log, write keys shortened', async () => {
    const source = await editor.ok('mutation', 'sources.create', { ...ws, name: 'Audited', type: 'http' });
    await editor.ok('mutation', 'sources.update', { ...ws, id: source.id, version: 1, name: 'Audited 2' });
    const page = await acme.owner.ok('query', 'audit.list', { ...ws, targetId: source.id });
    expect(page.entries.map((e: { action: string }) => e.action)).toEqual(['source.update', 'source.create']);
    const update = page.entries[0];
    expect(update).toMatchObject({
      actorType: 'api_token',
      actorLabel: 'API token "editor token"',
      targetType: 'source',
    });
    expect(update.before.name).toBe('Audited');
    expect(update.after.name).toBe('Audited 2');
    expect(JSON.stringify(page)).not.toContain(source.writeKeys[0].key);
  });

  it('pages through the audit log', async () => {
    const first = await acme.owner.ok('query', 'audit.list', { ...ws, limit: 3 });
    expect(first.entries).toHaveLength(3);
    expect(first.nextCursor).not.toBeNull();
    const second = await acme.owner.ok('query', 'audit.list', { ...ws, limit: 3, cursor: first.nextCursor });
    const ids = [...first.entries, ...second.entries].map((e: { id: string }) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(6);
  });
});
