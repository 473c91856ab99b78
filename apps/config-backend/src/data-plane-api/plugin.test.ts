import { randomBytes } from 'node:crypto';
import { useTestDatabase } from '@keel/postgres/testing';
import { type DeliveryReportRow, type FailedEvent, WorkspaceConfig } from '@keel/shared';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfigBackend } from '../app';
import { createPrisma, type Db } from '../db';
import {
  createDataPlaneToken,
  ensureInstanceDataPlaneToken,
  revokeDataPlaneToken,
} from '../domain/data-plane-tokens';
import { requestReplay } from '../domain/failed-events';
import { watchLive } from '../domain/live-events';
import { encryptSecrets } from '../domain/secrets';
import { loadEnv } from '../env';

const db = useTestDatabase('dpapi');
const secretKey = randomBytes(32);
const system = { type: 'system', id: null } as const;
let app: FastifyInstance;
let prisma: Db;
let wsToken: string;
let instanceToken: string;

async function seedWorkspace(id: string) {
  await prisma.workspace.create({ data: { id, name: `Workspace ${id}` } });
  await prisma.source.create({ data: { id: `${id}_src`, workspaceId: id, name: 'Web', type: 'javascript' } });
  await prisma.writeKey.createMany({
    data: [
      { id: `${id}_wk1`, sourceId: `${id}_src`, name: 'current', key: `${id}_key_current` },
      { id: `${id}_wk0`, sourceId: `${id}_src`, name: 'old', key: `${id}_key_old`, revokedAt: new Date() },
    ],
  });
  await prisma.destination.create({
    data: {
      id: `${id}_dst`,
      workspaceId: id,
      name: 'Hook',
      type: 'webhook',
      config: { url: 'http://127.0.0.1:9/hook', method: 'POST', headers: [] },
      encryptedSecrets: encryptSecrets({ secretHeaderValue: 'Bearer s3cret' }, secretKey),
    },
  });
  await prisma.transformation.create({
    data: {
      id: `${id}_tr`,
      workspaceId: id,
      name: 'Rename',
      versions: {
        create: { id: `${id}_tv1`, number: 1, code: 'export function transformEvent(e) { return e; }' },
      },
    },
  });
  await prisma.connection.create({
    data: {
      id: `${id}_con`,
      workspaceId: id,
      sourceId: `${id}_src`,
      destinationId: `${id}_dst`,
      filterMode: 'deny',
      filterEvents: ['Spam'],
      transformationVersionId: `${id}_tv1`,
    },
  });
}

