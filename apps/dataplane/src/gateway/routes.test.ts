import { gzipSync } from 'node:zlib';
import { useTestDatabase } from '@keel/postgres/testing';
import pg from 'pg';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { basic, type RunningGateway, startGateway, testConfig, testSource } from './testing';

const db = useTestDatabase('gateway-routes');
let gw: RunningGateway;

const sources = [
  testSource({ id: 'src_web' }),
  testSource({ id: 'src_off', enabled: false }),
  testSource({ id: 'src_slow', rateLimitPerSecond: 5 }),
];

beforeAll(async () => {
  gw = await startGateway({
    databaseUrl: db.url,
    config: testConfig(sources),
    env: { GATEWAY_MAX_REQUEST_BYTES: String(256 * 1024), GATEWAY_MAX_EVENT_BYTES: String(4 * 1024) },
  });
});
afterAll(async () => {
  await gw?.close();
});
beforeEach(async () => {
  gw.config.set(testConfig(sources));
  await db.pool.query('TRUNCATE gw_jobs');
});

async function post(
  path: string,
  body: unknown,
  headers: Record<string, string> = { authorization: basic('key-src_web') },
) {
  const raw = Buffer.isBuffer(body) ? body : typeof body === 'string' ? body : JSON.stringify(body);
  const response = await request(`${gw.url}${path}`, { method: 'POST', body: raw, headers });
  const text = await response.body.text();
  return {
    status: response.statusCode,
    headers: response.headers,
    body: text ? JSON.parse(text) : undefined,
  };
}

async function stored(): Promise<Array<Record<string, unknown> & { _row: Record<string, unknown> }>> {
  const { rows } = await db.pool.query('SELECT * FROM gw_jobs ORDER BY job_id');
  return rows.map((row) => ({ ...JSON.parse(row.payload), _row: row }));
}

const track = { type: 'track', event: 'Signed Up', userId: 'u1', properties: { plan: 'pro' } };

