import { useTestDatabase } from '@keel/postgres/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, setUpWorkspace, TestClient, type TestWorkspace } from '../testing';

const db = useTestDatabase('trpc-workspaces');
let app: FastifyInstance;
let logs: string[];
/** Every token and password handed out in this file, to look for in the logs at the end. */
const secrets: string[] = ['another long password'];
let acme: TestWorkspace;
let other: TestWorkspace;

beforeAll(async () => {
  ({ app, logs } = await buildTestApp(db.url));
  acme = await setUpWorkspace(app, 'Acme');
  other = await setUpWorkspace(app, 'Other');
});
afterAll(() => app.close());

/** Invites a new person with `role` and signs them up through the link; returns their client. */
async function invite(role: 'owner' | 'editor' | 'viewer', email: string): Promise<TestClient> {
  const { token, link } = await acme.owner.ok('mutation', 'invitations.create', {
    workspaceId: acme.workspaceId,
    role,
  });
  expect(link).toBe(`http://localhost:3000/invite?token=${token}`);
  secrets.push(token);
  const person = new TestClient(app);
  await person.ok('mutation', 'invitations.acceptWithSignUp', {
    token,
    email,
    name: email.split('@')[0],
    password: 'another long password',
  });
  return person;
}

describe('workspaces', () => {
  it('creates, reads, renames and changes owner-only settings', async () => {
    const created = await acme.owner.ok('mutation', 'workspaces.create', { name: 'Second' });
    const me = await acme.owner.ok('query', 'auth.me');
    expect(me.workspaces.map((w: { name: string; role: string }) => [w.name, w.role])).toContainEqual([
      'Second',
      'owner',
    ]);
    const renamed = await acme.owner.ok('mutation', 'workspaces.rename', {
      workspaceId: created.id,
      name: 'Renamed',
    });
    expect(renamed.name).toBe('Renamed');
    const settings = await acme.owner.ok('mutation', 'workspaces.updateSettings', {
      workspaceId: created.id,
      allowTransformFetch: true,
    });
    expect(settings.allowTransformFetch).toBe(true);
    expect((await acme.owner.ok('query', 'workspaces.get', { workspaceId: created.id })).name).toBe(
      'Renamed',
    );
  });

  it('only owners change settings', async () => {
    const editor = await acme.tokenClient('editor');
    const res = await editor.mutation('workspaces.updateSettings', {
      workspaceId: acme.workspaceId,
      allowTransformFetch: true,
    });
    expect(res.status).toBe(403);
    expect(res.error?.message).toMatch(/needs the owner role.*yours is editor/);
  });
});

