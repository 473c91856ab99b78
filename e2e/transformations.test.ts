import http from 'node:http';
import { useTestDatabase } from '@keel/postgres/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, TestClient } from '../apps/config-backend/src/trpc/testing';
import { buildDataPlane } from '../apps/dataplane/src/app';
import { loadEnv } from '../apps/dataplane/src/env';

// A user writes a transformation in the control plane, tries it with a test run, attaches it
// to a connection and later publishes and attaches a new version; the data plane picks each
// change up at its next config poll, and the webhook receives the events as the attached
// version changed them.
const db = useTestDatabase('e2etransform');
let controlPlane: FastifyInstance;
let dataPlane: FastifyInstance;
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

async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

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
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  ({ app: controlPlane } = await buildTestApp(db.url));
  const controlPlaneUrl = await controlPlane.listen({ host: '127.0.0.1', port: 0 });
  owner = new TestClient(controlPlane);
  ({ workspaceId } = await owner.ok('mutation', 'auth.createOwner', {
    email: 'dev@example.com',
    name: 'Dev',
    password: 'correct horse battery',
    workspaceName: 'Acme',
  }));
  const source = await owner.ok('mutation', 'sources.create', {
    workspaceId,
    name: 'Web',
    type: 'javascript',
  });
  writeKey = source.writeKeys[0].key;
  const port = (sink.address() as { port: number }).port;
  const destination = await owner.ok('mutation', 'destinations.create', {
    workspaceId,
    name: 'CRM',
    type: 'webhook',
    config: { url: `http://127.0.0.1:${port}/crm` },
  });
  connection = await owner.ok('mutation', 'connections.create', {
    workspaceId,
    sourceId: source.id,
    destinationId: destination.id,
  });
  const { token } = await owner.ok('mutation', 'dataPlaneTokens.create', { workspaceId, name: 'e2e' });
  const env = loadEnv({
    DATABASE_URL: db.url,
    CONFIG_BACKEND_URL: controlPlaneUrl,
    DATA_PLANE_TOKEN: token,
    DATA_PLANE_ID: 'dp-e2e-transform',
    LOG_LEVEL: 'silent',
    CONFIG_POLL_INTERVAL_MS: '200',
  });
  dataPlane = await buildDataPlane({ env, logger: false });
  gatewayUrl = await dataPlane.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await dataPlane?.close();
  await controlPlane?.close();
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
