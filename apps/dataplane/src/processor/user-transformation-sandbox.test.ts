import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { useTestDatabase } from '@keel/postgres/testing';
import type { ConfigDestination, ConfigSource } from '@keel/shared';
import { TransformationSandbox, transformationTemplates } from '@keel/transform';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataPlane } from '../app';
import { MemoryConfigStore } from '../config/memory-store';
import { waitFor, webhookDestination } from '../delivery/testing';
import { loadEnv } from '../env';
import { basic, testConfig, testSource } from '../gateway/testing';
import { SandboxUserTransformer } from './user-transformation-sandbox';

const db = useTestDatabase('transform-e2e');

/** A webhook receiver that keeps every body it gets. */
class BodySink {
  readonly bodies: Record<string, unknown>[] = [];
  url = '';
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as
        | Record<string, unknown>
        | Record<string, unknown>[];
      this.bodies.push(...(Array.isArray(body) ? body : [body]));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function withTransformation(destination: ConfigDestination, id: string, code: string): ConfigDestination {
  return { ...destination, transformations: [{ id, versionId: `${id}_v1`, name: id, code }] };
}

const hashPii = transformationTemplates.find((t) => t.id === 'hash-pii')!.code;
const renameAndDrop = `export function transformEvent(event, metadata) {
  if (event.event === 'Internal Ping') return null;
  if (event.event === 'Explode') throw new Error('cannot handle this event');
  if (event.event === 'Nul Id') return { ...event, messageId: 'n\\u0000ul' };
  return { ...event, event: 'order_completed', properties: { ...event.properties, via: metadata(event).destinationType } };
}`;

let app: FastifyInstance;
let gateway = '';
let good: BodySink;
let hashed: BodySink;
let looping: BodySink;

beforeAll(async () => {
  [good, hashed, looping] = await Promise.all([
    new BodySink().start(),
    new BodySink().start(),
    new BodySink().start(),
  ]);
  const shop: ConfigSource = testSource({
    id: 'src_shop',
    destinations: [
      withTransformation(webhookDestination('dst_rename', good.url), 'trf_rename', renameAndDrop),
      withTransformation(webhookDestination('dst_hash', hashed.url), 'trf_hash', hashPii),
    ],
  });
  // Another workspace whose transformation never ends: it must not hold up the shop's.
  const hostile: ConfigSource = testSource({
    id: 'src_hostile',
    workspaceId: 'ws_hostile',
    destinations: [
      withTransformation(
        webhookDestination('dst_loop', looping.url),
        'trf_loop',
        'export function transformEvent() { while (true) {} }',
      ),
    ],
  });
  const config = testConfig([shop, hostile]);
  config.workspaces.push({ id: 'ws_hostile', name: 'Hostile', allowTransformFetch: false });
  const env = loadEnv({
    DATABASE_URL: db.url,
    DATA_PLANE_TOKEN: 'test-token',
    CONFIG_BACKEND_URL: 'http://127.0.0.1:9',
    LOG_LEVEL: 'silent',
    TRANSFORM_CPU_LIMIT_MS: '500',
    TRANSFORM_PROCESSES: '2',
    JOBSDB_MAINTENANCE_INTERVAL_MS: '500',
  });
  app = await buildDataPlane({ env, config: new MemoryConfigStore(config), logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  gateway = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app?.close();
  await Promise.all([good, hashed, looping].map((s) => s?.close()));
});

async function track(writeKey: string, body: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${gateway}/v1/track`, {
    method: 'POST',
    headers: { authorization: basic(writeKey), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}

describe('user transformations in the pipeline', () => {
  it('delivers events changed by the transformation to the webhook, drops and fails per event', async () => {
    await track('key-src_hostile', { userId: 'mallory', event: 'Anything', messageId: 'h-1' });
    await track('key-src_shop', {
      userId: 'u1',
      event: 'Order Completed',
      messageId: 'o-1',
      properties: { total: 42, email: ' Jane@Example.com ' },
      context: { traits: { email: 'jane@example.com' } },
    });
    await track('key-src_shop', { userId: 'u1', event: 'Internal Ping', messageId: 'o-2' });
    await track('key-src_shop', { userId: 'u1', event: 'Explode', messageId: 'o-3' });
    await track('key-src_shop', { userId: 'u2', event: 'Order Completed', messageId: 'o-4' });

    await waitFor(
      () => good.bodies.length >= 2 && hashed.bodies.length >= 4,
      20_000,
      'transformed deliveries',
    );
    // u1 and u2 are different users: the router keeps each user's order, not an order across users.
    expect(good.bodies.map((b) => b.messageId).sort()).toEqual(['o-1', 'o-4']);
    expect(good.bodies.find((b) => b.messageId === 'o-1')).toMatchObject({
      type: 'track',
      event: 'order_completed',
      userId: 'u1',
      properties: { total: 42, via: 'webhook' },
    });
    const sha = createHash('sha256').update('jane@example.com').digest('hex');
    const first = hashed.bodies.find((b) => b.messageId === 'o-1');
    expect(first).toMatchObject({
      event: 'Order Completed',
      properties: { email: sha },
      context: { traits: { email: sha } },
    });
    expect(JSON.stringify(hashed.bodies)).not.toContain('jane@example.com');

    await waitFor(
      async () => {
        const { rows } = await db.pool.query(
          `SELECT destination_id, error_code, sum(count)::int AS n FROM rpt_deltas
           WHERE status = 'dropped' GROUP BY 1, 2 ORDER BY 1, 2`,
        );
        return rows.length >= 3;
      },
      20_000,
      'drop counts',
    );
    const { rows } = await db.pool.query(
      `SELECT destination_id, error_code, sum(count)::int AS n FROM rpt_deltas
       WHERE status = 'dropped' GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    expect(rows).toEqual([
      { destination_id: 'dst_loop', error_code: 'transformation-failed', n: 1 },
      { destination_id: 'dst_rename', error_code: 'transformation', n: 1 },
      { destination_id: 'dst_rename', error_code: 'transformation-failed', n: 1 },
    ]);
    // The sample of a failed transformation says why it failed.
    const { rows: samples } = await db.pool.query<{ samples: { messageId: string; response: unknown }[] }>(
      `SELECT samples FROM rpt_deltas
        WHERE destination_id = 'dst_rename' AND error_code = 'transformation-failed'`,
    );
    expect(samples.flatMap((r) => r.samples)).toContainEqual({
      messageId: 'o-3',
      request: null,
      response: { error: expect.stringContaining('cannot handle this event') },
    });
    expect(looping.bodies).toEqual([]);
    const metrics = await (await fetch(`${gateway}/metrics`)).text();
    expect(metrics).toMatch(/keel_dataplane_transformation_events_total\{outcome="dropped"\} 1\b/);
    expect(metrics).toMatch(/keel_dataplane_transformation_events_total\{outcome="failed"\} 2\b/);
  });
});

