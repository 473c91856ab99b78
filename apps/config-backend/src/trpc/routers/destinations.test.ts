import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useTestDatabase } from '@keel/postgres/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDestinationConnection } from '../../domain/destinations';
import { MASK } from '../../domain/secrets';
import { buildTestApp, setUpWorkspace, type TestClient, type TestWorkspace } from '../testing';

const db = useTestDatabase('trpc-destinations');
let app: FastifyInstance;
let logs: string[];
let acme: TestWorkspace;
let editor: TestClient;
let ws: { workspaceId: string };

const SECRET = 'Bearer sk_live_7f3a9c1e5b2d4f6a8c0e';
const NEW_SECRET = 'Bearer sk_live_rotated_0a1b2c3d4e5f';

/** A real HTTP endpoint that records what it receives and answers with `status`. */
let received: { headers: IncomingHttpHeaders; body: string }[] = [];
let status = 204;
let delayMs = 0;
let hook: Server;
let hookUrl: string;

beforeAll(async () => {
  ({ app, logs } = await buildTestApp(db.url));
  acme = await setUpWorkspace(app);
  editor = await acme.tokenClient('editor');
  ws = { workspaceId: acme.workspaceId };
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      setTimeout(() => res.writeHead(status).end(), delayMs);
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hooks/keel`;
});
afterAll(async () => {
  await app.close();
  hook.closeAllConnections();
  await new Promise((resolve) => hook.close(resolve));
});

async function createHook(name: string, extra: Record<string, unknown> = {}) {
  return editor.ok('mutation', 'destinations.create', {
    ...ws,
    name,
    type: 'webhook',
    config: { url: hookUrl, secretHeaderValue: SECRET, ...extra },
  });
}

describe('destinations', () => {
  it('lists the catalog types with their secret fields', async () => {
    const types = await editor.ok('query', 'destinations.types');
    expect(types).toContainEqual(
      expect.objectContaining({
        id: 'webhook',
        supportsTestConnection: true,
        secretFields: ['secretHeaderValue'],
      }),
    );
  });

  it('validates config against the type schema, naming the field', async () => {
    const bad = await editor.mutation('destinations.create', {
      ...ws,
      name: 'Bad',
      type: 'webhook',
      config: { url: 'not a url', maxBatchSize: 0 },
    });
    expect(bad.status).toBe(400);
    expect(bad.error?.data.fields).toMatchObject({
      'config.url': expect.stringMatching(/full URL/),
      'config.maxBatchSize': expect.any(String),
    });
    expect(bad.error?.message).toMatch(/^The Webhook settings are not valid — config\.url/);
    const unknown = await editor.mutation('destinations.create', {
      ...ws,
      name: 'X',
      type: 'fax',
      config: {},
    });
    expect(unknown.status).toBe(400);
    expect(unknown.error?.message).toMatch(/Unknown destination type "fax"; choose one of: webhook/);
  });

  it('encrypts secrets at rest and masks them in every response', async () => {
    const created = await createHook('Hook');
    expect(created.config.secretHeaderValue).toBe(MASK);
    expect(created.secretsSet).toEqual(['secretHeaderValue']);
    expect(created.config).toMatchObject({ url: hookUrl, method: 'POST', batchingEnabled: false });
    const { rows } = await db.pool.query(
      'SELECT config::text, encrypted_secrets FROM destinations WHERE id = $1',
      [created.id],
    );
    expect(rows[0].config).not.toContain('sk_live');
    expect(rows[0].encrypted_secrets).toMatch(/^v1\./);
    expect(rows[0].encrypted_secrets).not.toContain('sk_live');

    const responses = [
      await editor.query('destinations.get', { ...ws, id: created.id }),
      await editor.query('destinations.list', ws),
      await acme.owner.query('audit.list', ws),
    ];
    for (const res of responses) {
      expect(res.status).toBe(200);
      expect(res.raw).not.toContain('sk_live');
    }
  });

  it('keeps the stored secret when an edit does not resend it, replaces or clears it when asked', async () => {
    const created = await createHook('Keep secret');
    const renamed = await editor.ok('mutation', 'destinations.update', {
      ...ws,
      id: created.id,
      version: created.version,
      config: { ...created.config, url: `${hookUrl}?v=2` },
    });
    expect(renamed.config.secretHeaderValue).toBe(MASK);
    received = [];
    await editor.ok('mutation', 'destinations.testConnection', { ...ws, id: created.id });
    expect(received[0]?.headers.authorization).toBe(SECRET);

    const rotated = await editor.ok('mutation', 'destinations.update', {
      ...ws,
      id: created.id,
      version: renamed.version,
      config: { url: hookUrl, secretHeaderValue: NEW_SECRET },
    });
    expect(rotated.config.secretHeaderValue).toBe(MASK);
    received = [];
    await editor.ok('mutation', 'destinations.testConnection', { ...ws, id: created.id });
    expect(received[0]?.headers.authorization).toBe(NEW_SECRET);

    const cleared = await editor.ok('mutation', 'destinations.update', {
      ...ws,
      id: created.id,
      version: rotated.version,
      config: { url: hookUrl, secretHeaderValue: '' },
    });
    expect(cleared.secretsSet).toEqual([]);
    expect(cleared.config.secretHeaderValue).toBeUndefined();
  });

  it('enables and disables, refuses stale versions and duplicate names', async () => {
    const created = await createHook('Toggle');
    const disabled = await editor.ok('mutation', 'destinations.update', {
      ...ws,
      id: created.id,
      version: created.version,
      enabled: false,
    });
    expect(disabled.enabled).toBe(false);
    const stale = await editor.mutation('destinations.update', {
      ...ws,
      id: created.id,
      version: created.version,
      enabled: true,
    });
    expect(stale.status).toBe(409);
    expect(stale.error?.data.domainCode).toBe('stale-version');
    const dup = await editor.mutation('destinations.create', {
      ...ws,
      name: 'Toggle',
      type: 'webhook',
      config: { url: hookUrl },
    });
    expect(dup.status).toBe(409);
    expect(dup.error?.message).toMatch(/A destination named "Toggle" already exists/);
  });

  it('tests the connection and reports the status, never the secret', async () => {
    const created = await createHook('Tested');
    status = 204;
    received = [];
    const ok = await editor.ok('mutation', 'destinations.testConnection', { ...ws, id: created.id });
    expect(ok).toMatchObject({ ok: true, status: 204 });
    expect(JSON.parse(received[0]?.body ?? '{}')).toMatchObject({
      type: 'track',
      event: 'Keel Test Connection',
    });

    status = 401;
    const refused = await editor.mutation('destinations.testConnection', { ...ws, id: created.id });
    expect(refused.data).toMatchObject({ ok: false, status: 401 });
    expect(refused.raw).not.toContain('sk_live');
    status = 204;

    const closed = await editor.ok('mutation', 'destinations.create', {
      ...ws,
      name: 'Closed port',
      type: 'webhook',
      config: { url: 'http://127.0.0.1:1/hook', secretHeaderValue: SECRET },
    });
    const unreachable = await editor.ok('mutation', 'destinations.testConnection', { ...ws, id: closed.id });
    expect(unreachable).toMatchObject({ ok: false, status: null });
    expect(unreachable.message).toMatch(/Could not reach the destination \(ECONNREFUSED\)/);

    delayMs = 1000;
    const slow = await testDestinationConnection(
      app.keel.prisma,
      acme.workspaceId,
      created.id,
      app.keel.secretKey,
      100,
    );
    expect(slow).toMatchObject({
      ok: false,
      status: null,
      message: 'The destination did not answer within 100 ms.',
    });
    delayMs = 0;
  });

  it('deletes only with cascade when connected, and hides other workspaces', async () => {
    const created = await createHook('Delete me');
    const source = await editor.ok('mutation', 'sources.create', { ...ws, name: 'For delete', type: 'http' });
    await editor.ok('mutation', 'connections.create', {
      ...ws,
      sourceId: source.id,
      destinationId: created.id,
    });
    const refused = await editor.mutation('destinations.delete', { ...ws, id: created.id });
    expect(refused.status).toBe(409);
    expect(refused.error?.message).toMatch(/cascade: true/);
    await editor.ok('mutation', 'destinations.delete', { ...ws, id: created.id, cascade: true });
    expect((await editor.query('destinations.get', { ...ws, id: created.id })).status).toBe(404);

    const other = await setUpWorkspace(app, 'Other');
    const theirs = await other.owner.ok('mutation', 'destinations.create', {
      workspaceId: other.workspaceId,
      name: 'Theirs',
      type: 'webhook',
      config: { url: hookUrl },
    });
    for (const path of ['destinations.get']) {
      expect((await editor.query(path, { ...ws, id: theirs.id })).status).toBe(404);
    }
    for (const path of ['destinations.delete', 'destinations.testConnection']) {
      expect((await editor.mutation(path, { ...ws, id: theirs.id })).status).toBe(404);
    }
  });

  it('still lists a destination whose secrets cannot be decrypted, and lets them be replaced', async () => {
    const created = await createHook('Unreadable');
    await db.pool.query("UPDATE destinations SET encrypted_secrets = 'v1.AAAA.AAAA.AAAA' WHERE id = $1", [
      created.id,
    ]);
    const listed = await editor.ok('query', 'destinations.list', ws);
    const row = listed.find((d: { id: string }) => d.id === created.id);
    expect(row).toMatchObject({ secretsUnreadable: true, secretsSet: [] });
    const keep = await editor.mutation('destinations.update', {
      ...ws,
      id: created.id,
      version: created.version,
      config: { url: hookUrl },
    });
    expect(keep.status).toBe(412);
    expect(keep.error?.message).toMatch(/cannot be decrypted.*enter every secret field again/);
    const replaced = await editor.ok('mutation', 'destinations.update', {
      ...ws,
      id: created.id,
      version: created.version,
      config: { url: hookUrl, secretHeaderValue: NEW_SECRET },
    });
    expect(replaced).toMatchObject({ secretsUnreadable: false, secretsSet: ['secretHeaderValue'] });
  });

  it('never writes a secret to the logs', () => {
    const all = logs.join('\n');
    expect(all).toContain('destinations.create');
    expect(all).not.toContain('sk_live');
  });
});
