import { describe, expect, it } from 'vitest';
import { replayFailedEvents } from '../failed-events';
import { pipelineConfig, waitFor } from '../testing';
import { useVendorHarness } from './harness';
import { type VendorReply, type VendorRequest, VendorServer, vendorDestination } from './vendor-server';

const { db, count, startVendor, startPipeline, store, waitForFailedEvents } =
  useVendorHarness('dest_posthog');

const API_KEY = 'phc_TestProjectKey123';

interface PostHogEvent {
  event?: string;
  distinct_id?: string;
  properties?: Record<string, unknown>;
  timestamp?: string;
  uuid?: string;
}

/**
 * PostHog's documented capture API as a self-hosted instance serves it: `POST /batch/` with
 * a JSON body of `api_key` and `batch`, every event with `event` and `distinct_id`; errors
 * are `{"type", "code", "detail", "attr"}`.
 */
class FakePostHog {
  readonly events: PostHogEvent[] = [];
  intercept: () => VendorReply | undefined = () => undefined;
  readonly server = new VendorServer((req) => this.answer(req));

  private answer(req: VendorRequest): VendorReply {
    if (req.method !== 'POST' || req.path !== '/batch/') return { status: 404, text: 'Not Found' };
    const override = this.intercept();
    if (override) return override;
    let body: { api_key?: unknown; batch?: unknown };
    try {
      body = JSON.parse(req.body);
    } catch {
      return invalid('Malformed request data: invalid JSON');
    }
    if (body.api_key !== API_KEY) {
      return {
        status: 401,
        json: {
          type: 'authentication_error',
          code: 'invalid_api_key',
          detail: 'Project API key invalid. You can find your project API key in PostHog project settings.',
          attr: null,
        },
      };
    }
    if (!Array.isArray(body.batch) || body.batch.length === 0)
      return invalid('No data found. Make sure to use a POST request.');
    const batch = body.batch as PostHogEvent[];
    for (const e of batch) {
      if (typeof e.event !== 'string')
        return invalid('Invalid payload: All events must have the event name field "event"!');
      if (typeof e.distinct_id !== 'string')
        return invalid('Invalid payload: All events must have the event field "distinct_id"!');
      if (e.timestamp !== undefined && Number.isNaN(Date.parse(e.timestamp)))
        return invalid('Invalid timestamp');
    }
    this.events.push(...batch);
    return { status: 200, json: { status: 1 } };
  }
}

function invalid(detail: string): VendorReply {
  return { status: 400, json: { type: 'validation_error', code: 'invalid_payload', detail, attr: null } };
}

function fakePostHog(): Promise<FakePostHog> {
  return startVendor(new FakePostHog());
}

function posthogConfig(fake: FakePostHog, config: Record<string, unknown> = {}) {
  return pipelineConfig([
    vendorDestination('dst_ph', 'posthog', {
      apiKey: API_KEY,
      host: fake.server.url,
      maxBatchWaitMs: 20,
      ...config,
    }),
  ]);
}

function pipeline(fake: FakePostHog, config: Record<string, unknown> = {}) {
  return startPipeline(posthogConfig(fake, config), {
    ROUTER_BREAKER_FAILURES: '5',
    ROUTER_BREAKER_COOLDOWN_MS: '100',
  });
}