describe('a transformation that sets an unstorable messageId', () => {
  it('keeps the gateway’s messageId for the job, and the pipeline goes on', async () => {
    await track('key-src_shop', { userId: 'u3', event: 'Nul Id', messageId: 'o-5' });
    await track('key-src_shop', { userId: 'u3', event: 'Order Completed', messageId: 'o-6' });
    await waitFor(
      () => good.bodies.some((b) => b.event === 'order_completed' && b.messageId === 'o-6'),
      20_000,
      'the event after it',
    );
    expect(good.bodies.find((b) => b.event === 'Nul Id')?.messageId).toBe('n\u0000ul');
    const { rows } = await db.pool.query<{ message_id: string }>(
      "SELECT message_id FROM rt_jobs WHERE destination_id = 'dst_rename' AND message_id IN ('o-5', 'o-6')",
    );
    expect(rows.map((r) => r.message_id).sort()).toEqual(['o-5', 'o-6']);
  });
});

describe('SandboxUserTransformer', () => {
  it('pauses a version whose batches keep failing as a whole, and only that version', async () => {
    const sandbox = new TransformationSandbox({ cpuTimeLimitMs: 200 });
    const transformer = new SandboxUserTransformer({
      config: new MemoryConfigStore(testConfig([])),
      transformer: sandbox,
    });
    try {
      const looping = {
        id: 'trf_loop',
        versionId: 'trv_loop',
        name: 'Loop',
        code: 'export function transformEvent() { for (;;) {} }',
      };
      const fine = {
        id: 'trf_ok',
        versionId: 'trv_ok',
        name: 'Ok',
        code: 'export function transformEvent(e) { return e; }',
      };
      const events = [
        { type: 'track' as const, event: 'x', messageId: 'm1', receivedAt: new Date().toISOString() },
      ];
      const metadataOf = () => ({
        sourceId: 's',
        sourceName: 'S',
        destinationId: 'd',
        destinationType: 'webhook',
        messageId: 'm1',
      });
      for (let i = 0; i < 3; i++) {
        const [outcome] = await transformer.run(looping, events, metadataOf);
        expect(outcome).toMatchObject({ kind: 'failed', error: expect.stringMatching(/200 ms CPU limit/) });
      }
      const started = performance.now();
      const [paused] = await transformer.run(looping, events, metadataOf);
      expect(performance.now() - started).toBeLessThan(50);
      expect(paused).toMatchObject({
        kind: 'failed',
        error: expect.stringMatching(/paused until .* after 3 batches in a row failed/),
      });
      expect(await transformer.run(fine, events, metadataOf)).toEqual([{ kind: 'events', events }]);
    } finally {
      await transformer.close();
      await sandbox.close();
    }
  });
});