describe('invitations and members', () => {
  it('signs up through a single-use link, which then stops working', async () => {
    const { token } = await acme.owner.ok('mutation', 'invitations.create', {
      workspaceId: acme.workspaceId,
      role: 'editor',
      email: 'Grace@Example.com',
    });
    secrets.push(token);
    const preview = await new TestClient(app).ok('mutation', 'invitations.preview', { token });
    expect(preview).toMatchObject({ workspaceName: 'Acme', role: 'editor', email: 'grace@example.com' });

    const wrong = await new TestClient(app).mutation('invitations.acceptWithSignUp', {
      token,
      email: 'mallory@example.com',
      name: 'Mallory',
      password: 'another long password',
    });
    expect(wrong.status).toBe(403);
    expect(wrong.error?.message).toMatch(/another email address/);

    const grace = new TestClient(app);
    const accepted = await grace.ok('mutation', 'invitations.acceptWithSignUp', {
      token,
      email: 'grace@example.com',
      name: 'Grace',
      password: 'another long password',
    });
    expect(accepted).toMatchObject({ workspaceId: acme.workspaceId, role: 'editor' });
    expect((await grace.ok('query', 'auth.me')).workspaces).toEqual([
      { id: acme.workspaceId, name: 'Acme', role: 'editor' },
    ]);

    const again = await other.owner.mutation('invitations.accept', { token });
    expect(again.status).toBe(404);
    expect(again.error?.message).toMatch(/unknown, used or expired/);
    const { rows } = await db.pool.query('SELECT token_hash FROM invitations');
    expect(rows.map((r) => r.token_hash)).not.toContain(token);
  });

  it('lets an existing user accept while signed in, and lists and revokes invitations', async () => {
    const { token, invitation } = await other.owner.ok('mutation', 'invitations.create', {
      workspaceId: other.workspaceId,
      role: 'viewer',
    });
    const listed = await other.owner.ok('query', 'invitations.list', { workspaceId: other.workspaceId });
    expect(listed.map((i: { id: string }) => i.id)).toContain(invitation.id);
    expect(await acme.owner.ok('mutation', 'invitations.accept', { token })).toMatchObject({
      role: 'viewer',
    });

    const second = await other.owner.ok('mutation', 'invitations.create', {
      workspaceId: other.workspaceId,
      role: 'viewer',
    });
    await other.owner.ok('mutation', 'invitations.revoke', {
      workspaceId: other.workspaceId,
      id: second.invitation.id,
    });
    expect((await new TestClient(app).mutation('invitations.preview', { token: second.token })).status).toBe(
      404,
    );

    // Leave again so the rest of the file sees Acme's owner in Acme only.
    await acme.owner.ok('mutation', 'members.leave', { workspaceId: other.workspaceId });
  });

  it('refuses an expired invitation', async () => {
    const { token, invitation } = await acme.owner.ok('mutation', 'invitations.create', {
      workspaceId: acme.workspaceId,
      role: 'viewer',
      expiresInHours: 1,
    });
    secrets.push(token);
    await db.pool.query("UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = $1", [
      invitation.id,
    ]);
    const res = await other.owner.mutation('invitations.accept', { token });
    expect(res.status).toBe(404);
    expect(res.error?.message).toMatch(/unknown, used or expired; ask for a new one/);
  });

  it('lets an owner token invite, but no token create a workspace', async () => {
    const ownerToken = await acme.tokenClient('owner');
    expect((await ownerToken.mutation('workspaces.create', { name: 'Sneaky' })).status).toBe(403);
    const invite = await ownerToken.ok('mutation', 'invitations.create', {
      workspaceId: acme.workspaceId,
      role: 'viewer',
    });
    secrets.push(invite.token);
    const { rows } = await db.pool.query('SELECT created_by_id FROM invitations WHERE id = $1', [
      invite.invitation.id,
    ]);
    expect(rows[0].created_by_id).toMatch(/^tok_/);
  });

  it('changes roles and removes members, but never the last owner', async () => {
    const person = await invite('viewer', 'linus@example.com');
    const me = await person.ok('query', 'auth.me');
    const userId = me.user.id;
    const members = await acme.owner.ok('query', 'members.list', { workspaceId: acme.workspaceId });
    expect(members.find((m: { userId: string }) => m.userId === userId)).toMatchObject({ role: 'viewer' });

    await acme.owner.ok('mutation', 'members.changeRole', {
      workspaceId: acme.workspaceId,
      userId,
      role: 'owner',
    });
    const ownerMe = await acme.owner.ok('query', 'auth.me');
    // Two owners: one may step down.
    await person.ok('mutation', 'members.changeRole', {
      workspaceId: acme.workspaceId,
      userId: ownerMe.user.id,
      role: 'editor',
    });
    const last = await person.mutation('members.changeRole', {
      workspaceId: acme.workspaceId,
      userId,
      role: 'viewer',
    });
    expect(last.status).toBe(412);
    expect(last.error?.message).toMatch(/at least one owner/);
    expect((await person.mutation('members.remove', { workspaceId: acme.workspaceId, userId })).status).toBe(
      412,
    );
    expect((await person.mutation('members.leave', { workspaceId: acme.workspaceId })).status).toBe(412);

    // Restore the original owner, then remove the invited person.
    await person.ok('mutation', 'members.changeRole', {
      workspaceId: acme.workspaceId,
      userId: ownerMe.user.id,
      role: 'owner',
    });
    await acme.owner.ok('mutation', 'members.remove', { workspaceId: acme.workspaceId, userId });
    const after = await person.query('workspaces.get', { workspaceId: acme.workspaceId });
    expect(after.status).toBe(404);
  });
});

