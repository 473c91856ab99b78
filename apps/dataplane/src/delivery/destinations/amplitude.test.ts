import { describe, expect, it } from 'vitest';
import { pipelineConfig, waitFor } from '../testing';
import { useVendorHarness } from './harness';
import { type VendorReply, type VendorRequest, VendorServer, vendorDestination } from './vendor-server';

const { db, count, startVendor, startPipeline, store, waitForFailedEvents } =
  useVendorHarness('dest_amplitude');

const API_KEY = 'amp-test-key-0123456789';

interface AmplitudeEvent {
  event_type?: string;
  user_id?: string;
  device_id?: string;
  insert_id?: string;
  time?: number;
  [key: string]: unknown;
}

/**
 * Amplitude's documented ingestion APIs: HTTP V2 (`POST /2/httpapi`, JSON with api_key and
 * events), Group Identify and User Mapping (form posts with api_key). Errors are answered
 * with the documented status and `{"code", "error", ...}` body.
 */
class FakeAmplitude {
  readonly events: AmplitudeEvent[] = [];
  readonly identifications: unknown[] = [];
  readonly mappings: unknown[] = [];
  /** Runs before a valid /2/httpapi request is ingested; a reply overrides the 200. */
  intercept: (events: AmplitudeEvent[]) => VendorReply | undefined = () => undefined;
  readonly server = new VendorServer((req) => this.answer(req));

  private answer(req: VendorRequest): VendorReply {
    if (req.method !== 'POST') return { status: 404, json: { code: 404, error: 'Not found' } };
    if (req.path === '/2/httpapi') return this.httpApi(req);
    if (req.path === '/groupidentify' || req.path === '/usermap') return this.formApi(req);
    return { status: 404, json: { code: 404, error: 'Not found' } };
  }

  private httpApi(req: VendorRequest): VendorReply {
    if (!String(req.headers['content-type']).startsWith('application/json')) {
      return { status: 400, json: { code: 400, error: 'Invalid request: expected a JSON body' } };
    }
    let body: { api_key?: unknown; events?: unknown; options?: { min_id_length?: number } };
    try {
      body = JSON.parse(req.body);
    } catch {
      return { status: 400, json: { code: 400, error: 'Invalid JSON request body' } };
    }
    if (!body.api_key) return missing('api_key');
    if (body.api_key !== API_KEY) return { status: 400, json: { code: 400, error: 'Invalid API key' } };
    if (!Array.isArray(body.events)) return missing('events');
    const events = body.events as AmplitudeEvent[];
    if (events.length > 2000) return { status: 413, json: { code: 413, error: 'Payload too large' } };
    const minIdLength = body.options?.min_id_length ?? 5;
    const invalid: Record<string, number[]> = {};
    const flag = (name: string, index: number) => {
      invalid[name] = [...(invalid[name] ?? []), index];
    };
    events.forEach((e, i) => {
      const ids = [e.user_id, e.device_id].filter((id) => typeof id === 'string' && id.length >= minIdLength);
      if (typeof e.event_type !== 'string') flag('event_type', i);
      if (ids.length === 0) flag('user_id', i);
      if (typeof e.time !== 'number') flag('time', i);
    });
    if (Object.keys(invalid).length > 0) {
      return {
        status: 400,
        json: { code: 400, error: 'Request missing required field', events_with_missing_fields: invalid },
      };
    }
    const override = this.intercept(events);
    if (override) return override;
    this.events.push(...events);
    return {
      status: 200,
      json: {
        code: 200,
        events_ingested: events.length,
        payload_size_bytes: req.body.length,
        server_upload_time: Date.now(),
      },
    };
  }

  private formApi(req: VendorRequest): VendorReply {
    if (req.headers['content-type'] !== 'application/x-www-form-urlencoded') {
      return { status: 400, json: { code: 400, error: 'Expected a form post' } };
    }
    const form = new URLSearchParams(req.body);
    if (form.get('api_key') !== API_KEY)
      return { status: 400, json: { code: 400, error: 'Invalid API key' } };
    const field = req.path === '/usermap' ? 'mapping' : 'identification';
    const value = form.get(field);
    if (!value) return missing(field);
    const items = JSON.parse(value) as unknown[];
    (field === 'mapping' ? this.mappings : this.identifications).push(...items);
    return { status: 200, text: 'success' };
  }
}

function missing(name: string): VendorReply {
  return { status: 400, json: { code: 400, error: 'Request missing required field', missing_field: name } };
}

function fakeAmplitude(): Promise<FakeAmplitude> {
  return startVendor(new FakeAmplitude());
}

function pipeline(fake: FakeAmplitude, config: Record<string, unknown> = {}) {
  return startPipeline(
    pipelineConfig([
      vendorDestination('dst_amp', 'amplitude', {
        apiKey: API_KEY,
        apiHost: fake.server.url,
        maxBatchWaitMs: 20,
        ...config,
      }),
    ]),
  );
}

