import { useTestDatabase } from '@keel/postgres/testing';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../config-backend/src/db';
import { createDataPlaneToken } from '../../../config-backend/src/domain/data-plane-tokens';
import { requestReplay } from '../../../config-backend/src/domain/failed-events';
import { watchLive } from '../../../config-backend/src/domain/live-events';
import { buildDataPlane } from '../app';
import { loadEnv } from '../env';
import { basic } from '../gateway/testing';
import { startControlPlane, type TestControlPlane } from './control-plane-testing';
import { WebhookSink, waitFor } from './testing';

const db = useTestDatabase('replay');
const system = { type: 'system', id: null } as const;
let prisma: Db;
let controlPlane: TestControlPlane;
let dataPlane: FastifyInstance;
let sink: WebhookSink;
let gatewayUrl: string;
let rejecting = true;

beforeAll(async () => {
  sink = await new WebhookSink().start();
  sink.reply = (events) =>
    rejecting && events.some((e) => (e.properties as { bad?: boolean } | undefined)?.bad)
      ? { status: 400 }
      : { status: 200 };
  // The real control plane: the data plane pushes to it and pulls replay commands from it.
  controlPlane = await startControlPlane(db.url, db.pool);
  prisma = controlPlane.prisma;

  await prisma.workspace.create({ data: { id: 'ws_r', name: 'Replay' } });
  await prisma.source.create({ data: { id: 'src_r', workspaceId: 'ws_r', name: 'Server', type: 'server' } });
  await prisma.writeKey.create({ data: { id: 'wk_r', sourceId: 'src_r', name: 'main', key: 'replay-key' } });
  await prisma.destination.create({
    data: {
      id: 'dst_r',
      workspaceId: 'ws_r',
      name: 'Hook',
      type: 'webhook',
      config: { url: `${sink.url}/hook`, method: 'POST', headers: [] },
    },
  });
  await prisma.connection.create({
    data: { id: 'con_r', workspaceId: 'ws_r', sourceId: 'src_r', destinationId: 'dst_r' },
  });
  const { token } = await createDataPlaneToken(prisma, system, { workspaceId: 'ws_r', name: 'test' });

  dataPlane = await buildDataPlane({
    env: loadEnv({
      DATABASE_URL: db.url,
      CONFIG_BACKEND_URL: controlPlane.url,
      DATA_PLANE_TOKEN: token,
      DATA_PLANE_ID: 'dp-replay-test',
      CONFIG_POLL_INTERVAL_MS: '200',
      CONTROL_PLANE_PUSH_INTERVAL_MS: '200',
      LIVE_EVENTS_POLL_MS: '200',
      LOG_LEVEL: 'silent',
    }),
    logger: false,
  });
  await dataPlane.listen({ host: '127.0.0.1', port: 0 });
  const dpAddress = dataPlane.server.address();
  gatewayUrl = `http://127.0.0.1:${typeof dpAddress === 'object' && dpAddress ? dpAddress.port : 0}`;
});

afterAll(async () => {
  await dataPlane?.close();
  await controlPlane?.close();
  await sink?.close();
});

describe('failed events and replay, against the real control plane', () => {
  it('aborts a 400 into the failed-events store, pushes it, and a replay command delivers it', async () => {
    const batch = [0, 1, 2, 3, 4].map((seq) => ({
      type: 'track',
      event: 'Replayed',
      userId: 'u1',
      messageId: `r-${seq}`,
      properties: { seq, bad: seq === 2 },
    }));
    const response = await request(`${gatewayUrl}/v1/batch`, {
      method: 'POST',
      headers: { authorization: basic('replay-key'), 'content-type': 'application/json' },
      body: JSON.stringify({ batch }),
    });
    expect(response.statusCode).toBe(200);
    await response.body.text();

    await waitFor(() => sink.summary().unique === 4, 15_000, 'the four good events');
    await waitFor(
      async () => (await prisma.failedEventSample.count()) === 1,
      15_000,
      'the failed event pushed',
    );
    const failed = await prisma.failedEventSample.findFirstOrThrow();
    expect(failed).toMatchObject({ messageId: 'r-2', errorCode: '400', attempts: 1, destinationId: 'dst_r' });
    expect(failed.request).toMatchObject({ method: 'POST', url: `${sink.url}/hook` });

    rejecting = false;
    const { commandId } = await requestReplay(prisma, system, 'ws_r', { filter: { destinationId: 'dst_r' } });
    await waitFor(() => sink.received.some((r) => r.messageId === 'r-2'), 15_000, 'the replayed event');
    await waitFor(
      async () =>
        (await prisma.replayCommand.findUniqueOrThrow({ where: { id: commandId } })).status !== 'pending',
      15_000,
      'the command marked done',
    );
    const command = await prisma.replayCommand.findUniqueOrThrow({ where: { id: commandId } });
    expect(command.replayedCount).toBe(1);
    // Reported as a replay, beside the first four deliveries and the abort.
    await waitFor(
      async () => (await prisma.deliveryReport.count({ where: { errorCode: 'replayed' } })) === 1,
      15_000,
      'the replay in the delivery reports',
    );
    const reports = await prisma.deliveryReport.findMany({ where: { destinationId: 'dst_r' } });
    const byKey = Object.fromEntries(reports.map((r) => [`${r.status}:${r.errorCode}`, r.count]));
    expect(byKey).toMatchObject({ 'delivered:': 4, 'aborted:400': 1, 'delivered:replayed': 1 });
    expect(sink.summary().duplicates).toBe(0);
  });

  it('samples live events to the control plane only while someone watches', async () => {
    const send = async (messageId: string) => {
      const response = await request(`${gatewayUrl}/v1/track`, {
        method: 'POST',
        headers: { authorization: basic('replay-key'), 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'track',
          event: 'Live',
          userId: 'u2',
          messageId,
          properties: { seq: 0 },
        }),
      });
      await response.body.text();
      expect(response.statusCode).toBe(200);
      await waitFor(() => sink.received.some((r) => r.messageId === messageId), 15_000, messageId);
    };
    await send('live-unwatched');
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await prisma.liveEvent.count()).toBe(0);

    await watchLive(prisma, 'ws_r', { sourceId: 'src_r' }, 60);
    await new Promise((r) => setTimeout(r, 600));
    await send('live-watched');
    await waitFor(
      async () => (await prisma.liveEvent.count({ where: { messageId: 'live-watched' } })) >= 2,
      10_000,
      'live samples',
    );
    const samples = await prisma.liveEvent.findMany({ where: { messageId: 'live-watched' } });
    expect(samples.map((e) => e.stage).sort()).toEqual(['delivered', 'received']);
    expect(samples.find((e) => e.stage === 'delivered')?.destinationId).toBe('dst_r');
  });
});
