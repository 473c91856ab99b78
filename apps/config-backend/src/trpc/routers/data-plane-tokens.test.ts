import { useTestDatabase } from '@keel/postgres/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, TestClient } from '../testing';

const db = useTestDatabase('trpc-dptokens');
let app: FastifyInstance;
let logs: string[];
let owner: TestClient;
let workspaceId: string;

beforeAll(async () => {
  ({ app, logs } = await buildTestApp(db.url));
  owner = new TestClient(app);
  const created = await owner.ok('mutation', 'auth.createOwner', {
    email: 'owner@example.com',
    name: 'Owner',
    password: 'correct horse battery',
    workspaceName: 'Acme',
  });
  workspaceId = created.workspaceId;
});
afterAll(() => app.close());

describe('dataPlaneTokens', () => {
  it('creates a token shown once, lists it without the token, and revokes it', async () => {
    const created = await owner.ok('mutation', 'dataPlaneTokens.create', {
      workspaceId,
      name: 'EU data plane',
    });
    expect(created.token).toMatch(/^keel_dp_/);
    const { rows } = await db.pool.query('SELECT token_hash FROM data_plane_tokens');
    expect(rows[0].token_hash).not.toContain(created.token);

    const config = await app.inject({
      url: '/data-plane/v1/config',
      headers: { authorization: `Bearer ${created.token}` },
    });
    expect(config.statusCode).toBe(200);

    const listed = await owner.ok('query', 'dataPlaneTokens.list', { workspaceId });
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ name: 'EU data plane', revokedAt: null });
    expect(JSON.stringify(listed)).not.toContain(created.token);

    await owner.ok('mutation', 'dataPlaneTokens.revoke', { workspaceId, id: created.dataPlaneToken.id });
    const after = await app.inject({
      url: '/data-plane/v1/config',
      headers: { authorization: `Bearer ${created.token}` },
    });
    expect(after.statusCode).toBe(401);
    const audit = await db.pool.query("SELECT action FROM audit_logs WHERE target_type = 'data_plane_token'");
    expect(audit.rows.map((r) => r.action).sort()).toEqual([
      'data_plane_token.create',
      'data_plane_token.revoke',
    ]);
    expect(logs.join('')).not.toContain(created.token);
  });

  it('serves destination secrets decrypted to the data plane only, and never logs them or the token', async () => {
    const secret = 'Bearer do-not-log-this-secret';
    await owner.ok('mutation', 'destinations.create', {
      workspaceId,
      name: 'Hook',
      type: 'webhook',
      config: { url: 'https://example.com/hook', secretHeaderValue: secret },
    });
    const { token } = await owner.ok('mutation', 'dataPlaneTokens.create', { workspaceId, name: 'logs' });
    const listed = await owner.ok('query', 'destinations.list', { workspaceId });
    expect(JSON.stringify(listed)).not.toContain(secret);
    await db.pool.query(
      `INSERT INTO sources (id, workspace_id, name, type) VALUES ('src_logs', $1, 'Web', 'javascript')`,
      [workspaceId],
    );
    await db.pool.query(
      `INSERT INTO connections (id, workspace_id, source_id, destination_id)
       SELECT 'con_logs', $1, 'src_logs', id FROM destinations WHERE workspace_id = $1 AND name = 'Hook'`,
      [workspaceId],
    );
    const config = await app.inject({
      url: '/data-plane/v1/config',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(config.json().sources[0].destinations[0].config.secretHeaderValue).toBe(secret);
    const bad = await app.inject({
      method: 'POST',
      url: '/data-plane/v1/reports',
      headers: { authorization: `Bearer ${token}` },
      payload: { dataPlaneId: 'dp', reports: [{ workspaceId, secret }] },
    });
    expect(bad.statusCode).toBe(400);
    const logged = logs.join('');
    expect(logged).not.toContain(secret);
    expect(logged).not.toContain(token);
  });

  it('is for owners only, and hides other workspaces', async () => {
    const editor = await owner.ok('mutation', 'apiTokens.create', {
      workspaceId,
      name: 'ci',
      role: 'editor',
    });
    const asEditor = new TestClient(app, { token: editor.token, origin: null });
    const refused = await asEditor.mutation('dataPlaneTokens.create', { workspaceId, name: 'x' });
    expect(refused.status).toBe(403);
    expect((await asEditor.query('dataPlaneTokens.list', { workspaceId })).status).toBe(403);
    const unknown = await owner.query('dataPlaneTokens.list', { workspaceId: 'ws_other' });
    expect(unknown.status).toBe(404);
    const missing = await owner.mutation('dataPlaneTokens.revoke', { workspaceId, id: 'dpt_nope' });
    expect(missing.status).toBe(404);
  });
});
