import { useTestDatabase } from '@keel/postgres/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../config-backend/src/db';
import { createDataPlaneToken } from '../../../config-backend/src/domain/data-plane-tokens';
import { listFailedEvents, requestReplay } from '../../../config-backend/src/domain/failed-events';
import { startControlPlane, type TestControlPlane } from './control-plane-testing';
import { gatewayJobs, vendorDestination } from './destinations/vendor-server';
import {
  pipelineConfig,
  startPipelineApp,
  storeEvents,
  WebhookSink,
  waitFor,
  webhookDestination,
} from './testing';

// Two destinations that both refuse every event with a 400: the webhook sends each event as
// it was stored, so its router jobs refer to their gateway events; PostHog's transform builds
// a body of its own, so its jobs hold that body and the event is no longer in them.
const db = useTestDatabase('failedlabels');
const system = { type: 'system', id: null } as const;
let prisma: Db;
let controlPlane: TestControlPlane;
let webhook: WebhookSink;
let posthog: WebhookSink;
let dataPlane: Awaited<ReturnType<typeof startPipelineApp>>;

const events = [
  { type: 'track', event: 'Order Completed', userId: 'u3', properties: { total: 42 } },
  { type: 'page', name: 'Pricing', anonymousId: 'anon-7' },
  { type: 'identify', userId: 'u4', traits: { email: 'u4@example.com' } },
].map((e, i) => ({ ...e, messageId: `fl-${i}` }));

/** What each failed event should say of its event, by messageId. */
const expected = {
  'fl-0': { userKey: 'u3', eventLabel: 'track · Order Completed' },
  'fl-1': { userKey: 'anon-7', eventLabel: 'page · Pricing' },
  'fl-2': { userKey: 'u4', eventLabel: 'identify' },
};

beforeAll(async () => {
  webhook = await new WebhookSink().start();
  webhook.reply = () => ({ status: 400 });
  posthog = await new WebhookSink().start();
  posthog.reply = () => ({ status: 400 });
  // The real control plane: the data plane pushes its failed events to it and pulls replays.
  controlPlane = await startControlPlane(db.url, db.pool);
  prisma = controlPlane.prisma;
  // The workspace of the test config, so the control plane takes the data plane's pushes for it.
  await prisma.workspace.create({ data: { id: 'ws_test', name: 'Labels' } });
  const { token } = await createDataPlaneToken(prisma, system, { workspaceId: 'ws_test', name: 'test' });
  dataPlane = await startPipelineApp({
    databaseUrl: db.url,
    config: pipelineConfig([
      webhookDestination('dst_webhook', `${webhook.url}/hook`),
      vendorDestination('dst_posthog', 'posthog', {
        apiKey: 'phc_TestProjectKey123',
        host: posthog.url,
        maxBatchWaitMs: 20,
      }),
    ]),
    env: {
      CONFIG_BACKEND_URL: controlPlane.url,
      DATA_PLANE_TOKEN: token,
      DATA_PLANE_ID: 'dp-labels',
      CONTROL_PLANE_PUSH_INTERVAL_MS: '200',
    },
  });
});

afterAll(async () => {
  await dataPlane?.close();
  await controlPlane?.close();
  await webhook?.close();
  await posthog?.close();
});