function get(url: string, token: string | undefined, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'GET',
    url,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
}
function post(url: string, token: string, payload: unknown) {
  return app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${token}` },
    payload: payload as object,
  });
}

beforeAll(async () => {
  const env = loadEnv({
    DATABASE_URL: db.url,
    KEEL_SECRET_KEY: secretKey.toString('base64'),
    LOG_LEVEL: 'silent',
  });
  prisma = createPrisma(db.url);
  app = await buildConfigBackend({ env, prisma, pool: db.pool, logger: false });
  await app.ready();
  await seedWorkspace('wsa');
  await seedWorkspace('wsb');
  wsToken = (await createDataPlaneToken(prisma, system, { workspaceId: 'wsa', name: 'dp-a' })).token;
  instanceToken = `keel_dp_${randomBytes(24).toString('base64url')}`;
  await ensureInstanceDataPlaneToken(prisma, instanceToken);
});

afterAll(async () => {
  await app?.close();
  await prisma?.$disconnect();
});

describe('token auth', () => {
  it('refuses a missing, malformed or unknown token with a message that says what to do', async () => {
    const missing = await get('/data-plane/v1/config', undefined);
    expect(missing.statusCode).toBe(401);
    expect(missing.json().error.message).toMatch(/Authorization: Bearer/);
    const unknown = await get('/data-plane/v1/config', 'keel_dp_nope');
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().error.message).toMatch(/unknown or revoked/);
  });

  it('refuses a revoked token from its next request on', async () => {
    const { token, dataPlaneToken } = await createDataPlaneToken(prisma, system, {
      workspaceId: 'wsb',
      name: 'x',
    });
    expect((await get('/data-plane/v1/config', token)).statusCode).toBe(200);
    await revokeDataPlaneToken(prisma, system, { workspaceId: 'wsb', id: dataPlaneToken.id });
    expect((await get('/data-plane/v1/config', token)).statusCode).toBe(401);
    expect((await get('/data-plane/v1/commands', token)).statusCode).toBe(401);
  });

  it('serves a workspace token its own workspace only, and an instance token every workspace', async () => {
    const own = WorkspaceConfig.parse((await get('/data-plane/v1/config', wsToken)).json());
    expect(own.workspaces.map((w) => w.id)).toEqual(['wsa']);
    expect(own.sources.map((s) => s.id)).toEqual(['wsa_src']);
    const all = WorkspaceConfig.parse((await get('/data-plane/v1/config', instanceToken)).json());
    expect(all.workspaces.map((w) => w.id)).toEqual(['wsa', 'wsb']);
  });

  it('is idempotent to ensure the instance token, and a revoked instance token stays revoked', async () => {
    const again = await ensureInstanceDataPlaneToken(prisma, instanceToken);
    expect(again.created).toBe(false);
    const tokens = await prisma.dataPlaneToken.findMany({ where: { workspaceId: null } });
    expect(tokens).toHaveLength(1);
    expect(tokens[0]?.tokenHash).not.toContain(instanceToken);
  });
});

describe('GET /data-plane/v1/config', () => {
  it('serves sources with active write keys and destinations with decrypted secrets and transformation code', async () => {
    const res = await get('/data-plane/v1/config', wsToken);
    expect(res.statusCode).toBe(200);
    const config = WorkspaceConfig.parse(res.json());
    const source = config.sources[0];
    expect(source?.writeKeys).toEqual([{ id: 'wsa_wk1', key: 'wsa_key_current' }]);
    const destination = source?.destinations[0];
    expect(destination?.config).toMatchObject({
      url: 'http://127.0.0.1:9/hook',
      secretHeaderValue: 'Bearer s3cret',
    });
    expect(destination?.destinationDefinition).toEqual({ name: 'webhook', displayName: 'Webhook' });
    expect(destination?.connection).toMatchObject({
      id: 'wsa_con',
      filterMode: 'deny',
      filterEvents: ['Spam'],
    });
    expect(destination?.transformations).toEqual([
      {
        id: 'wsa_tr',
        versionId: 'wsa_tv1',
        name: 'Rename',
        code: 'export function transformEvent(e) { return e; }',
      },
    ]);
    expect(res.headers.etag).toBe(`"${config.version}"`);
  });

  it('answers 304 to If-None-Match while nothing changed, and a new version after a change', async () => {
    const first = await get('/data-plane/v1/config', wsToken);
    const etag = String(first.headers.etag);
    const same = await get('/data-plane/v1/config', wsToken, { 'if-none-match': etag });
    expect(same.statusCode).toBe(304);
    expect(same.body).toBe('');
    // Another workspace's change does not change this workspace's version.
    await prisma.source.update({ where: { id: 'wsb_src' }, data: { name: 'Web B' } });
    expect((await get('/data-plane/v1/config', wsToken, { 'if-none-match': etag })).statusCode).toBe(304);
    await prisma.destination.update({ where: { id: 'wsa_dst' }, data: { enabled: false } });
    // The cache learns of the change from Postgres's notification, which reaches its LISTEN
    // connection a moment after the commit: a request in that moment may still get the 304.
    let changed = await get('/data-plane/v1/config', wsToken, { 'if-none-match': etag });
    for (const deadline = Date.now() + 5_000; changed.statusCode === 304 && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 20));
      changed = await get('/data-plane/v1/config', wsToken, { 'if-none-match': etag });
    }
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(WorkspaceConfig.parse(changed.json()).sources[0]?.destinations[0]?.enabled).toBe(false);
  });

  it('long-polls: answers as soon as the config changes', async () => {
    const etag = String((await get('/data-plane/v1/config', wsToken)).headers.etag);
    const started = Date.now();
    const waiting = get('/data-plane/v1/config?wait=20', wsToken, { 'if-none-match': etag });
    await new Promise((r) => setTimeout(r, 300));
    await prisma.writeKey.create({
      data: { id: 'wsa_wk2', sourceId: 'wsa_src', name: 'next', key: 'wsa_key_next' },
    });
    const res = await waiting;
    const elapsed = Date.now() - started;
    expect(res.statusCode).toBe(200);
    expect(elapsed).toBeLessThan(5000);
    const keys = WorkspaceConfig.parse(res.json()).sources[0]?.writeKeys.map((k) => k.key);
    expect(keys).toContain('wsa_key_next');
  });

  it('long-polls: answers 304 when the wait ends without a change', async () => {
    const etag = String((await get('/data-plane/v1/config', wsToken)).headers.etag);
    const started = Date.now();
    const res = await get('/data-plane/v1/config?wait=1', wsToken, { 'if-none-match': etag });
    expect(res.statusCode).toBe(304);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('never serves a stale config when its LISTEN connection drops, and listens again after reconnecting', async () => {
    const before = String((await get('/data-plane/v1/config', wsToken)).headers.etag);
    const { rowCount } = await db.pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`,
    );
    expect(rowCount).toBe(1);
    // The config-backend learns of the drop from its socket a moment after the backend exits;
    // a change committed inside that window is served from cache for at most the cache's max age.
    for (let i = 0; i < 50; i++) {
      const { rowCount: left } = await db.pool.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`,
      );
      if (left === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 100));
    await prisma.source.update({ where: { id: 'wsa_src' }, data: { rateLimitPerSecond: 77 } });
    const during = await get('/data-plane/v1/config', wsToken, { 'if-none-match': before });
    expect(during.statusCode).toBe(200);
    expect(WorkspaceConfig.parse(during.json()).sources[0]?.rateLimitPerSecond).toBe(77);

    // Back to listening: a long-poll wakes on the next change again.
    let listening = 0;
    for (let i = 0; i < 50 && listening === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      ({ rowCount: listening } = (await db.pool.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'`,
      )) as { rowCount: number });
    }
    expect(listening).toBe(1);
    const etag = String((await get('/data-plane/v1/config', wsToken)).headers.etag);
    const started = Date.now();
    const waiting = get('/data-plane/v1/config?wait=20', wsToken, { 'if-none-match': etag });
    await new Promise((r) => setTimeout(r, 200));
    await prisma.source.update({ where: { id: 'wsa_src' }, data: { rateLimitPerSecond: null } });
    expect((await waiting).statusCode).toBe(200);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('serves a destination whose secrets cannot be decrypted disabled, and every other one as before', async () => {
    await prisma.destination.create({
      data: {
        id: 'wsb_dst_broken',
        workspaceId: 'wsb',
        name: 'Sealed with an old key',
        type: 'webhook',
        config: { url: 'http://127.0.0.1:9/old' },
        encryptedSecrets: encryptSecrets({ secretHeaderValue: 'x' }, randomBytes(32)),
      },
    });
    await prisma.connection.create({
      data: {
        id: 'wsb_con_broken',
        workspaceId: 'wsb',
        sourceId: 'wsb_src',
        destinationId: 'wsb_dst_broken',
      },
    });
    const res = await get('/data-plane/v1/config', instanceToken);
    expect(res.statusCode).toBe(200);
    const destinations = WorkspaceConfig.parse(res.json()).sources.flatMap((s) => s.destinations);
    const broken = destinations.find((d) => d.id === 'wsb_dst_broken');
    expect(broken?.enabled).toBe(false);
    expect(broken?.config).not.toHaveProperty('secretHeaderValue');
    expect(destinations.find((d) => d.id === 'wsb_dst')?.config).toMatchObject({
      secretHeaderValue: 'Bearer s3cret',
    });
  });

  it('rejects a wait outside 0–60 seconds', async () => {
    const res = await get('/data-plane/v1/config?wait=600', wsToken);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields).toHaveProperty('wait');
  });
});

