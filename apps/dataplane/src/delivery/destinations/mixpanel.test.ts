import { describe, expect, it } from 'vitest';
import { pipelineConfig, waitFor } from '../testing';
import { useVendorHarness } from './harness';
import { type VendorReply, type VendorRequest, VendorServer, vendorDestination } from './vendor-server';

const { db, count, startVendor, startPipeline, store, waitForFailedEvents } =
  useVendorHarness('dest_mixpanel');

const TOKEN = 'mp-project-token';
const SA_USER = 'keel-export.1a2b3c.mp-service-account';
const SA_SECRET = 'mp-sa-secret-value';
const PROJECT_ID = '424242';
const PLACEHOLDER_IDS = ['anon', 'anonymous', 'nil', 'none', 'null', 'n/a', 'undefined'];

interface MixpanelRecord {
  event?: string;
  properties?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * Mixpanel's documented ingestion API: `/import` (service account Basic auth with project_id,
 * `strict=1`, a JSON array of events each with time, distinct_id and $insert_id; a 400 lists
 * failed_records while the valid ones are imported) and `/engage`, `/groups` (token in each
 * record; with strict=1 an invalid record is a 400).
 */
class FakeMixpanel {
  readonly imported: MixpanelRecord[] = [];
  readonly profiles: MixpanelRecord[] = [];
  readonly groups: MixpanelRecord[] = [];
  intercept: (records: MixpanelRecord[]) => VendorReply | undefined = () => undefined;
  readonly server = new VendorServer((req) => this.answer(req));

  private answer(req: VendorRequest): VendorReply {
    if (req.method !== 'POST') return { status: 405, json: { error: 'method not allowed', status: 0 } };
    if (req.headers['content-type'] !== 'application/json') {
      return { status: 415, json: { error: 'expected application/json', status: 0 } };
    }
    let records: MixpanelRecord[];
    try {
      records = JSON.parse(req.body);
    } catch {
      return { status: 400, json: { code: 400, error: 'unable to parse JSON body', status: 'Bad Request' } };
    }
    if (!Array.isArray(records) || records.length > 2000) {
      return { status: 400, json: { code: 400, error: 'expected a JSON array of at most 2000 records' } };
    }
    const override = this.intercept(records);
    if (override) return override;
    if (req.path === '/import') return this.import(req, records);
    if (req.path === '/engage' || req.path === '/groups') return this.profile(req, records);
    return { status: 404, json: { error: 'not found', status: 0 } };
  }

  private import(req: VendorRequest, records: MixpanelRecord[]): VendorReply {
    const expected = `Basic ${Buffer.from(`${SA_USER}:${SA_SECRET}`).toString('base64')}`;
    if (req.headers.authorization !== expected || req.query.get('project_id') !== PROJECT_ID) {
      return { status: 401, json: { code: 401, error: 'Invalid credentials', status: 'Unauthorized' } };
    }
    if (req.query.get('strict') !== '1') throw new Error('Keel should always import with strict=1');
    const failed: { index: number; insert_id: unknown; field: string; message: string }[] = [];
    records.forEach((record, index) => {
      const p = record.properties ?? {};
      const fail = (field: string, message: string) =>
        failed.push({ index, insert_id: p.$insert_id, field, message });
      if (typeof record.event !== 'string') fail('event', "'event' must be a string");
      else if (typeof p.time !== 'number') fail('properties.time', "'properties.time' is invalid");
      else if (typeof p.distinct_id !== 'string' || PLACEHOLDER_IDS.includes(p.distinct_id.toLowerCase()))
        fail('properties.distinct_id', "'properties.distinct_id' is invalid: a placeholder value");
      else if (typeof p.$insert_id !== 'string' || !/^[A-Za-z0-9-]{1,36}$/.test(p.$insert_id))
        fail('properties.$insert_id', "'properties.$insert_id' is invalid");
      else this.imported.push(record);
    });
    if (failed.length > 0) {
      return {
        status: 400,
        json: {
          code: 400,
          error: 'some data points in the request failed validation',
          status: 'Bad Request',
          num_records_imported: records.length - failed.length,
          failed_records: failed,
        },
      };
    }
    return { status: 200, json: { code: 200, num_records_imported: records.length, status: 'OK' } };
  }

  private profile(req: VendorRequest, records: MixpanelRecord[]): VendorReply {
    const isGroup = req.path === '/groups';
    for (const record of records) {
      if (record.$token !== TOKEN) return { status: 400, json: { error: 'Invalid token', status: 0 } };
      const id = isGroup ? record.$group_key && record.$group_id : record.$distinct_id;
      if (!id) return { status: 400, json: { error: 'missing $distinct_id', status: 0 } };
    }
    (isGroup ? this.groups : this.profiles).push(...records);
    return { status: 200, json: { error: null, status: 1 } };
  }
}

function fakeMixpanel(): Promise<FakeMixpanel> {
  return startVendor(new FakeMixpanel());
}

