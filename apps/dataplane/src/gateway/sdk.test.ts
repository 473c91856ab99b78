import { useTestDatabase } from '@keel/postgres/testing';
import Rudder from '@rudderstack/rudder-sdk-node';
import { Analytics as Segment } from '@segment/analytics-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway, testConfig, testSource } from './testing';

// The real server SDKs, unmodified, pointed at a real gateway on a real port.
const db = useTestDatabase('gateway-sdks');
let gw: RunningGateway;

beforeAll(async () => {
  gw = await startGateway({
    databaseUrl: db.url,
    config: testConfig([
      testSource({ id: 'src_rudder', type: 'server' }),
      testSource({ id: 'src_segment', type: 'server' }),
    ]),
  });
});
afterAll(async () => {
  await gw?.close();
});

async function storedFor(sourceId: string): Promise<Array<Record<string, unknown>>> {
  const { rows } = await db.pool.query('SELECT payload FROM gw_jobs WHERE source_id = $1 ORDER BY job_id', [
    sourceId,
  ]);
  return rows.map((row) => JSON.parse(row.payload));
}

describe('real SDKs deliver into the gateway', () => {
  it('@rudderstack/rudder-sdk-node (gzip, x-www-form-urlencoded, /v1/batch)', async () => {
    const errors: unknown[] = [];
    const client = new Rudder('key-src_rudder', {
      dataPlaneUrl: gw.url,
      flushAt: 4,
      flushInterval: 100,
      logLevel: 'error',
      errorHandler: (error: unknown) => errors.push(error),
    });
    const delivered: Promise<void>[] = [];
    const send = (call: (done: () => void) => void) =>
      delivered.push(new Promise<void>((resolve) => call(resolve)));
    send((done) => client.identify({ userId: 'r-1', traits: { email: 'r@example.test' } }, done));
    for (let i = 0; i < 10; i++) {
      send((done) => client.track({ userId: 'r-1', event: 'Clicked', properties: { i } }, done));
    }
    send((done) => client.page({ anonymousId: 'anon-r', name: 'Pricing' }, done));
    send((done) => client.group({ userId: 'r-1', groupId: 'team-1' }, done));
    send((done) => client.alias({ userId: 'r-2', previousId: 'r-1' }, done));
    for (let i = 0; i < 10; i++) await new Promise<void>((resolve) => client.flush(() => resolve()));
    await Promise.all(delivered);
    expect(errors).toEqual([]);
    const events = await storedFor('src_rudder');
    expect(events).toHaveLength(14);
    // Explicit flush() calls race the SDK's own, so arrival order is not defined; contents are.
    const indexes = events.filter((e) => e.type === 'track').map((e) => (e.properties as { i: number }).i);
    expect(indexes.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const identify = events.find((e) => e.type === 'identify');
    expect(identify).toMatchObject({
      userId: 'r-1',
      traits: { email: 'r@example.test' },
      context: { library: { name: 'analytics-node' }, traits: { email: 'r@example.test' } },
      channel: 'server',
    });
    expect(identify?.messageId).toMatch(/^[0-9a-f-]{36}$/);
    for (const event of events) {
      expect(event.receivedAt).toEqual(expect.any(String));
      expect(event.timestamp).toEqual(expect.any(String));
    }
  });

  it('@segment/analytics-node (plain JSON, writeKey in the body, node-next messageIds)', async () => {
    const client = new Segment({ writeKey: 'key-src_segment', host: gw.url, flushAt: 5, flushInterval: 100 });
    const failures: unknown[] = [];
    client.on('error', (error) => failures.push(error));
    client.identify({ userId: 's-1', traits: { plan: 'team' } });
    for (let i = 0; i < 7; i++) client.track({ userId: 's-1', event: 'Viewed', properties: { i } });
    client.screen({ userId: 's-1', name: 'Home' });
    client.group({ userId: 's-1', groupId: 'g-9' });
    client.alias({ userId: 's-2', previousId: 's-1' });
    client.page({ anonymousId: 'anon-s', name: 'Docs' });
    await client.closeAndFlush({ timeout: 20_000 });
    expect(failures).toEqual([]);
    const events = await storedFor('src_segment');
    expect(events).toHaveLength(12);
    expect(new Set(events.map((e) => e.type))).toEqual(
      new Set(['identify', 'track', 'screen', 'group', 'alias', 'page']),
    );
    const identify = events.find((e) => e.type === 'identify');
    expect(identify).toMatchObject({
      userId: 's-1',
      traits: { plan: 'team' },
      context: { library: { name: '@segment/analytics-node' } },
    });
    expect(identify?.messageId).toMatch(/^node-next-\d+-/);
    for (const event of events) expect(event).not.toHaveProperty('writeKey');
  });

  it('an SDK with an unknown write key gets 401 and nothing is stored', async () => {
    const errors: Array<{ response?: { status?: number }; message?: string }> = [];
    const client = new Rudder('revoked-key', {
      dataPlaneUrl: gw.url,
      flushAt: 1,
      flushInterval: 50,
      logLevel: 'error',
      retryCount: 0,
      errorHandler: (error: { response?: { status?: number } }) => errors.push(error),
    });
    client.track({ userId: 'x', event: 'Lost' });
    await new Promise<void>((resolve) => client.flush(() => resolve()));
    await expect.poll(() => errors.length, { timeout: 5000 }).toBeGreaterThan(0);
    expect(String(errors[0]?.message ?? errors[0])).toContain('401');
    const { rows } = await db.pool.query(
      "SELECT count(*)::int AS n FROM gw_jobs WHERE payload LIKE '%Lost%'",
    );
    expect(rows[0].n).toBe(0);
  });
});