function report(over: Partial<DeliveryReportRow> = {}): DeliveryReportRow {
  return {
    workspaceId: 'wsa',
    minute: '2026-11-26T10:15:00.000Z',
    sourceId: 'wsa_src',
    destinationId: 'wsa_dst',
    status: 'delivered',
    errorCode: '',
    count: 10,
    latencyP50Ms: 20,
    latencyP95Ms: 80,
    latencyP99Ms: 120,
    samples: [],
    ...over,
  };
}

describe('POST /data-plane/v1/reports', () => {
  it('replaces a resent row instead of adding to it', async () => {
    const batch = {
      dataPlaneId: 'dp-1',
      reports: [report(), report({ status: 'aborted', errorCode: '400', count: 2 })],
    };
    expect((await post('/data-plane/v1/reports', wsToken, batch)).json()).toEqual({
      accepted: 2,
      skipped: 0,
    });
    await post('/data-plane/v1/reports', wsToken, batch);
    await post('/data-plane/v1/reports', wsToken, { dataPlaneId: 'dp-1', reports: [report({ count: 15 })] });
    const rows = await prisma.deliveryReport.findMany({
      where: { workspaceId: 'wsa' },
      orderBy: { status: 'asc' },
    });
    expect(rows.map((r) => [r.status, r.count])).toEqual([
      ['aborted', 2],
      ['delivered', 15],
    ]);
    // Another data plane's rows for the same minute add up beside them.
    await post('/data-plane/v1/reports', wsToken, { dataPlaneId: 'dp-2', reports: [report({ count: 5 })] });
    const sum = await prisma.deliveryReport.aggregate({
      where: { status: 'delivered' },
      _sum: { count: true },
    });
    expect(sum._sum.count).toBe(20);
    // The hourly rollup follows replacements instead of adding them up.
    const hourly = await prisma.deliveryReportHourly.findMany({
      where: { workspaceId: 'wsa' },
      orderBy: { status: 'asc' },
    });
    expect(hourly.map((h) => [h.status, Number(h.count), h.latencyP50Sum])).toEqual([
      ['aborted', 2, 0],
      ['delivered', 20, 15 * 20 + 5 * 20],
    ]);
  });

  it('refuses rows of a workspace the token does not serve, and names the field of a bad row', async () => {
    const other = await post('/data-plane/v1/reports', wsToken, {
      dataPlaneId: 'dp-1',
      reports: [report({ workspaceId: 'wsb', sourceId: 'wsb_src', destinationId: 'wsb_dst' })],
    });
    expect(other.statusCode).toBe(403);
    const bad = await post('/data-plane/v1/reports', wsToken, {
      dataPlaneId: 'dp-1',
      reports: [{ ...report(), count: -1 }],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields).toHaveProperty('reports.0.count');
    const unknown = await post('/data-plane/v1/reports', instanceToken, {
      dataPlaneId: 'dp-1',
      reports: [report({ workspaceId: 'deleted-workspace' })],
    });
    expect(unknown.json()).toEqual({ accepted: 0, skipped: 1 });
  });
});

function failed(id: string, over: Partial<FailedEvent> = {}): FailedEvent {
  return {
    id,
    workspaceId: 'wsa',
    sourceId: 'wsa_src',
    destinationId: 'wsa_dst',
    messageId: `m-${id}`,
    userKey: 'u3',
    eventLabel: 'track · Order Completed',
    errorCode: '400',
    attempts: 1,
    payload: { event: 'Order Completed' },
    request: { url: 'http://127.0.0.1:9/hook' },
    response: { status: 400, body: 'bad' },
    failedAt: new Date(Date.now() - 60_000).toISOString(),
    ...over,
  };
}

describe('failed events and replay commands', () => {
  it('stores failed events once per id, hands a replay to one data plane, and records its result', async () => {
    const batch = {
      dataPlaneId: 'dp-1',
      events: [failed('f1'), failed('f2'), failed('f3', { errorCode: '404' })],
    };
    await post('/data-plane/v1/failed-events', wsToken, batch);
    await post('/data-plane/v1/failed-events', wsToken, batch);
    expect(await prisma.failedEventSample.count({ where: { workspaceId: 'wsa' } })).toBe(3);

    expect((await get('/data-plane/v1/commands', wsToken)).json()).toEqual({ replays: [] });
    const { commandId, matching } = await requestReplay(prisma, system, 'wsa', {
      filter: { destinationId: 'wsa_dst', errorCode: '400' },
    });
    expect(matching).toBe(2);

    const claimed = (await get('/data-plane/v1/commands', instanceToken)).json();
    expect(claimed.replays).toEqual([
      {
        id: commandId,
        workspaceId: 'wsa',
        destinationId: 'wsa_dst',
        fromTime: null,
        toTime: null,
        errorCode: '400',
        failedEventIds: ['f1', 'f2'],
      },
    ]);
    // Claimed once: the next poll, from any data plane, does not get it again.
    expect((await get('/data-plane/v1/commands', wsToken)).json()).toEqual({ replays: [] });

    const done = await post(`/data-plane/v1/commands/${commandId}/done`, wsToken, {
      dataPlaneId: 'dp-1',
      replayedCount: 2,
    });
    expect(done.json()).toEqual({ alreadyDone: false });
    const again = await post(`/data-plane/v1/commands/${commandId}/done`, wsToken, {
      dataPlaneId: 'dp-1',
      replayedCount: 2,
    });
    expect(again.json()).toEqual({ alreadyDone: true });
    const samples = await prisma.failedEventSample.findMany({ orderBy: { id: 'asc' } });
    expect(samples.map((s) => [s.id, s.replayedAt !== null])).toEqual([
      ['f1', true],
      ['f2', true],
      ['f3', false],
    ]);
    const command = await prisma.replayCommand.findUniqueOrThrow({ where: { id: commandId } });
    expect([command.status, command.replayedCount]).toEqual(['done', 2]);

    // The same event failing again after the replay becomes replayable again.
    await post('/data-plane/v1/failed-events', wsToken, {
      dataPlaneId: 'dp-1',
      events: [failed('f1', { attempts: 3, failedAt: new Date().toISOString() })],
    });
    const f1 = await prisma.failedEventSample.findUniqueOrThrow({ where: { id: 'f1' } });
    expect([f1.attempts, f1.replayedAt]).toEqual([3, null]);
    expect([f1.userKey, f1.eventLabel]).toEqual(['u3', 'track · Order Completed']);
  });

  it('accepts failed events from a data plane that sends no user key or event label, storing nulls', async () => {
    // What a data plane of the version before these fields pushes.
    const { userKey: _userKey, eventLabel: _eventLabel, ...old } = failed('old-1');
    const response = await post('/data-plane/v1/failed-events', wsToken, {
      dataPlaneId: 'dp-old',
      events: [old],
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ accepted: 1, skipped: 0 });
    const stored = await prisma.failedEventSample.findUniqueOrThrow({ where: { id: 'old-1' } });
    expect(stored).toMatchObject({ messageId: 'm-old-1', errorCode: '400', userKey: null, eventLabel: null });

    // A resend that does say them fills them in; one that does not keeps what is stored.
    const later = (over: Partial<FailedEvent>) => ({
      dataPlaneId: 'dp-old',
      events: [failed('old-1', { failedAt: new Date().toISOString(), ...over })],
    });
    await post('/data-plane/v1/failed-events', wsToken, later({}));
    await post('/data-plane/v1/failed-events', wsToken, later({ userKey: null, eventLabel: null }));
    const filled = await prisma.failedEventSample.findUniqueOrThrow({ where: { id: 'old-1' } });
    expect([filled.userKey, filled.eventLabel]).toEqual(['u3', 'track · Order Completed']);
  });

  it('hides other workspaces’ commands and answers 404 for them', async () => {
    const { commandId } = await requestReplay(prisma, system, 'wsa', { ids: ['f3'] });
    const bToken = (await createDataPlaneToken(prisma, system, { workspaceId: 'wsb', name: 'dp-b' })).token;
    expect((await get('/data-plane/v1/commands', bToken)).json()).toEqual({ replays: [] });
    const done = await post(`/data-plane/v1/commands/${commandId}/done`, bToken, {
      dataPlaneId: 'dp-b',
      replayedCount: 1,
    });
    expect(done.statusCode).toBe(404);
    const claimed = (await get('/data-plane/v1/commands', wsToken)).json();
    expect(claimed.replays[0]).toMatchObject({ id: commandId, failedEventIds: ['f3'] });
  });
});

describe('concurrent claims', () => {
  it('hands each pending replay to exactly one of several data planes polling at once', async () => {
    await post('/data-plane/v1/failed-events', wsToken, {
      dataPlaneId: 'dp-1',
      events: Array.from({ length: 12 }, (_, i) => failed(`c${i}`)),
    });
    const created = [];
    for (let i = 0; i < 12; i++)
      created.push((await requestReplay(prisma, system, 'wsa', { ids: [`c${i}`] })).commandId);
    const polls = await Promise.all(
      Array.from({ length: 4 }, () => get('/data-plane/v1/commands', instanceToken).then((r) => r.json())),
    );
    const claimed = polls.flatMap((p: { replays: { id: string }[] }) => p.replays.map((r) => r.id));
    expect(claimed.sort()).toEqual([...created].sort());
  });
});

describe('live events', () => {
  it('lists what someone watches, and keeps the newest 1,000 events of a workspace', async () => {
    expect((await get('/data-plane/v1/live', wsToken)).json()).toEqual({ watches: [] });
    await watchLive(prisma, 'wsa', { sourceId: 'wsa_src' });
    const watches = (await get('/data-plane/v1/live', wsToken)).json().watches;
    expect(watches).toHaveLength(1);
    expect(watches[0]).toMatchObject({ workspaceId: 'wsa', sourceId: 'wsa_src', destinationId: null });
    expect(new Date(watches[0].until).getTime()).toBeGreaterThan(Date.now() + 50_000);
    expect((await get('/data-plane/v1/live', bTokenFor())).json()).toEqual({ watches: [] });

    const events = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        workspaceId: 'wsa',
        sourceId: 'wsa_src',
        destinationId: null,
        messageId: `${prefix}-${i}`,
        stage: 'received',
        at: new Date().toISOString(),
        payload: { i },
      }));
    await post('/data-plane/v1/live-events', wsToken, { dataPlaneId: 'dp-1', events: events('a', 800) });
    await post('/data-plane/v1/live-events', wsToken, { dataPlaneId: 'dp-1', events: events('b', 400) });
    const count = await prisma.liveEvent.count({ where: { workspaceId: 'wsa' } });
    expect(count).toBe(1000);
    const oldest = await prisma.liveEvent.findFirst({
      where: { workspaceId: 'wsa' },
      orderBy: { id: 'asc' },
    });
    expect(oldest?.messageId).toBe('a-200');
  });

  it('stores a resent sample once by its id, within a batch and across batches, and keeps samples without one', async () => {
    const sample = (id: string | undefined, messageId: string) => ({
      ...(id ? { id } : {}),
      workspaceId: 'wsb',
      sourceId: 'wsb_src',
      destinationId: 'wsb_dst',
      messageId,
      stage: 'delivered',
      at: new Date().toISOString(),
      payload: { messageId },
      response: { status: 200 },
    });
    const batch = {
      dataPlaneId: 'dp-1',
      events: [sample('s-1', 'm-1'), sample('s-2', 'm-2'), sample('s-2', 'm-2'), sample(undefined, 'm-3')],
    };
    const first = await post('/data-plane/v1/live-events', instanceToken, batch);
    expect(first.json()).toEqual({ accepted: 3, skipped: 0 });
    const resent = await post('/data-plane/v1/live-events', instanceToken, batch);
    // Only the sample without an id can be stored again: nothing tells it apart.
    expect(resent.json()).toEqual({ accepted: 1, skipped: 0 });
    const rows = await prisma.liveEvent.findMany({ where: { workspaceId: 'wsb' }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.sampleId, r.messageId])).toEqual([
      ['s-1', 'm-1'],
      ['s-2', 'm-2'],
      [null, 'm-3'],
      [null, 'm-3'],
    ]);
    // Ids are the workspace's own: another workspace may use the same one.
    const other = await post('/data-plane/v1/live-events', wsToken, {
      dataPlaneId: 'dp-1',
      events: [
        { ...sample('s-1', 'm-a'), workspaceId: 'wsa', sourceId: 'wsa_src', destinationId: 'wsa_dst' },
      ],
    });
    expect(other.json()).toEqual({ accepted: 1, skipped: 0 });
  });
});

