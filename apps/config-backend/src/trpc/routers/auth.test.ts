import { useTestDatabase } from '@keel/postgres/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../domain/secrets';
import { createSession } from '../../domain/sessions';
import { buildTestApp, TestClient } from '../testing';

const db = useTestDatabase('trpc-auth');
let app: FastifyInstance;
let logs: string[];

beforeAll(async () => {
  ({ app, logs } = await buildTestApp(db.url));
});
afterAll(() => app.close());

const owner = {
  email: 'Ada@Example.com',
  name: 'Ada',
  password: 'correct horse battery',
  workspaceName: 'Acme',
};

describe('auth', () => {
  it('offers the first-run owner step once, then signs the owner in with a secure cookie', async () => {
    const anon = new TestClient(app);
    expect((await anon.query('auth.setupStatus')).data).toEqual({ needsOwner: true });

    const created = await anon.mutation('auth.createOwner', owner);
    expect(created.status).toBe(200);
    expect(created.data.user.email).toBe('ada@example.com');
    const cookie = created.setCookie.find((c) => c.startsWith('keel_session='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);

    const me = await anon.query('auth.me');
    expect(me.data.workspaces).toEqual([{ id: created.data.workspaceId, name: 'Acme', role: 'owner' }]);
    expect((await anon.query('auth.setupStatus')).data).toEqual({ needsOwner: false });

    const second = await new TestClient(app).mutation('auth.createOwner', {
      ...owner,
      email: 'eve@example.com',
    });
    expect(second.status).toBe(412);
    expect(second.error?.message).toMatch(/already has an owner/);
  });

  it('stores only the hash of passwords and session tokens', async () => {
    const { rows } = await db.pool.query('SELECT password_hash FROM users');
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$/);
    const client = new TestClient(app);
    await client.ok('mutation', 'auth.login', { email: owner.email, password: owner.password });
    const token = decodeURIComponent(client.cookie?.split('=')[1] ?? '');
    const sessions = await db.pool.query('SELECT token_hash FROM sessions');
    expect(sessions.rows.map((r) => r.token_hash)).not.toContain(token);
    expect(token.length).toBeGreaterThan(30);
  });

  it('logs in, and logout ends the session on the server', async () => {
    const client = new TestClient(app);
    const login = await client.mutation('auth.login', { email: 'ada@example.com', password: owner.password });
    expect(login.status).toBe(200);
    const kept = client.cookie;
    expect((await client.query('auth.me')).status).toBe(200);
    // Signing in again from the same browser replaces its session.
    await client.ok('mutation', 'auth.login', { email: 'ada@example.com', password: owner.password });
    const stale = new TestClient(app);
    stale.cookie = kept;
    expect((await stale.query('auth.me')).status).toBe(401);
    const current = client.cookie;
    expect(current).not.toBe(kept);
    expect((await client.query('auth.me')).status).toBe(200);
    await client.ok('mutation', 'auth.logout');
    expect(client.cookie).toBeUndefined();
    const replay = new TestClient(app);
    replay.cookie = current;
    const me = await replay.query('auth.me');
    expect(me.status).toBe(401);
    expect(me.error?.message).toMatch(/session has ended/);
  });

  it('rejects a wrong password without saying which part was wrong, and throttles guessing', async () => {
    const client = new TestClient(app);
    const attempt = () =>
      client.mutation('auth.login', { email: 'ada@example.com', password: 'wrong password!' });
    const first = await attempt();
    expect(first.status).toBe(401);
    expect(first.error?.message).toBe('The email or password is wrong.');
    const unknown = await client.mutation('auth.login', {
      email: 'nobody@example.com',
      password: 'wrong password!',
    });
    expect(unknown.error?.message).toBe('The email or password is wrong.');
    for (let i = 0; i < 4; i++) await attempt();
    const blocked = await client.mutation('auth.login', {
      email: 'ada@example.com',
      password: owner.password,
    });
    expect(blocked.status).toBe(429);
    expect(blocked.error?.message).toMatch(/wait \d+ minute/);
  });

  it('refuses cookie mutations from another origin (CSRF) with a clear message', async () => {
    const evil = new TestClient(app, { origin: 'https://evil.example' });
    const res = await evil.mutation('auth.login', { email: 'x@example.com', password: 'whatever123' });
    expect(res.status).toBe(403);
    expect(res.error?.message).toMatch(/must come from the Keel web app/);
    const none = await new TestClient(app, { origin: null }).mutation('auth.logout');
    expect(none.status).toBe(403);
  });

  it('answers bad input with field errors and never a stack trace', async () => {
    const res = await new TestClient(app).mutation('auth.createOwner', {
      email: 'not-an-email',
      name: '',
      password: 'x',
    });
    expect(res.status).toBe(400);
    expect(res.error?.data.fields).toMatchObject({
      email: expect.stringMatching(/email address/),
      name: 'enter your name',
      password: 'use at least 10 characters',
    });
    expect(res.raw).not.toMatch(/stack|at .*\.ts:\d+/);
  });

  it('never logs passwords', () => {
    const all = logs.join('\n');
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toContain(owner.password);
  });

  it('accepts a matching Referer when a browser sends no Origin, and refuses a foreign one', async () => {
    const same = new TestClient(app, { origin: null, referer: 'http://localhost:3000/settings/tokens' });
    expect((await same.mutation('auth.logout')).status).toBe(200);
    const foreign = new TestClient(app, { origin: null, referer: 'https://evil.example/page' });
    expect((await foreign.mutation('auth.logout')).status).toBe(403);
  });

  it('ends expired sessions on the server', async () => {
    // Signed in directly: the throttle test above has locked this email out of auth.login.
    const { rows: users } = await db.pool.query('SELECT id FROM users');
    const { token } = await createSession(app.keel.prisma, users[0].id, 1);
    const client = new TestClient(app);
    client.cookie = `keel_session=${token}`;
    expect((await client.query('auth.me')).status).toBe(200);
    await db.pool.query(
      "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = $1",
      [hashToken(token)],
    );
    const me = await client.query('auth.me');
    expect(me.status).toBe(401);
    expect(me.error?.message).toMatch(/session has ended; sign in again/);
    const { rows } = await db.pool.query('SELECT 1 FROM sessions WHERE token_hash = $1', [hashToken(token)]);
    expect(rows).toHaveLength(0);
  });

  it('marks the cookie Secure when the web app is served over https', async () => {
    const secure = await buildTestApp(db.url, { PUBLIC_URL: 'https://keel.example.com' });
    try {
      const client = new TestClient(secure.app, { origin: 'https://keel.example.com' });
      const res = await client.mutation('auth.login', { email: owner.email, password: owner.password });
      expect(res.status).toBe(200);
      expect(res.setCookie.find((c) => c.startsWith('keel_session='))).toMatch(/; Secure/);
    } finally {
      await secure.app.close();
    }
  });
});
