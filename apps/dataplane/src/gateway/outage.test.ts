import { useTestDatabase } from '@keel/postgres/testing';
import pg from 'pg';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CuttableProxy, proxyDatabase } from './cuttable-proxy';
import { basic, type RunningGateway, startGateway, testConfig, testSource } from './testing';

const db = useTestDatabase('gateway-outage');
let proxy: CuttableProxy;
let gw: RunningGateway;
let gatewayPool: pg.Pool;

beforeAll(async () => {
  let viaProxy: string;
  ({ proxy, url: viaProxy } = await proxyDatabase(db.url));
  gatewayPool = new pg.Pool({ connectionString: viaProxy, max: 10, connectionTimeoutMillis: 2000 });
  gw = await startGateway({
    databaseUrl: viaProxy,
    pool: gatewayPool,
    config: testConfig([testSource({ id: 'src_web' })]),
    env: { GATEWAY_COMMIT_TIMEOUT_MS: '1500', JOBSDB_MAINTENANCE_INTERVAL_MS: '3600000' },
  });
});
afterAll(async () => {
  await gw?.close();
  await gatewayPool?.end();
  await proxy?.cut();
});

let sequence = 0;
async function track(): Promise<{ status: number; retryAfter?: string; code?: string; messageId: string }> {
  const messageId = `outage-${sequence++}`;
  const response = await request(`${gw.url}/v1/track`, {
    method: 'POST',
    body: JSON.stringify({ type: 'track', event: 'E', userId: 'u', messageId }),
    headers: { authorization: basic('key-src_web') },
  });
  const body = (await response.body.json()) as { code?: string };
  const retryAfter = response.headers['retry-after'];
  return {
    status: response.statusCode,
    code: body.code,
    messageId,
    ...(typeof retryAfter === 'string' ? { retryAfter } : {}),
  };
}

describe('database outage', () => {
  it('answers 503 with Retry-After, never 200, while Postgres is unreachable, and recovers by itself', async () => {
    expect((await track()).status).toBe(200);
    // This test is about the gateway: let job-table maintenance finish its start-up round (its
    // interval is an hour here) so the cut hits only the gateway's own connections.
    await gw.app.dataPlane.pipeline?.maintain();

    await proxy.cut();
    const during = [];
    for (let i = 0; i < 20; i++) during.push(await track());
    for (const answer of during) {
      expect(answer).toMatchObject({ status: 503, code: 'database-unavailable', retryAfter: '1' });
    }
    const health = await request(`${gw.url}/health`);
    expect(health.statusCode).toBe(503);
    await health.body.dump();

    await proxy.restore();
    await expect.poll(async () => (await track()).status, { timeout: 15_000, interval: 200 }).toBe(200);
    const after = [];
    for (let i = 0; i < 10; i++) after.push(await track());
    expect(after.map((a) => a.status)).toEqual(Array(10).fill(200));

    // Nothing answered 503 was stored as if accepted… and everything answered 200 was.
    const { rows } = await db.pool.query<{ message_id: string }>('SELECT message_id FROM gw_jobs');
    const stored = new Set(rows.map((r) => r.message_id));
    for (const answer of after) expect(stored.has(answer.messageId)).toBe(true);
    for (const answer of during) expect(stored.has(answer.messageId)).toBe(false);
  });

  it('answers 503 within the commit timeout when the database stops answering, and recovers', async () => {
    await expect.poll(async () => (await track()).status, { timeout: 15_000, interval: 200 }).toBe(200);
    proxy.freeze();
    const started = Date.now();
    const first = await track();
    expect(first).toMatchObject({ status: 503, code: 'database-unavailable', retryAfter: '1' });
    // The commit timeout is 1.5 s here; a hung database must not hang the clients with it.
    expect(Date.now() - started).toBeLessThan(4000);
    const next = await track();
    expect(next.status).toBe(503);

    proxy.thaw();
    await expect.poll(async () => (await track()).status, { timeout: 15_000, interval: 200 }).toBe(200);
  });
});