describe('posthog through the router', () => {
  it('captures every message type in /batch/ requests, each user in order', async () => {
    const fake = await fakePostHog();
    await pipeline(fake);
    const users = ['user-p', 'user-q'];
    const events = users.flatMap((userId) => [
      { type: 'identify', userId, anonymousId: `anon-${userId}`, traits: { email: `${userId}@example.com` } },
      ...Array.from({ length: 20 }, (_, seq) => ({
        type: 'track',
        event: 'Step',
        userId,
        properties: { seq },
      })),
      { type: 'page', userId, name: 'Docs', properties: { url: 'https://example.com/docs' } },
      { type: 'screen', userId, name: 'Home' },
      { type: 'group', userId, groupId: `org-${userId}`, traits: { name: 'Org' } },
      { type: 'alias', userId, previousId: `old-${userId}` },
    ]);
    await store(events, 'p');
    await waitFor(() => fake.events.length === events.length, 20_000, 'all PostHog deliveries');
    expect(fake.server.requests.length).toBeLessThan(events.length / 3);
    for (const userId of users) {
      const mine = fake.events.filter((e) => e.distinct_id === userId);
      expect(mine.map((e) => e.event)).toEqual([
        '$identify',
        ...Array.from({ length: 20 }, () => 'Step'),
        '$pageview',
        '$screen',
        '$groupidentify',
        '$create_alias',
      ]);
      expect(mine.filter((e) => e.event === 'Step').map((e) => e.properties?.seq)).toEqual(
        Array.from({ length: 20 }, (_, i) => i),
      );
      expect(mine[0]?.properties).toMatchObject({
        $set: { email: `${userId}@example.com` },
        $anon_distinct_id: `anon-${userId}`,
      });
    }
  });

  it('aborts on an invalid project key (401) without retrying; a replay after fixing the key delivers', async () => {
    const fake = await fakePostHog();
    const dp = await pipeline(fake, { apiKey: 'phc_WrongKey', maxBatchSize: 1 });
    const events = Array.from({ length: 3 }, (_, i) => ({ type: 'track', event: 'E', userId: `user-${i}` }));
    await store(events, 'k');
    await waitForFailedEvents(3, 10_000);
    const { rows } = await db.pool.query('SELECT error_code, attempts, response FROM failed_events');
    for (const row of rows) {
      expect(row.error_code).toBe('401');
      expect(row.attempts).toBe(1);
      expect(JSON.parse(row.response.body).code).toBe('invalid_api_key');
    }
    expect(fake.server.requests).toHaveLength(3);
    expect(fake.events).toEqual([]);
    // The key is added at send time, so replayed jobs go out with the corrected one.
    dp.config.set(posthogConfig(fake, { maxBatchSize: 1 }));
    const client = await db.pool.connect();
    try {
      const command = {
        id: 'cmd_replay_401',
        workspaceId: 'ws_test',
        destinationId: 'dst_ph',
        fromTime: null,
        toTime: null,
        errorCode: '401',
        failedEventIds: [],
      };
      expect(await replayFailedEvents(client, command, dp.app.dataPlane.env.ROUTER_SHARDS)).toBe(3);
    } finally {
      client.release();
    }
    dp.app.dataPlane.pipeline?.router?.wake();
    await waitFor(() => fake.events.length === 3, 10_000, 'the replayed events');
    expect(fake.events.map((e) => e.distinct_id).sort()).toEqual(['user-0', 'user-1', 'user-2']);
  });

  it('retries through a 503 outage of a self-hosted instance and then delivers everything in order', async () => {
    const fake = await fakePostHog();
    let down = true;
    fake.intercept = () => (down ? { status: 503, text: 'Service Unavailable' } : undefined);
    await pipeline(fake);
    const events = Array.from({ length: 40 }, (_, i) => ({
      type: 'track',
      event: 'Step',
      userId: `user-${i % 4}`,
      properties: { seq: Math.floor(i / 4) },
    }));
    await store(events, 'o');
    await waitFor(() => fake.server.requests.length >= 3, 10_000, 'failing attempts');
    down = false;
    await waitFor(() => fake.events.length === 40, 20_000, 'delivery after recovery');
    for (let u = 0; u < 4; u++) {
      const seqs = fake.events.filter((e) => e.distinct_id === `user-${u}`).map((e) => e.properties?.seq);
      expect(seqs).toEqual(Array.from({ length: 10 }, (_, i) => i));
    }
    expect(
      await count(`SELECT count(*) FROM rt_status WHERE status = 'retrying' AND error_code = '503'`),
    ).toBeGreaterThan(0);
    expect(await count('SELECT count(*) FROM failed_events')).toBe(0);
  });
});