describe('event endpoints', () => {
  it('stores a track event after commit and enriches it, keeping context as sent', async () => {
    const response = await post('/v1/track', {
      ...track,
      anonymousId: 'a1',
      context: { library: { name: 'analytics-node' }, ip: '10.9.9.9' },
      writeKey: 'key-src_web',
      originalTimestamp: '2026-01-01T00:00:00.000Z',
      sentAt: '2026-01-01T00:00:10.000Z',
    });
    expect(response).toMatchObject({ status: 200, body: { ok: true } });
    const [event] = await stored();
    expect(event).toMatchObject({
      type: 'track',
      event: 'Signed Up',
      userId: 'u1',
      context: { library: { name: 'analytics-node' }, ip: '10.9.9.9' },
      request_ip: '127.0.0.1',
    });
    expect(event).not.toHaveProperty('writeKey');
    expect(event?.messageId).toMatch(/^[0-9a-f-]{36}$/);
    const received = Date.parse(event?.receivedAt as string);
    // Clock-skew correction: the event happened 10 s before the client sent it.
    expect(Date.parse(event?.timestamp as string)).toBe(received - 10_000);
    expect(event?._row).toMatchObject({
      source_id: 'src_web',
      workspace_id: 'ws_test',
      user_key: 'u1',
      message_id: event?.messageId,
    });
  });

  it('keeps a client timestamp and messageId, and stringifies numeric ids', async () => {
    await post('/v1/identify', {
      userId: 42,
      messageId: 'ajs-next-1-abc',
      timestamp: '2025-05-05T05:05:05.000Z',
      traits: { email: 'a@b.c' },
    });
    const [event] = await stored();
    expect(event).toMatchObject({
      type: 'identify',
      userId: '42',
      messageId: 'ajs-next-1-abc',
      timestamp: '2025-05-05T05:05:05.000Z',
    });
  });

  it('serves every single-event path and the analytics-next short aliases', async () => {
    const paths: Array<[string, Record<string, unknown>]> = [
      ['track', { event: 'E' }],
      ['identify', {}],
      ['page', { name: 'Home' }],
      ['screen', { name: 'Main' }],
      ['group', { groupId: 'g1' }],
      ['alias', { previousId: 'old' }],
      ['t', { event: 'E' }],
      ['i', {}],
      ['p', {}],
      ['s', {}],
      ['g', { groupId: 7 }],
      ['a', { previousId: 'old' }],
    ];
    for (const [path, fields] of paths) {
      const response = await post(
        `/v1/${path}`,
        { userId: 'u', ...fields },
        { 'content-type': 'text/plain', authorization: basic('key-src_web') },
      );
      expect(response.status, path).toBe(200);
    }
    const types = (await stored()).map((e) => e.type);
    expect(types).toEqual([
      'track',
      'identify',
      'page',
      'screen',
      'group',
      'alias',
      'track',
      'identify',
      'page',
      'screen',
      'group',
      'alias',
    ]);
  });

  it('accepts the write key in the body (analytics-next) and in ?writeKey=', async () => {
    expect((await post('/v1/t', { ...track, writeKey: 'key-src_web' }, {})).status).toBe(200);
    expect((await post('/v1/track?writeKey=key-src_web', track, {})).status).toBe(200);
    expect(await stored()).toHaveLength(2);
  });

  it('parses JSON whatever the Content-Type says, and with none', async () => {
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json;charset=UTF-8',
    ]) {
      const response = await post('/v1/track', track, {
        authorization: basic('key-src_web'),
        'content-type': type,
      });
      expect(response.status, type).toBe(200);
    }
    const bare = await request(`${gw.url}/v1/track`, {
      method: 'POST',
      body: Buffer.from(JSON.stringify(track)),
      headers: { authorization: basic('key-src_web') },
    });
    expect(bare.statusCode).toBe(200);
    await bare.body.dump();
    expect(await stored()).toHaveLength(4);
  });

  it('accepts a batch partially, listing rejected indexes and reasons', async () => {
    const response = await post('/v1/batch', {
      batch: [
        track,
        { type: 'track', userId: 'u1' },
        { type: 'fly', userId: 'u1' },
        { type: 'identify', traits: {} },
        { ...track, properties: 'not an object' },
        { type: 'identify', userId: 'u2', padding: 'x'.repeat(5000) },
        { type: 'alias', previousId: 'p1' },
      ],
      sentAt: '2026-01-01T00:00:00.000Z',
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      ok: true,
      accepted: 2,
      rejected: [
        { index: 1, code: 'invalid-event', reason: 'a track event needs an event name (event)' },
        {
          index: 2,
          code: 'invalid-event',
          reason: 'type must be one of track, identify, page, screen, group, alias',
        },
        { index: 3, code: 'invalid-event', reason: 'an event needs a userId or an anonymousId' },
        { index: 4, code: 'invalid-event', reason: 'properties must be a JSON object' },
        { index: 5, code: 'event-too-large', reason: expect.stringMatching(/limit is 4096/) },
      ],
    });
    const events = await stored();
    expect(events.map((e) => e.type)).toEqual(['track', 'alias']);
    // The batch's sentAt reaches events that carry none.
    expect(events[0]?.sentAt).toBe('2026-01-01T00:00:00.000Z');
  });

  it("applies a batch-level context and integrations to events without their own (Segment's batch API)", async () => {
    const response = await post('/v1/batch', {
      batch: [track, { ...track, context: { own: true } }],
      context: { library: { name: 'batch-lib' } },
      integrations: { All: false },
    });
    expect(response.status).toBe(200);
    const [first, second] = await stored();
    expect(first).toMatchObject({
      context: { library: { name: 'batch-lib' } },
      integrations: { All: false },
    });
    expect(second?.context).toEqual({ own: true });
  });

  it('refuses ids holding a NUL character one by one, and stores the rest of the batch', async () => {
    // Postgres text cannot hold NUL: stored as is, such an id failed the whole group commit,
    // turning one client's event into 503s for every request sharing the transaction.
    const response = await post('/v1/batch', {
      batch: [
        { ...track, userId: 'u\u00001' },
        { ...track, messageId: 'm\u00001' },
        { type: 'identify', anonymousId: 'a\u0000' },
        { ...track, properties: { note: 'NUL \u0000 inside properties is kept' } },
      ],
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      ok: true,
      accepted: 1,
      rejected: [
        { index: 0, code: 'invalid-event', reason: 'userId must not contain NUL characters' },
        { index: 1, code: 'invalid-event', reason: 'messageId must not contain NUL characters' },
        { index: 2, code: 'invalid-event', reason: 'anonymousId must not contain NUL characters' },
      ],
    });
    const events = await stored();
    expect(events.map((e) => (e.properties as { note: string }).note)).toEqual([
      'NUL \u0000 inside properties is kept',
    ]);
  });

  it('serves /v1/import, /v1/b and the beacon path like /v1/batch', async () => {
    expect((await post('/v1/import', { batch: [track] })).status).toBe(200);
    expect((await post('/v1/b', { batch: [track], writeKey: 'key-src_web' }, {})).status).toBe(200);
    const beacon = await post(
      '/beacon/v1/batch?writeKey=key-src_web',
      { batch: [track], sentAt: 'x' },
      {
        'content-type': 'text/plain;charset=UTF-8',
      },
    );
    expect(beacon.status).toBe(200);
    expect(await stored()).toHaveLength(3);
  });

  it('turns any webhook body into a track event', async () => {
    const response = await post('/v1/webhook?writeKey=key-src_web', { action: 'opened', id: 3 }, {});
    expect(response.status).toBe(200);
    await post('/v1/webhook?writeKey=key-src_web', [1, 2], {});
    const [first, second] = await stored();
    expect(first).toMatchObject({
      type: 'track',
      event: 'webhook_source_event',
      properties: { action: 'opened', id: 3 },
    });
    expect(first?.anonymousId).toEqual(expect.any(String));
    expect(second?.properties).toEqual({ body: [1, 2] });
  });

  it('records pixel requests and answers with a GIF', async () => {
    const response = await request(
      `${gw.url}/pixel/v1/page?writeKey=key-src_web&anonymousId=anon-1&name=Home&context.page.url=https%3A%2F%2Fx.test%2F&properties.path=%2F`,
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('image/gif');
    expect((await response.body.arrayBuffer()).byteLength).toBeGreaterThan(20);
    await request(`${gw.url}/pixel/v1/track?writeKey=key-src_web&anonymousId=anon-1&event=Opened`).then((r) =>
      r.body.dump(),
    );
    const [page, tracked] = await stored();
    expect(page).toMatchObject({
      type: 'page',
      anonymousId: 'anon-1',
      name: 'Home',
      context: { page: { url: 'https://x.test/' } },
      properties: { path: '/' },
    });
    expect(page).not.toHaveProperty('writeKey');
    expect(tracked).toMatchObject({ type: 'track', event: 'Opened' });
  });

  it('accepts and discards analytics-next telemetry on /v1/m without auth', async () => {
    const response = await post('/v1/m', { series: [{ type: 'Counter', metric: 'x', value: 1 }] }, {});
    expect(response).toMatchObject({ status: 200, body: { ok: true } });
    expect(await stored()).toHaveLength(0);
  });
});