describe('amplitude through the router', () => {
  it('delivers every message type in batches, each user in order, with insert_id for dedup', async () => {
    const fake = await fakeAmplitude();
    await pipeline(fake);
    const users = ['user-alpha', 'user-bravo', 'user-charlie'];
    const events = users.flatMap((userId) => [
      { type: 'identify', userId, anonymousId: `anon-${userId}`, traits: { email: `${userId}@example.com` } },
      ...Array.from({ length: 30 }, (_, seq) => ({
        type: 'track',
        event: 'Step',
        userId,
        properties: { seq },
      })),
      { type: 'page', userId, name: 'Pricing', properties: { path: '/pricing' } },
      { type: 'screen', userId, name: 'Cart' },
      { type: 'group', userId, groupId: `org-${userId}`, traits: { seats: 3 } },
      { type: 'alias', userId, previousId: `old-${userId}` },
    ]);
    const jobs = await store(events, 'm');
    await waitFor(
      () =>
        fake.events.length === users.length * 34 &&
        fake.mappings.length === 3 &&
        fake.identifications.length === 3,
      20_000,
      'all Amplitude deliveries',
    );
    const httpRequests = fake.server.requests.filter((r) => r.path === '/2/httpapi');
    expect(httpRequests.length).toBeLessThan(fake.events.length / 3);
    expect(new Set(fake.events.map((e) => e.insert_id)).size).toBe(fake.events.length);
    for (const userId of users) {
      const steps = fake.events
        .filter((e) => e.user_id === userId && e.event_type === 'Step')
        .map((e) => (e.event_properties as { seq: number }).seq);
      expect(steps).toEqual(Array.from({ length: 30 }, (_, i) => i));
      const kinds = fake.events.filter((e) => e.user_id === userId).map((e) => e.event_type);
      expect(kinds[0]).toBe('$identify');
      expect(kinds.slice(-3)).toEqual(['Viewed Pricing Page', 'Viewed Cart Screen', '$identify']);
    }
    expect(fake.mappings).toContainEqual({ user_id: 'old-user-alpha', global_user_id: 'user-alpha' });
    expect(fake.identifications).toContainEqual({
      group_type: 'company',
      group_value: 'org-user-alpha',
      group_properties: { $set: { seats: 3 } },
    });
    await waitFor(
      async () =>
        (await count(
          `SELECT sum(coalesce(cardinality(job_ids), 1)) AS count FROM rt_status WHERE status = 'delivered'`,
        )) ===
        jobs.length + 3,
      5_000,
      'delivered statuses',
    );
  });

  it('aborts a 400 into the failed-events store with Amplitude’s error; the user’s later events go on', async () => {
    const fake = await fakeAmplitude();
    // One event per request, so that the 400 names exactly one event.
    await pipeline(fake, { maxBatchSize: 1 });
    const events = [
      { type: 'track', event: 'Before', userId: 'user-delta' },
      // Amplitude rejects ids shorter than 5 characters.
      { type: 'track', event: 'Short id', userId: 'abc' },
      { type: 'track', event: 'After', userId: 'user-delta' },
    ];
    await store(events, 'bad');
    await waitFor(() => fake.events.length === 2, 10_000, 'the valid events');
    await waitForFailedEvents(1, 5_000);
    const { rows } = await db.pool.query(
      'SELECT message_id, error_code, attempts, payload, request::text AS request, attempt_log::text AS attempt_log, response FROM failed_events',
    );
    expect(rows[0].message_id).toBe('bad-1');
    expect(rows[0].error_code).toBe('400');
    expect(rows[0].attempts).toBe(1);
    // The stored job, which a replay sends again, holds the event but not the API key.
    expect(JSON.parse(rows[0].payload).body).toMatchObject({ event_type: 'Short id', insert_id: 'bad-1' });
    expect(rows[0].payload).not.toContain(API_KEY);
    // Nor does the request it shows for inspection, whose body carried the key.
    expect(JSON.parse(rows[0].request).body.api_key).toBe('********');
    expect(`${rows[0].request}${rows[0].attempt_log}`).not.toContain(API_KEY);
    expect(JSON.parse(rows[0].response.body)).toEqual({
      code: 400,
      error: 'Request missing required field',
      events_with_missing_fields: { user_id: [0] },
    });
    expect(fake.events.map((e) => e.event_type)).toEqual(['Before', 'After']);
  });

  it('retries a 429 throttle and then delivers, in order', async () => {
    const fake = await fakeAmplitude();
    let throttled = 0;
    fake.intercept = (events) => {
      if (throttled >= 2) return undefined;
      throttled += 1;
      return {
        status: 429,
        json: {
          code: 429,
          error: 'Too many requests for some devices and users',
          eps_threshold: 30,
          throttled_users: { [String(events[0]?.user_id)]: 31 },
        },
      };
    };
    await pipeline(fake);
    const events = Array.from({ length: 20 }, (_, seq) => ({
      type: 'track',
      event: 'Step',
      userId: 'user-echo',
      properties: { seq },
    }));
    await store(events, 't');
    await waitFor(() => fake.events.length === 20, 15_000, 'delivery after the throttle');
    expect(fake.events.map((e) => (e.event_properties as { seq: number }).seq)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
    expect(
      await count(`SELECT count(*) FROM rt_status WHERE status = 'retrying' AND error_code = '429'`),
    ).toBeGreaterThanOrEqual(2);
    expect(await count('SELECT count(*) FROM failed_events')).toBe(0);
  });
});