describe('API tokens', () => {
  it('are shown once, stored hashed, scoped to one workspace and role, and revocable', async () => {
    const created = await acme.owner.ok('mutation', 'apiTokens.create', {
      workspaceId: acme.workspaceId,
      name: 'CI',
      role: 'viewer',
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(created.token).toMatch(/^keel_api_/);
    secrets.push(created.token);
    const { rows } = await db.pool.query('SELECT token_hash FROM api_tokens WHERE id = $1', [
      created.apiToken.id,
    ]);
    expect(rows[0].token_hash).not.toContain(created.token);

    const ci = new TestClient(app, { token: created.token, origin: null });
    expect((await ci.ok('query', 'auth.me')).workspaces).toEqual([
      { id: acme.workspaceId, name: 'Acme', role: 'viewer' },
    ]);
    expect((await ci.query('workspaces.get', { workspaceId: acme.workspaceId })).status).toBe(200);
    expect((await ci.query('workspaces.get', { workspaceId: other.workspaceId })).status).toBe(404);
    const write = await ci.mutation('sources.create', {
      workspaceId: acme.workspaceId,
      name: 'x',
      type: 'http',
    });
    expect(write.status).toBe(403);

    const listed = await acme.owner.ok('query', 'apiTokens.list', { workspaceId: acme.workspaceId });
    const row = listed.find((t: { id: string }) => t.id === created.apiToken.id);
    expect(row.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(listed)).not.toContain(created.token);

    await acme.owner.ok('mutation', 'apiTokens.revoke', {
      workspaceId: acme.workspaceId,
      id: created.apiToken.id,
    });
    const revoked = await ci.query('auth.me');
    expect(revoked.status).toBe(401);
    expect(revoked.error?.message).toMatch(/unknown, expired or revoked/);
  });

  it('refuse an expired token and a malformed header with a message saying what to do', async () => {
    const created = await acme.owner.ok('mutation', 'apiTokens.create', {
      workspaceId: acme.workspaceId,
      name: 'Short',
      role: 'editor',
    });
    await db.pool.query("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1", [
      created.apiToken.id,
    ]);
    expect((await new TestClient(app, { token: created.token }).query('auth.me')).status).toBe(401);
    const malformed = await new TestClient(app, { token: 'not-a-keel-token' }).query('auth.me');
    expect(malformed.error?.message).toMatch(/Authorization: Bearer keel_api_/);
  });
});

describe('role matrix', () => {
  it('viewers read but cannot write; editors write; non-members see NOT_FOUND for everything', async () => {
    const viewer = await acme.tokenClient('viewer');
    const editor = await acme.tokenClient('editor');
    const outsider = other.owner;
    const ws = { workspaceId: acme.workspaceId };

    const source = await editor.ok('mutation', 'sources.create', { ...ws, name: 'Matrix', type: 'server' });
    const reads: [string, object][] = [
      ['workspaces.get', ws],
      ['members.list', ws],
      ['sources.list', ws],
      ['sources.get', { ...ws, id: source.id }],
      ['destinations.list', ws],
      ['connections.list', ws],
      ['audit.list', ws],
    ];
    for (const [path, input] of reads) {
      expect((await viewer.query(path, input)).status, path).toBe(200);
      const hidden = await outsider.query(path, input);
      expect(hidden.status, path).toBe(404);
      expect(hidden.error?.message, path).toBe('Workspace was not found.');
    }
    const writes: [string, object][] = [
      ['sources.create', { ...ws, name: 'Nope', type: 'http' }],
      ['sources.update', { ...ws, id: source.id, version: source.version, name: 'Nope' }],
      ['sources.delete', { ...ws, id: source.id }],
      ['sources.writeKeys.create', { ...ws, sourceId: source.id, name: 'k' }],
      ['destinations.create', { ...ws, name: 'd', type: 'webhook', config: { url: 'https://example.com' } }],
      ['connections.create', { ...ws, sourceId: source.id, destinationId: 'dst_x' }],
      ['members.changeRole', { ...ws, userId: 'usr_x', role: 'viewer' }],
      ['apiTokens.create', { ...ws, name: 't', role: 'viewer' }],
      ['invitations.create', { ...ws, role: 'viewer' }],
    ];
    for (const [path, input] of writes) {
      expect((await viewer.mutation(path, input)).status, path).toBe(403);
      expect((await outsider.mutation(path, input)).status, path).toBe(404);
    }
    // An unknown workspace answers exactly like a foreign one.
    const unknown = await outsider.query('sources.list', { workspaceId: 'ws_doesnotexist' });
    expect(unknown.status).toBe(404);
    expect(unknown.error?.message).toBe('Workspace was not found.');
    // Owner-only things are refused to editors.
    expect((await editor.mutation('apiTokens.create', { ...ws, name: 't', role: 'owner' })).status).toBe(403);
    // Nothing changed through the refused writes.
    expect((await viewer.ok('query', 'sources.get', { ...ws, id: source.id })).name).toBe('Matrix');
  });

  it('applies the same roles to signed-in members as to tokens', async () => {
    const viewer = await invite('viewer', 'vera@example.com');
    const editor = await invite('editor', 'ed@example.com');
    const ws = { workspaceId: acme.workspaceId };
    expect((await viewer.query('sources.list', ws)).status).toBe(200);
    expect((await viewer.mutation('sources.create', { ...ws, name: 'By viewer', type: 'http' })).status).toBe(
      403,
    );
    expect((await editor.mutation('sources.create', { ...ws, name: 'By editor', type: 'http' })).status).toBe(
      200,
    );
    expect((await editor.mutation('workspaces.rename', { ...ws, name: 'Taken over' })).status).toBe(403);
    expect((await editor.query('apiTokens.list', ws)).status).toBe(403);
  });

  it('requires authentication', async () => {
    const anon = new TestClient(app);
    const res = await anon.query('sources.list', { workspaceId: acme.workspaceId });
    expect(res.status).toBe(401);
    expect(res.error?.message).toMatch(/Sign in, or send an API token/);
  });
});

describe('logs', () => {
  it('hold no password, invitation token or API token', () => {
    const all = logs.join('\n');
    expect(all).toContain('invitations.preview');
    for (const secret of secrets) expect(all).not.toContain(secret);
  });
});