describe('rejections', () => {
  const cases: Array<[string, string, unknown, Record<string, string>, number, string]> = [
    ['no key', '/v1/track', track, {}, 401, 'missing-write-key'],
    ['unknown key', '/v1/track', track, { authorization: basic('nope') }, 401, 'invalid-write-key'],
    ['unknown key in the query', '/v1/webhook?writeKey=nope', {}, {}, 401, 'invalid-write-key'],
    ['disabled source', '/v1/track', track, { authorization: basic('key-src_off') }, 404, 'source-disabled'],
    ['bad JSON', '/v1/track', '{"type":', { authorization: basic('key-src_web') }, 400, 'invalid-json'],
    ['empty body', '/v1/track', '', { authorization: basic('key-src_web') }, 400, 'invalid-json'],
    [
      'array for one event',
      '/v1/track',
      [track],
      { authorization: basic('key-src_web') },
      400,
      'invalid-body',
    ],
    [
      'batch without array',
      '/v1/batch',
      { batch: {} },
      { authorization: basic('key-src_web') },
      400,
      'invalid-body',
    ],
    ['empty batch', '/v1/batch', { batch: [] }, { authorization: basic('key-src_web') }, 400, 'invalid-body'],
    [
      'invalid event',
      '/v1/track',
      { event: 'E' },
      { authorization: basic('key-src_web') },
      400,
      'invalid-event',
    ],
    [
      'oversize event',
      '/v1/identify',
      { userId: 'u', traits: { x: 'y'.repeat(5000) } },
      { authorization: basic('key-src_web') },
      413,
      'event-too-large',
    ],
    [
      'oversize request',
      '/v1/batch',
      { batch: [{ ...track, x: 'z'.repeat(300 * 1024) }] },
      { authorization: basic('key-src_web') },
      413,
      'request-too-large',
    ],
    [
      'unsupported encoding',
      '/v1/track',
      track,
      { authorization: basic('key-src_web'), 'content-encoding': 'br' },
      400,
      'invalid-encoding',
    ],
    [
      'not gzip',
      '/v1/track',
      track,
      { authorization: basic('key-src_web'), 'content-encoding': 'gzip' },
      400,
      'invalid-encoding',
    ],
  ];
  for (const [name, path, body, headers, status, code] of cases) {
    it(`${name} → ${status} ${code}`, async () => {
      const response = await post(path, body, headers);
      expect(response.status).toBe(status);
      expect(response.body).toMatchObject({ code, message: expect.any(String) });
      expect(response.body.message.length).toBeGreaterThan(20);
      expect(await stored()).toHaveLength(0);
    });
  }

  it('all-invalid batch → 400 invalid-events with every rejection', async () => {
    const response = await post('/v1/batch', { batch: [{ type: 'track' }, 5] });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      code: 'invalid-events',
      message: expect.any(String),
      rejected: [
        { index: 0, code: 'invalid-event', reason: 'a track event needs an event name (event)' },
        { index: 1, code: 'invalid-event', reason: 'an event must be a JSON object' },
      ],
    });
  });

  it('gzip bodies are inflated, and a gzip bomb is refused with 413', async () => {
    const ok = await post('/v1/batch', gzipSync(JSON.stringify({ batch: [track, track] })), {
      authorization: basic('key-src_web'),
      'content-encoding': 'gzip',
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(ok.status).toBe(200);
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(256 * 1024);
    const refused = await post('/v1/batch', bomb, {
      authorization: basic('key-src_web'),
      'content-encoding': 'gzip',
    });
    expect(refused).toMatchObject({ status: 413, body: { code: 'request-too-large' } });
    expect(await stored()).toHaveLength(2);
  });

  it('rate limits per source with 429 and Retry-After', async () => {
    const auth = { authorization: basic('key-src_slow') };
    expect((await post('/v1/batch', { batch: [track, track, track, track, track] }, auth)).status).toBe(200);
    const limited = await post('/v1/track', track, auth);
    expect(limited).toMatchObject({ status: 429, body: { code: 'rate-limited' } });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Other sources are not affected.
    expect((await post('/v1/track', track)).status).toBe(200);
  });

  it('a revoked key stops working as soon as the config drops it', async () => {
    expect((await post('/v1/track', track)).status).toBe(200);
    gw.config.set(
      testConfig([testSource({ id: 'src_web', writeKeys: [{ id: 'wk2', key: 'rotated' }] })], 'v2'),
    );
    expect((await post('/v1/track', track)).status).toBe(401);
    expect((await post('/v1/track', track, { authorization: basic('rotated') })).status).toBe(200);
  });

  it('before any config has loaded, answers 503 so that SDKs retry instead of dropping', async () => {
    const unconfigured = await startGateway({ databaseUrl: db.url, config: undefined });
    try {
      const response = await request(`${unconfigured.url}/v1/track`, {
        method: 'POST',
        body: JSON.stringify(track),
        headers: { authorization: basic('key-src_web') },
      });
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('5');
      expect(await response.body.json()).toMatchObject({ code: 'config-unavailable' });
    } finally {
      await unconfigured.close();
    }
  });

  it('unknown paths answer 404 in JSON', async () => {
    const response = await post('/v2/track', track);
    expect(response).toMatchObject({ status: 404, body: { code: 'not-found' } });
  });
});