describe('POST /data-plane/v1/write-key-usage', () => {
  const keyOf = (id: string) =>
    prisma.writeKey.findUniqueOrThrow({ where: { id }, select: { lastUsedAt: true } });

  it('moves a key of a served workspace forward only, never past now, and leaves other workspaces alone', async () => {
    const configBefore = await get('/data-plane/v1/config', wsToken);
    const t1 = new Date(Date.now() - 60_000);
    const t0 = new Date(t1.getTime() - 30_000);
    const first = await post('/data-plane/v1/write-key-usage', wsToken, {
      dataPlaneId: 'dp-1',
      usage: [
        { writeKeyId: 'wsa_wk1', lastUsedAt: t0.toISOString() },
        { writeKeyId: 'wsa_wk1', lastUsedAt: t1.toISOString() },
        { writeKeyId: 'wsb_wk1', lastUsedAt: t1.toISOString() },
        { writeKeyId: 'no-such-key', lastUsedAt: t1.toISOString() },
      ],
    });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ accepted: 1, skipped: 2 });
    expect((await keyOf('wsa_wk1')).lastUsedAt).toEqual(t1);
    expect((await keyOf('wsb_wk1')).lastUsedAt).toBeNull();

    // An older push (another gateway, a late retry) does not move it back.
    await post('/data-plane/v1/write-key-usage', wsToken, {
      dataPlaneId: 'dp-2',
      usage: [{ writeKeyId: 'wsa_wk1', lastUsedAt: t0.toISOString() }],
    });
    expect((await keyOf('wsa_wk1')).lastUsedAt).toEqual(t1);

    // A data plane whose clock runs ahead cannot pin a key as used in the future.
    const before = Date.now();
    await post('/data-plane/v1/write-key-usage', instanceToken, {
      dataPlaneId: 'dp-skewed',
      usage: [{ writeKeyId: 'wsb_wk1', lastUsedAt: new Date(before + 3_600_000).toISOString() }],
    });
    const skewed = (await keyOf('wsb_wk1')).lastUsedAt;
    expect(skewed?.getTime()).toBeLessThanOrEqual(Date.now());
    expect(skewed?.getTime()).toBeGreaterThanOrEqual(before - 1_000);

    // Last-used times are not part of the config: data planes are not sent a new one.
    const configAfter = await get('/data-plane/v1/config', wsToken);
    expect(configAfter.headers.etag).toBe(configBefore.headers.etag);
  });

  it('takes concurrent pushes of the same keys in any order without a deadlock', async () => {
    const ids = Array.from({ length: 300 }, (_, i) => `wsb_many_${String(i).padStart(3, '0')}`);
    await prisma.writeKey.createMany({
      data: ids.map((id) => ({ id, sourceId: 'wsb_src', name: id, key: `${id}_key_value` })),
    });
    const at = Date.now() - 5_000;
    const pushes = Array.from({ length: 8 }, (_, p) => {
      const order = p % 2 === 0 ? ids : [...ids].reverse();
      return post('/data-plane/v1/write-key-usage', instanceToken, {
        dataPlaneId: `dp-${p}`,
        usage: order.map((writeKeyId, i) => ({
          writeKeyId,
          lastUsedAt: new Date(at + ((i * 7 + p) % 50)).toISOString(),
        })),
      });
    });
    const answers = await Promise.all(pushes);
    expect(answers.map((a) => a.statusCode)).toEqual(Array(8).fill(200));
    const used = await prisma.writeKey.count({ where: { id: { in: ids }, lastUsedAt: { not: null } } });
    expect(used).toBe(300);
  });

  it('refuses a batch that does not match the contract, naming the field', async () => {
    const bad = await post('/data-plane/v1/write-key-usage', wsToken, {
      dataPlaneId: 'dp-1',
      usage: [{ writeKeyId: 'wsa_wk1', lastUsedAt: 'yesterday' }],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields).toHaveProperty('usage.0.lastUsedAt');
    const unauthenticated = await app.inject({
      method: 'POST',
      url: '/data-plane/v1/write-key-usage',
      payload: { dataPlaneId: 'dp-1', usage: [] },
    });
    expect(unauthenticated.statusCode).toBe(401);
  });
});

let bToken: string | undefined;
function bTokenFor(): string {
  return bToken ?? 'unset';
}
beforeAll(async () => {
  bToken = (await createDataPlaneToken(prisma, system, { workspaceId: 'wsb', name: 'dp-b-live' })).token;
});

describe('shutdown', () => {
  it('answers waiting long-polls with 304 at once when the app closes', async () => {
    const env = loadEnv({
      DATABASE_URL: db.url,
      KEEL_SECRET_KEY: secretKey.toString('base64'),
      LOG_LEVEL: 'silent',
    });
    const other = await buildConfigBackend({ env, prisma, pool: db.pool, logger: false });
    await other.ready();
    const first = await other.inject({
      url: '/data-plane/v1/config',
      headers: { authorization: `Bearer ${wsToken}` },
    });
    const waiting = other.inject({
      url: '/data-plane/v1/config?wait=30',
      headers: { authorization: `Bearer ${wsToken}`, 'if-none-match': String(first.headers.etag) },
    });
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    await other.close();
    expect((await waiting).statusCode).toBe(304);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
