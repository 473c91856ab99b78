import http from 'node:http';
import { useTestDatabase } from '@keel/postgres/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestClient } from '../apps/config-backend/src/trpc/testing';
import { eventually } from '../apps/dataplane/src/delivery/testing';
import { listenLocally, startTwoPlanes, type TwoPlanes } from './two-planes';

// A user writes a transformation in the control plane, tries it with a test run, attaches it
// to a connection and later publishes and attaches a new version; the data plane picks each
// change up at its next config poll, and the webhook receives the events as the attached
// version changed them.
const db = useTestDatabase('e2etransform');
let planes: TwoPlanes;
let owner: TestClient;
let workspaceId: string;
let gatewayUrl: string;
let writeKey: string;
let connection: { id: string; version: number };
const received: Array<Record<string, unknown>> = [];
const sink = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => {
    body += c;
  });
  req.on('end', () => {
    received.push(JSON.parse(body) as Record<string, unknown>);
    res.end('ok');
  });
});

const versionCode = (tag: string) => `export function transformEvent(event, metadata) {
  if (event.properties?.internal) return null;
  return { ...event, event: '${tag}: ' + event.event, properties: { ...event.properties, destination: metadata(event).destinationType } };
}`;

async function track(messageId: string, properties: Record<string, unknown> = {}): Promise<void> {
  const res = await fetch(`${gatewayUrl}/v1/track`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ userId: 'u1', event: 'Signed Up', messageId, properties }),
  });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  const sinkUrl = await listenLocally(sink);
  planes = await startTwoPlanes({
    databaseUrl: db.url,
    owner: { email: 'dev@example.com', name: 'Dev' },
    webhookUrl: `${sinkUrl}/crm`,
    dataPlaneId: 'dp-e2e-transform',
  });
  ({ owner, workspaceId, gatewayUrl, writeKey, connection } = planes);
});

afterAll(async () => {
  await planes?.close();
  sink.close();
});

describe('a transformation from editor to webhook', () => {
  it('is tested, attached, delivered, then replaced by a newer version at the next poll', async () => {
    const draft = versionCode('v1');
    const trial = await owner.ok('mutation', 'transformations.testRun', {
      workspaceId,
      code: draft,
      events: [
        { type: 'track', event: 'Signed Up', userId: 'u1' },
        { type: 'track', event: 'Heartbeat', userId: 'u1', properties: { internal: true } },
      ],
    });
    expect(trial.results.map((r: { outcome: { kind: string } }) => r.outcome.kind)).toEqual([
      'events',
      'dropped',
    ]);

    const transformation = await owner.ok('mutation', 'transformations.create', {
      workspaceId,
      name: 'Tag',
      code: draft,
    });
    connection = await owner.ok('mutation', 'connections.update', {
      workspaceId,
      id: connection.id,
      version: connection.version,
      transformationVersionId: transformation.versions[0].id,
    });
    // Until the data plane has polled the new config, events pass untransformed; send until one is tagged.
    let n = 0;
    await eventually('an event changed by version 1', async () => {
      await track(`v1-${n++}`);
      await new Promise((r) => setTimeout(r, 300));
      return received.find((e) => e.event === 'v1: Signed Up');
    });
    expect(received.find((e) => e.event === 'v1: Signed Up')).toMatchObject({
      userId: 'u1',
      properties: { destination: 'webhook' },
    });

    await track('internal-1', { internal: true });
    const v2 = await owner.ok('mutation', 'transformations.publishVersion', {
      workspaceId,
      transformationId: transformation.id,
      code: versionCode('v2'),
      basedOnVersion: 1,
    });
    connection = await owner.ok('mutation', 'connections.update', {
      workspaceId,
      id: connection.id,
      version: connection.version,
      transformationVersionId: v2.id,
    });
    await eventually('an event changed by version 2', async () => {
      await track(`v2-${n++}`);
      await new Promise((r) => setTimeout(r, 300));
      return received.find((e) => e.event === 'v2: Signed Up');
    });
    expect(received.some((e) => e.messageId === 'internal-1')).toBe(false);
    const { rows } = await db.pool.query(`SELECT action FROM audit_logs WHERE target_id = $1 ORDER BY id`, [
      transformation.id,
    ]);
    expect(rows.map((r: { action: string }) => r.action)).toEqual([
      'transformation.create',
      'transformation.publish',
    ]);
  });
});