function pipeline(fake: FakeMixpanel, config: Record<string, unknown> = {}) {
  return startPipeline(
    pipelineConfig([
      vendorDestination('dst_mp', 'mixpanel', {
        projectToken: TOKEN,
        serviceAccountUsername: SA_USER,
        serviceAccountSecret: SA_SECRET,
        projectId: PROJECT_ID,
        apiHost: fake.server.url,
        maxBatchWaitMs: 20,
        ...config,
      }),
    ]),
  );
}

describe('mixpanel through the router', () => {
  it('imports events in batches and in order per user, updates profiles and groups, merges aliases', async () => {
    const fake = await fakeMixpanel();
    await pipeline(fake);
    const users = ['user-a', 'user-b'];
    const events = users.flatMap((userId) => [
      { type: 'identify', userId, anonymousId: `anon-${userId}`, traits: { email: `${userId}@example.com` } },
      ...Array.from({ length: 25 }, (_, seq) => ({
        type: 'track',
        event: 'Step',
        userId,
        properties: { seq },
      })),
      { type: 'page', userId, name: 'Home' },
      { type: 'group', userId, groupId: `org-${userId}`, traits: { plan: 'team' } },
      { type: 'alias', userId, previousId: `old-${userId}` },
    ]);
    await store(events, 'm');
    // Per user: $identify, 25 steps, a page and a $merge are imported; two profile updates; one group.
    await waitFor(
      () => fake.imported.length === 2 * 28 && fake.profiles.length === 4 && fake.groups.length === 2,
      20_000,
      'all Mixpanel deliveries',
    );
    const imports = fake.server.requests.filter((r) => r.path === '/import');
    expect(imports.length).toBeLessThan(fake.imported.length / 3);
    for (const userId of users) {
      const names = fake.imported.filter((r) => r.properties?.distinct_id === userId).map((r) => r.event);
      expect(names[0]).toBe('$identify');
      expect(names.slice(-2)).toEqual(['Loaded a Page', '$merge']);
      const seqs = fake.imported
        .filter((r) => r.properties?.distinct_id === userId && r.event === 'Step')
        .map((r) => r.properties?.seq);
      expect(seqs).toEqual(Array.from({ length: 25 }, (_, i) => i));
    }
    expect(fake.profiles).toContainEqual({
      $token: TOKEN,
      $distinct_id: 'user-a',
      $set: { $email: 'user-a@example.com' },
    });
    expect(fake.profiles).toContainEqual({
      $token: TOKEN,
      $distinct_id: 'user-b',
      $union: { company_id: ['org-user-b'] },
    });
    expect(fake.groups).toContainEqual({
      $token: TOKEN,
      $group_key: 'company_id',
      $group_id: 'org-user-a',
      $set: { plan: 'team' },
    });
    expect(new Set(fake.imported.map((r) => r.properties?.$insert_id)).size).toBe(fake.imported.length);
  });

  it('aborts an event Mixpanel rejects, with its failed_records, and delivers the rest', async () => {
    const fake = await fakeMixpanel();
    await pipeline(fake, { maxBatchSize: 1 });
    const events = [
      { type: 'track', event: 'Kept', userId: 'user-c' },
      { type: 'track', event: 'Placeholder id', userId: 'anonymous' },
      { type: 'track', event: 'Kept too', userId: 'user-c' },
    ];
    await store(events, 'r');
    await waitFor(() => fake.imported.length === 2, 10_000, 'the valid imports');
    await waitForFailedEvents(1, 5_000);
    const { rows } = await db.pool.query(
      'SELECT message_id, error_code, attempts, payload, request, response FROM failed_events',
    );
    expect(rows[0].message_id).toBe('r-1');
    expect(rows[0].error_code).toBe('400');
    expect(rows[0].attempts).toBe(1);
    expect(rows[0].request.headers.authorization).toBe('********');
    expect(JSON.stringify(rows[0])).not.toContain(SA_SECRET);
    expect(JSON.parse(rows[0].response.body).failed_records).toEqual([
      {
        index: 0,
        insert_id: 'r-1',
        field: 'properties.distinct_id',
        message: "'properties.distinct_id' is invalid: a placeholder value",
      },
    ]);
  });

  it('retries when Mixpanel rate-limits with 429, then imports everything in order', async () => {
    const fake = await fakeMixpanel();
    let limited = 0;
    fake.intercept = () => {
      if (limited >= 2) return undefined;
      limited += 1;
      return {
        status: 429,
        json: {
          code: 429,
          error: 'Project exceeded rate limits. Please retry the request with exponential backoff.',
        },
      };
    };
    await pipeline(fake);
    const events = Array.from({ length: 15 }, (_, seq) => ({
      type: 'track',
      event: 'Step',
      userId: 'user-d',
      properties: { seq },
    }));
    await store(events, 'l');
    await waitFor(() => fake.imported.length === 15, 15_000, 'imports after the rate limit');
    expect(fake.imported.map((r) => r.properties?.seq)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(
      await count(`SELECT count(*) FROM rt_status WHERE status = 'retrying' AND error_code = '429'`),
    ).toBeGreaterThanOrEqual(2);
  });
});
