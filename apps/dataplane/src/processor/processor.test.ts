import { useTestDatabase } from '@keel/postgres/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  pipelineConfig,
  startPipelineApp,
  storeEvents,
  trackEvents,
  WebhookSink,
  waitFor,
  webhookDestination,
} from '../delivery/testing';
import { ReportCollector } from '../reports/deltas';
import { processBatch } from './process-batch';

const db = useTestDatabase('processor');
let sink: WebhookSink;
let close: () => Promise<void>;

beforeAll(async () => {
  sink = await new WebhookSink().start();
  const transformed = webhookDestination('dst_tr', `${sink.url}/transformed`);
  transformed.transformations = [
    {
      id: 'tr_1',
      versionId: 'tv_1',
      name: 'Rename',
      code: 'export function transformEvent(e) { return e; }',
    },
  ];
  const dp = await startPipelineApp({
    databaseUrl: db.url,
    config: pipelineConfig([
      webhookDestination('dst_all', `${sink.url}/all`),
      webhookDestination(
        'dst_deny',
        `${sink.url}/deny`,
        {},
        { filterMode: 'deny', filterEvents: ['Tested'] },
      ),
      webhookDestination('dst_consent', `${sink.url}/consent`, {}, { consentCategories: ['marketing'] }),
      transformed,
    ]),
  });
  close = dp.close;
});
afterAll(async () => {
  await close?.();
  await sink?.close();
});

async function drops(): Promise<Record<string, number>> {
  const { rows } = await db.pool.query<{ destination_id: string; error_code: string; n: number }>(
    `SELECT destination_id, error_code, sum(count)::int AS n FROM rpt_deltas WHERE status = 'dropped' GROUP BY 1, 2`,
  );
  return Object.fromEntries(rows.map((r) => [`${r.destination_id}:${r.error_code}`, r.n]));
}

describe('processor', () => {
  it('applies the stages per connection, counts every drop with its reason, and drops resent messageIds', async () => {
    const events = trackEvents(10, 2);
    const consented = events.slice(0, 5);
    const denied = events.slice(5).map((j) => {
      const e = JSON.parse(j.payload);
      e.context = { consentManagement: { deniedConsentIds: ['marketing'] } };
      if (e.messageId === 'm-9') e.integrations = { All: false };
      return { ...j, payload: JSON.stringify(e) };
    });
    await storeEvents(db.pool, [...consented, ...denied]);
    // A client resending after a timeout: the same messageIds again.
    await storeEvents(db.pool, events.slice(0, 3));

    // dst_all 9, dst_consent 5, dst_tr 9 through the sandbox's identity transformation.
    await waitFor(() => sink.received.length >= 9 + 5 + 9, 20_000, 'deliveries');
    await new Promise((r) => setTimeout(r, 500));
    expect(await drops()).toEqual({
      ':duplicate': 3,
      'dst_deny:event-filter': 9,
      'dst_consent:consent': 4,
      // m-9 says integrations { All: false }: dropped there before the consent stage.
      'dst_all:integrations': 1,
      'dst_consent:integrations': 1,
      'dst_deny:integrations': 1,
      'dst_tr:integrations': 1,
    });
    expect(sink.summary().duplicates).toBe(0);
    expect(sink.received.length).toBe(9 + 5 + 9);
  });

  it('drops, with a reason, the events of a connection with a transformation when there is no sandbox', async () => {
    const reports = new ReportCollector();
    const warnings: string[] = [];
    const destination = webhookDestination('dst_tr', 'http://127.0.0.1:9/hook');
    destination.transformations = [
      { id: 'tr_1', versionId: 'tv_1', name: 'T', code: 'export function transformEvent(e) { return e; }' },
    ];
    const jobs = trackEvents(3, 1).map((j, i) => ({ ...j, jobId: i + 1 }));
    const out = await processBatch(jobs, {
      config: pipelineConfig([destination, webhookDestination('dst_plain', 'http://127.0.0.1:9/plain')]),
      transformer: undefined,
      shards: 8,
      reports,
      warn: (m) => warnings.push(m),
    });
    expect(out.map((j) => j.destinationId)).toEqual(['dst_plain', 'dst_plain', 'dst_plain']);
    expect(reports.rows()).toEqual([
      expect.objectContaining({
        destinationId: 'dst_tr',
        status: 'dropped',
        errorCode: 'transformer-unavailable',
        count: 3,
      }),
    ]);
    expect(warnings[0]).toMatch(/without a transformation sandbox/);
  });
  it('routes events a webhook passes through without parsing them, yet still honours `integrations`', async () => {
    const jobs = trackEvents(3, 1, 'pt').map((j, i) => ({ ...j, jobId: i + 1 }));
    const off = JSON.parse(jobs[1]?.payload ?? '{}');
    off.integrations = { All: false };
    const batch = jobs.map((j, i) => (i === 1 ? { ...j, payload: JSON.stringify(off) } : j));
    const reports = new ReportCollector();
    const out = await processBatch(batch, {
      // No stage has to look inside the events, and the plain URL has no template.
      config: pipelineConfig([
        webhookDestination('dst_plain', 'http://127.0.0.1:9/plain'),
        webhookDestination('dst_templated', 'http://127.0.0.1:9/by-type/{{type}}'),
      ]),
      transformer: undefined,
      shards: 8,
      reports,
      warn: () => {},
    });
    expect(out.map((j) => [j.destinationId, j.gatewayJobId, j.messageId, JSON.parse(j.payload).url])).toEqual(
      [
        ['dst_plain', 1, 'pt-0', 'http://127.0.0.1:9/plain'],
        ['dst_templated', 1, 'pt-0', 'http://127.0.0.1:9/by-type/track'],
        ['dst_plain', 3, 'pt-2', 'http://127.0.0.1:9/plain'],
        ['dst_templated', 3, 'pt-2', 'http://127.0.0.1:9/by-type/track'],
      ],
    );
    expect(reports.rows().map((r) => [r.destinationId, r.errorCode, r.count])).toEqual([
      ['dst_plain', 'integrations', 1],
      ['dst_templated', 'integrations', 1],
    ]);
  });

  it('refers to an event the webhook sends unchanged by its gateway job instead of storing it again', async () => {
    // Spaces that JSON.stringify would not write: the body must be the stored text itself.
    const jobs = trackEvents(2, 1).map((j, i) => ({
      ...j,
      jobId: i + 1,
      payload: j.payload.replace('{', '{ '),
    }));
    const out = await processBatch(jobs, {
      config: pipelineConfig([webhookDestination('dst_plain', 'http://127.0.0.1:9/plain')]),
      transformer: undefined,
      shards: 8,
      reports: new ReportCollector(),
      warn: () => {},
    });
    expect(out.map((j) => [j.body, j.gatewayJobId])).toEqual(jobs.map((j) => [null, j.jobId]));
    expect(JSON.parse(out[0]?.payload ?? '')).toEqual({
      method: 'POST',
      url: 'http://127.0.0.1:9/plain',
      headers: { 'content-type': 'application/json' },
    });
  });
});