describe('acknowledgement', () => {
  it('answers 200 only once the transaction holding the event has committed', async () => {
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE gw_jobs IN ACCESS EXCLUSIVE MODE');
      let answered = false;
      const pending = post('/v1/track', { ...track, messageId: 'ack-1' }).then((response) => {
        answered = true;
        return response;
      });
      await new Promise((r) => setTimeout(r, 400));
      expect(answered).toBe(false); // the commit is blocked, so the client still waits
      await blocker.query('COMMIT');
      expect((await pending).status).toBe(200);
      const { rows } = await db.pool.query("SELECT 1 FROM gw_jobs WHERE message_id = 'ack-1'");
      expect(rows).toHaveLength(1);
    } finally {
      await blocker.end();
    }
  });
});

describe('overload', () => {
  it('answers 503 overloaded with Retry-After when the queue is full, and commits the rest', async () => {
    const small = await startGateway({
      databaseUrl: db.url,
      config: testConfig(sources),
      env: { GATEWAY_QUEUE_MAX_BYTES: '2000', GATEWAY_COMMIT_CONCURRENCY: '1' },
    });
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE gw_jobs IN ACCESS EXCLUSIVE MODE');
      const send = () =>
        request(`${small.url}/v1/track`, {
          method: 'POST',
          body: JSON.stringify(track),
          headers: { authorization: basic('key-src_web') },
        });
      const first = send(); // its commit waits on the lock
      await new Promise((r) => setTimeout(r, 200));
      const queued = Array.from({ length: 30 }, send);
      const overflow = await Promise.race(
        queued.map((p) => p.then((r) => (r.statusCode === 503 ? r : never()))),
      );
      expect(overflow.headers['retry-after']).toBe('1');
      expect(await overflow.body.json()).toMatchObject({ code: 'overloaded' });
      await blocker.query('COMMIT');
      const statuses = await Promise.all(
        [first, ...queued].map(async (p) => {
          const r = await p;
          await r.body.dump();
          return r.statusCode;
        }),
      );
      const accepted = statuses.filter((s) => s === 200).length;
      expect(accepted).toBeGreaterThan(1);
      expect(statuses.filter((s) => s !== 200).every((s) => s === 503)).toBe(true);
      expect(await stored()).toHaveLength(accepted);
    } finally {
      await blocker.end();
      await small.close();
    }
  });
});

