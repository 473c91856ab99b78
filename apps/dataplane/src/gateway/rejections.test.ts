import { useTestDatabase } from '@keel/postgres/testing';
import pg from 'pg';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GatewayRejections } from './rejections';
import { basic, type RunningGateway, startGateway, testConfig, testSource } from './testing';

const db = useTestDatabase('gateway-rejections');
let gw: RunningGateway;

const sources = [
  testSource({ id: 'src_web' }),
  testSource({ id: 'src_slow', rateLimitPerSecond: 5 }),
  testSource({ id: 'src_off', enabled: false }),
];

beforeAll(async () => {
  gw = await startGateway({
    databaseUrl: db.url,
    config: testConfig(sources),
    env: { GATEWAY_MAX_REQUEST_BYTES: String(64 * 1024), GATEWAY_MAX_EVENT_BYTES: String(2 * 1024) },
  });
});
afterAll(async () => {
  await gw?.close();
});
beforeEach(async () => {
  await db.pool.query('TRUNCATE gw_jobs, rpt_deltas');
});

async function post(path: string, body: unknown, writeKey?: string) {
  const response = await request(`${gw.url}${path}`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: writeKey ? { authorization: basic(writeKey) } : {},
  });
  const text = await response.body.text();
  return { status: response.statusCode, body: text ? JSON.parse(text) : undefined };
}

type Row = { source_id: string; error_code: string; n: number };

async function rejected(): Promise<Row[]> {
  const { rows } = await db.pool.query<Row>(
    `SELECT source_id, error_code, sum(count)::int AS n FROM rpt_deltas
      WHERE status = 'rejected' AND destination_id = '' AND workspace_id = 'ws_test'
      GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  return rows;
}

const valid = (n: number) => ({ type: 'track', event: 'Signed Up', userId: `u${n}`, messageId: `ok-${n}` });

describe('gateway rejections in rpt_deltas', () => {
  it('counts every rejected event per source and reason, within about a second, with samples', async () => {
    const batch = await post(
      '/v1/batch',
      {
        batch: [
          valid(1),
          { type: 'track', userId: 'u2', messageId: 'bad-no-event' },
          valid(3),
          {
            type: 'track',
            event: 'Big',
            userId: 'u4',
            messageId: 'bad-big',
            properties: { x: 'y'.repeat(4096) },
          },
          { type: 'nonsense', messageId: 'bad-type' },
        ],
      },
      'key-src_web',
    );
    expect(batch.status).toBe(200);
    expect(batch.body).toMatchObject({ ok: true, accepted: 2 });
    expect(batch.body.rejected.map((r: { index: number }) => r.index)).toEqual([1, 3, 4]);

    // Five events fill src_slow's second; the next three are refused as a whole.
    expect((await post('/v1/batch', { batch: [1, 2, 3, 4, 5].map(valid) }, 'key-src_slow')).status).toBe(200);
    const limited = await post('/v1/batch', { batch: [6, 7, 8].map(valid) }, 'key-src_slow');
    expect(limited).toMatchObject({ status: 429, body: { code: 'rate-limited' } });

    // Refused whole with the source known from the key: bad JSON, and a body over the limit.
    expect((await post('/v1/track', '{"type": "track",', 'key-src_web')).status).toBe(400);
    expect((await post('/v1/batch', { batch: [{ big: 'z'.repeat(70 * 1024) }] }, 'key-src_web')).status).toBe(
      413,
    );
    // No source to count against: Prometheus only.
    expect((await post('/v1/track', valid(9), 'key-unknown')).status).toBe(401);
    expect((await post('/v1/track', valid(9))).status).toBe(401);
    expect((await post('/v1/track', valid(9), 'key-src_off')).status).toBe(404);

    const expected: Row[] = [
      { source_id: 'src_slow', error_code: 'rate-limited', n: 3 },
      { source_id: 'src_web', error_code: 'event-too-large', n: 1 },
      { source_id: 'src_web', error_code: 'invalid-event', n: 2 },
      { source_id: 'src_web', error_code: 'invalid-json', n: 1 },
      { source_id: 'src_web', error_code: 'request-too-large', n: 1 },
    ];
    await expect.poll(rejected, { timeout: 5_000, interval: 200 }).toEqual(expected);

    const { rows: samples } = await db.pool.query<{ error_code: string; samples: unknown[] }>(
      `SELECT error_code, samples FROM rpt_deltas WHERE status = 'rejected' AND error_code = 'invalid-event'`,
    );
    const all = samples.flatMap((r) => r.samples);
    expect(all).toHaveLength(2);
    expect(all).toContainEqual({
      messageId: 'bad-no-event',
      request: { index: 1 },
      response: { code: 'invalid-event', reason: expect.any(String) },
    });
    // The accepted events were stored; nothing else was.
    expect((await db.pool.query('SELECT count(*)::int AS n FROM gw_jobs')).rows[0].n).toBe(7);
    // The pusher's reads carry the status through unchanged (the control plane validates it).
    const { aggregateReports } = await import('../reports/pusher');
    const pushed = await aggregateReports(db.pool, 0);
    expect(
      pushed.rows
        .filter((r) => r.status === 'rejected')
        .map((r) => r.count)
        .sort(),
    ).toEqual([1, 1, 1, 2, 3]);
  });

  it('writes the last counts when the app closes', async () => {
    const own = await startGateway({ databaseUrl: db.url, config: testConfig(sources) });
    const res = await request(`${own.url}/v1/track`, {
      method: 'POST',
      body: JSON.stringify({ type: 'track', userId: 'u1' }),
      headers: { authorization: basic('key-src_web') },
    });
    expect(res.statusCode).toBe(400);
    await res.body.text();
    await own.close();
    // The shared gateway's own timer may not have run yet; only the closed one's row counts.
    expect(await rejected()).toEqual([{ source_id: 'src_web', error_code: 'invalid-event', n: 1 }]);
  });

  it('keeps the counts when a write fails and writes them with the next round', async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    const warnings: string[] = [];
    const counter = new GatewayRejections({
      pool,
      log: { warn: (_o, message) => warnings.push(message), info: () => {} },
    });
    const source = { id: 'src_web', workspaceId: 'ws_test' };
    counter.event(source, { index: 0, code: 'invalid-event', reason: 'no type' }, { messageId: 'm1' });
    await db.pool.query('ALTER TABLE rpt_deltas RENAME TO rpt_deltas_away');
    try {
      await counter.flush();
      expect(warnings).toHaveLength(1);
      counter.request(source, 'rate-limited', 10, 'slow down');
      await counter.flush();
      // One warning per outage, not one per second.
      expect(warnings).toHaveLength(1);
      expect(counter.pending).toBe(11);
    } finally {
      await db.pool.query('ALTER TABLE rpt_deltas_away RENAME TO rpt_deltas');
    }
    await counter.close();
    await pool.end();
    expect(counter.pending).toBe(0);
    expect(await rejected()).toEqual([
      { source_id: 'src_web', error_code: 'invalid-event', n: 1 },
      { source_id: 'src_web', error_code: 'rate-limited', n: 10 },
    ]);
  });
});