describe('failed events name the event and the user', () => {
  it('for jobs that refer to their gateway events and for transformed ones, in the data plane and the control plane', async () => {
    await storeEvents(db.pool, gatewayJobs(events));

    // Both kinds of router job are what this test is about: check they are what was written.
    const jobCount = async () =>
      Number((await db.pool.query('SELECT coalesce(sum(job_count), 0) AS n FROM rt_jobs')).rows[0].n);
    await waitFor(async () => (await jobCount()) === 2 * events.length, 15_000, 'the router jobs');
    const { rows: jobs } = await db.pool.query<{
      destination_id: string;
      refers: boolean;
      event_label: string | null;
      job_count: number;
    }>(
      `SELECT destination_id, gw_job_id IS NOT NULL AS refers, event_label, job_count
         FROM rt_jobs ORDER BY destination_id, job_id`,
    );
    // Transformed: the processor named the event each came from.
    expect(jobs.filter((j) => j.destination_id === 'dst_posthog')).toEqual(
      events.map((e) => ({
        destination_id: 'dst_posthog',
        refers: false,
        event_label: expected[e.messageId as keyof typeof expected].eventLabel,
        job_count: 1,
      })),
    );
    // Referring to their events (a row may stand for several): no label is stored, the router
    // names them from their events when they abort.
    const referring = jobs.filter((j) => j.destination_id === 'dst_webhook');
    expect(referring.every((j) => j.refers && j.event_label === null)).toBe(true);
    expect(referring.reduce((n, j) => n + j.job_count, 0)).toBe(events.length);

    await waitFor(
      async () => (await db.pool.query('SELECT 1 FROM failed_events')).rowCount === 2 * events.length,
      15_000,
      'every event failed at both destinations',
    );
    const { rows: failed } = await db.pool.query<{
      destination_id: string;
      message_id: string;
      user_key: string;
      event_label: string | null;
      error_code: string;
    }>(
      'SELECT destination_id, message_id, user_key, event_label, error_code FROM failed_events ORDER BY destination_id, message_id',
    );
    const rowsOf = (destinationId: string) =>
      events.map((e) => ({
        destination_id: destinationId,
        message_id: e.messageId,
        user_key: expected[e.messageId as keyof typeof expected].userKey,
        event_label: expected[e.messageId as keyof typeof expected].eventLabel,
        error_code: '400',
      }));
    expect(failed).toEqual([...rowsOf('dst_posthog'), ...rowsOf('dst_webhook')]);

    // Pushed to the control plane, which lists them with the dashboard's query.
    await waitFor(
      async () => (await prisma.failedEventSample.count()) === 2 * events.length,
      15_000,
      'the failed events pushed',
    );
    const listed = await listFailedEvents(prisma, 'ws_test', { includeReplayed: false }, { limit: 50 });
    const summary = listed.events
      .map((e) => ({
        destinationId: e.destinationId,
        messageId: e.messageId,
        userKey: e.userKey,
        eventLabel: e.eventLabel,
      }))
      .sort((a, b) => `${a.destinationId} ${a.messageId}`.localeCompare(`${b.destinationId} ${b.messageId}`));
    expect(summary).toEqual(
      ['dst_posthog', 'dst_webhook'].flatMap((destinationId) =>
        events.map((e) => ({
          destinationId,
          messageId: e.messageId,
          ...expected[e.messageId as keyof typeof expected],
        })),
      ),
    );
  });

  it('keeps the label when a replayed job fails again, though its stored payload no longer holds the event apart', async () => {
    const replays = ['dst_webhook', 'dst_posthog'];
    for (const destinationId of replays)
      await requestReplay(prisma, system, 'ws_test', { filter: { destinationId } });
    // Still refusing: every replayed job is aborted into the failed-events store again.
    await waitFor(
      async () =>
        (
          await db.pool.query(
            'SELECT 1 FROM failed_events f JOIN rt_jobs j ON j.job_id = f.rt_job_id WHERE j.replay_of IS NOT NULL',
          )
        ).rowCount ===
        2 * events.length,
      20_000,
      'the replayed jobs failed again',
    );
    const { rows } = await db.pool.query<{
      destination_id: string;
      message_id: string;
      user_key: string;
      event_label: string | null;
    }>(
      `SELECT f.destination_id, f.message_id, f.user_key, f.event_label
         FROM failed_events f JOIN rt_jobs j ON j.job_id = f.rt_job_id
        WHERE j.replay_of IS NOT NULL ORDER BY f.destination_id, f.message_id`,
    );
    expect(rows).toEqual(
      ['dst_posthog', 'dst_webhook'].flatMap((destinationId) =>
        events.map((e) => ({
          destination_id: destinationId,
          message_id: e.messageId,
          user_key: expected[e.messageId as keyof typeof expected].userKey,
          event_label: expected[e.messageId as keyof typeof expected].eventLabel,
        })),
      ),
    );
  });
});
