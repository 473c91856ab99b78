import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { useTestDatabase } from '@keel/postgres/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, setUpWorkspace, TEST_ORIGIN, TestClient, type TestWorkspace } from './testing';

const run = promisify(execFile);
const db = useTestDatabase('trpc-http');
let app: FastifyInstance;
let logs: string[];
let acme: TestWorkspace;
let token: string;
let base: string;

// The helpers docs/api.md tells script authors to use, run with curl over real HTTP.
const HELPERS = `
q() { curl -sG "$KEEL/trpc/$1" -H "Authorization: Bearer $TOKEN" --data-urlencode "input=$2"; }
m() { curl -s  "$KEEL/trpc/$1" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d "$2"; }
`;

async function sh(script: string): Promise<unknown> {
  const { stdout } = await run('bash', ['-c', `${HELPERS}\n${script}`], {
    env: { PATH: process.env.PATH, KEEL: base, TOKEN: token, WS: acme.workspaceId, PUBLIC_URL: TEST_ORIGIN },
  });
  return JSON.parse(stdout);
}

beforeAll(async () => {
  ({ app, logs } = await buildTestApp(db.url));
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  acme = await setUpWorkspace(app);
  ({ token } = await acme.owner.ok('mutation', 'apiTokens.create', {
    workspaceId: acme.workspaceId,
    name: 'script',
    role: 'editor',
  }));
});
afterAll(() => app.close());

describe('the API over HTTP, as docs/api.md shows it', () => {
  it('runs queries with GET ?input= and mutations with POST JSON, authenticated by a token', async () => {
    const created = (await sh(
      `m sources.create "{\\"workspaceId\\":\\"$WS\\",\\"name\\":\\"Website\\",\\"type\\":\\"javascript\\",\\"rateLimitPerSecond\\":500}"`,
    )) as { result: { data: { id: string; name: string } } };
    expect(created.result.data.name).toBe('Website');
    const listed = (await sh(`q sources.list "{\\"workspaceId\\":\\"$WS\\"}"`)) as {
      result: { data: { id: string }[] };
    };
    expect(listed.result.data.map((s) => s.id)).toEqual([created.result.data.id]);
  });

  it('answers errors as JSON with the code, the fields and no stack trace', async () => {
    const bad = (await sh(
      `m sources.create "{\\"workspaceId\\":\\"$WS\\",\\"name\\":\\"\\",\\"type\\":\\"fax\\"}"`,
    )) as {
      error: {
        message: string;
        data: { httpStatus: number; fields: Record<string, string>; stack?: string };
      };
    };
    expect(bad.error.data.httpStatus).toBe(400);
    expect(Object.keys(bad.error.data.fields).sort()).toEqual(['name', 'type']);
    expect(bad.error.data.stack).toBeUndefined();
  });

  it('hides an internal failure behind a generic message, logs it, and sends no stack', async () => {
    // Simulate a database fault the code cannot expect: the audit table disappears.
    await db.pool.query('ALTER TABLE audit_logs RENAME TO audit_logs_away');
    try {
      const res = await new TestClient(app, { token }).mutation('sources.create', {
        workspaceId: acme.workspaceId,
        name: 'During the outage',
        type: 'http',
      });
      expect(res.status).toBe(500);
      expect(res.error?.message).toMatch(/^Something went wrong on the server\. It has been logged/);
      expect(res.raw).not.toMatch(/stack|\.ts:\d+|audit_logs|prisma|node:internal/i);
    } finally {
      await db.pool.query('ALTER TABLE audit_logs_away RENAME TO audit_logs');
    }
    expect(logs.join('\n')).toMatch(/tRPC procedure failed/);
    // The change was rolled back with its failed audit entry.
    const list = await new TestClient(app, { token }).ok('query', 'sources.list', {
      workspaceId: acme.workspaceId,
    });
    expect(list.map((s: { name: string }) => s.name)).not.toContain('During the outage');
  });

  it('signs in and out with a cookie jar, as the curl examples do', async () => {
    const { email } = (await acme.owner.ok('query', 'auth.me')).user;
    const jar = `/tmp/keel-jar-${process.pid}-${Date.now()}`;
    const login = (await sh(
      `curl -s "$KEEL/trpc/auth.login" -H "Origin: $PUBLIC_URL" -H 'content-type: application/json' -c ${jar} -d '{"email":"${email}","password":"a long enough password"}'`,
    )) as { result: { data: { user: { email: string } } } };
    expect(login.result.data.user.email).toBe(email);
    const me = (await sh(`curl -s "$KEEL/trpc/auth.me" -b ${jar}`)) as {
      result: { data: { user: { email: string } } };
    };
    expect(me.result.data.user.email).toBe(email);
    const out = (await sh(
      `curl -s -X POST "$KEEL/trpc/auth.logout" -H "Origin: $PUBLIC_URL" -H 'content-type: application/json' -b ${jar} -c ${jar}`,
    )) as { result: { data: { ok: boolean } } };
    expect(out.result.data.ok).toBe(true);
    const after = (await sh(`curl -s "$KEEL/trpc/auth.me" -b ${jar}`)) as {
      error: { data: { httpStatus: number } };
    };
    expect(after.error.data.httpStatus).toBe(401);
    await rm(jar, { force: true });
  });

  it('serves batched calls', async () => {
    const input = encodeURIComponent(
      JSON.stringify({ 0: { workspaceId: acme.workspaceId }, 1: { workspaceId: acme.workspaceId } }),
    );
    const res = await fetch(`${base}/trpc/sources.list,destinations.list?batch=1&input=${input}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { result: { data: unknown[] } }[];
    expect(body).toHaveLength(2);
  });
});