function never(): Promise<never> {
  return new Promise(() => {});
}

describe('CORS and browser bootstrap', () => {
  it('answers preflights on every path, echoing origin and requested headers', async () => {
    for (const path of [
      '/v1/track',
      '/v1/t',
      '/beacon/v1/batch',
      '/sourceConfig/',
      '/v1/projects/k/settings',
    ]) {
      const response = await request(`${gw.url}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://shop.test',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'anonymousid,authorization,content-type,sentat',
        },
      });
      await response.body.dump();
      expect(response.statusCode, path).toBe(204);
      expect(response.headers).toMatchObject({
        'access-control-allow-origin': 'https://shop.test',
        'access-control-allow-credentials': 'true',
        'access-control-allow-headers': 'anonymousid,authorization,content-type,sentat',
      });
      expect(response.headers['access-control-allow-methods']).toContain('POST');
    }
  });

  it('puts Access-Control-Allow-Origin on POST answers, errors included', async () => {
    const ok = await post('/v1/track', track, {
      authorization: basic('key-src_web'),
      origin: 'https://shop.test',
    });
    expect(ok.headers['access-control-allow-origin']).toBe('https://shop.test');
    const denied = await post('/v1/track', track, { origin: 'https://shop.test' });
    expect(denied.status).toBe(401);
    expect(denied.headers['access-control-allow-origin']).toBe('https://shop.test');
    // So that browser SDKs can read Retry-After on a 429 or 503.
    expect(denied.headers['access-control-expose-headers']).toBe('Retry-After');
  });

  it('serves /sourceConfig and /sourceConfig/ in the shape analytics-js checks', async () => {
    for (const path of ['/sourceConfig', '/sourceConfig/?p=npm&v=3.34.1&writeKey=key-src_web']) {
      const response = await request(`${gw.url}${path}`, {
        headers: { authorization: basic('key-src_web') },
      });
      expect(response.statusCode).toBe(200);
      expect(await response.body.json()).toEqual({
        source: {
          id: 'src_web',
          name: 'Source src_web',
          workspaceId: 'ws_test',
          enabled: true,
          config: {},
          destinations: [],
        },
      });
    }
    const byQuery = await request(`${gw.url}/sourceConfig/?writeKey=key-src_off`);
    expect(await byQuery.body.json()).toMatchObject({ source: { id: 'src_off', enabled: false } });
    const unknown = await request(`${gw.url}/sourceConfig/?writeKey=nope`);
    expect(unknown.statusCode).toBe(401);
    expect(await unknown.body.json()).toMatchObject({ code: 'invalid-write-key' });
  });

  it('serves the Segment CDN settings pointing analytics-next at this gateway', async () => {
    const response = await request(`${gw.url}/v1/projects/key-src_web/settings`, {
      headers: { origin: 'https://shop.test' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe('https://shop.test');
    const host = new URL(gw.url).host;
    expect(await response.body.json()).toEqual({
      integrations: { 'Segment.io': { apiKey: 'key-src_web', apiHost: `${host}/v1`, protocol: 'http' } },
      metrics: { sampleRate: 0 },
    });
    const unknown = await request(`${gw.url}/v1/projects/nope/settings`);
    expect(unknown.statusCode).toBe(401);
    await unknown.body.dump();
  });

  it('behind a trusted TLS proxy, points analytics-next at the public https host', async () => {
    // An https page cannot post to http (mixed content), so the settings must carry the
    // scheme and host the browser sees, which only a trusted proxy's headers tell.
    const trusting = await startGateway({
      databaseUrl: db.url,
      config: testConfig(sources),
      env: { GATEWAY_TRUST_PROXY: '127.0.0.1' },
    });
    try {
      const response = await request(`${trusting.url}/v1/projects/key-src_web/settings`, {
        headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'events.shop.test' },
      });
      expect(await response.body.json()).toMatchObject({
        integrations: { 'Segment.io': { apiHost: 'events.shop.test/v1', protocol: 'https' } },
      });
    } finally {
      await trusting.close();
    }
  });
});

describe('request_ip and metrics', () => {
  it('ignores X-Forwarded-For unless the proxy is trusted', async () => {
    await post('/v1/track', track, { authorization: basic('key-src_web'), 'x-forwarded-for': '203.0.113.7' });
    const trusting = await startGateway({
      databaseUrl: db.url,
      config: testConfig(sources),
      env: { GATEWAY_TRUST_PROXY: '127.0.0.1' },
    });
    try {
      const response = await request(`${trusting.url}/v1/track`, {
        method: 'POST',
        body: JSON.stringify(track),
        headers: { authorization: basic('key-src_web'), 'x-forwarded-for': '203.0.113.7' },
      });
      await response.body.dump();
    } finally {
      await trusting.close();
    }
    expect((await stored()).map((e) => e.request_ip)).toEqual(['127.0.0.1', '203.0.113.7']);
  });

  it('exports requests, events and commits without keys', async () => {
    await post('/v1/batch', { batch: [track, { type: 'track' }] });
    await post('/v1/track', track, { authorization: basic('nope') });
    const response = await request(`${gw.url}/metrics`);
    const text = await response.body.text();
    expect(text).toMatch(/keel_gateway_requests_total\{source="src_web",status="200"\} \d+/);
    expect(text).toMatch(/keel_gateway_requests_total\{source="unknown",status="401"\} \d+/);
    expect(text).toMatch(/keel_gateway_events_rejected_total\{source="src_web",reason="invalid-event"\} \d+/);
    expect(text).toMatch(/keel_gateway_events_accepted_total\{source="src_web"\} \d+/);
    expect(text).toContain('keel_gateway_commit_batch_events_bucket');
    expect(text).toContain('keel_gateway_commit_duration_seconds_bucket');
    expect(text).toContain('keel_gateway_queue_events');
    expect(text).not.toContain('key-src_web');
  });
});
