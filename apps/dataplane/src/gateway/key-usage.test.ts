import { useTestDatabase } from '@keel/postgres/testing';
import type { WriteKeyUsageBatch } from '@keel/shared';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The real control plane: the gateway pushes last-used times to it, and its tRPC API shows them.
import { buildTestApp, setUpWorkspace, type TestWorkspace } from '../../../config-backend/src/trpc/testing';
import { buildDataPlane } from '../app';
import { eventually } from '../delivery/testing';
import { loadEnv } from '../env';
import { WriteKeyUsageReporter } from './key-usage';
import { basic } from './testing';

const db = useTestDatabase('keyusage');
let controlPlane: FastifyInstance;
let controlPlaneUrl: string;
let workspace: TestWorkspace;
let dataPlaneToken: string;

interface WriteKeyView {
  id: string;
  key: string;
  lastUsedAt: string | null;
}

async function sourceWithKeys(name: string): Promise<{ id: string; writeKeys: WriteKeyView[] }> {
  const source = await workspace.owner.ok('mutation', 'sources.create', {
    workspaceId: workspace.workspaceId,
    name,
    type: 'javascript',
  });
  await workspace.owner.ok('mutation', 'sources.writeKeys.create', {
    workspaceId: workspace.workspaceId,
    sourceId: source.id,
    name: 'Second',
  });
  return workspace.owner.ok('query', 'sources.get', { workspaceId: workspace.workspaceId, id: source.id });
}

async function keysOf(sourceId: string): Promise<WriteKeyView[]> {
  const source = await workspace.owner.ok('query', 'sources.get', {
    workspaceId: workspace.workspaceId,
    id: sourceId,
  });
  return source.writeKeys;
}

/** A gateway-only data plane that polls the real config-backend for its config. */
async function startGateway(env: Record<string, string>): Promise<{ app: FastifyInstance; url: string }> {
  const app = await buildDataPlane({
    env: loadEnv({
      DATABASE_URL: db.url,
      CONFIG_BACKEND_URL: controlPlaneUrl,
      DATA_PLANE_TOKEN: dataPlaneToken,
      DATA_PLANE_ID: 'dp-keyusage',
      ROLES: 'gateway',
      LOG_LEVEL: 'silent',
      CONFIG_POLL_INTERVAL_MS: '200',
      ...env,
    }),
    logger: false,
  });
  return { app, url: await app.listen({ host: '127.0.0.1', port: 0 }) };
}

async function track(url: string, writeKey: string): Promise<number> {
  const res = await fetch(`${url}/v1/track`, {
    method: 'POST',
    headers: { authorization: basic(writeKey), 'content-type': 'application/json' },
    body: JSON.stringify({ event: 'Signed Up', userId: 'u-1' }),
  });
  await res.arrayBuffer();
  return res.status;
}

beforeAll(async () => {
  ({ app: controlPlane } = await buildTestApp(db.url, { LOG_LEVEL: 'silent' }));
  controlPlaneUrl = await controlPlane.listen({ host: '127.0.0.1', port: 0 });
  workspace = await setUpWorkspace(controlPlane);
  ({ token: dataPlaneToken } = await workspace.owner.ok('mutation', 'dataPlaneTokens.create', {
    workspaceId: workspace.workspaceId,
    name: 'gateway',
  }));
});

afterAll(async () => {
  await controlPlane?.close();
});

describe('write keys’ last-used time, gateway → config-backend', () => {
  it('shows on the source page the key an event was sent with, pushed on the interval', async () => {
    const source = await sourceWithKeys('Web');
    const [used, unused] = source.writeKeys as [WriteKeyView, WriteKeyView];
    expect(used.lastUsedAt).toBeNull();
    const gateway = await startGateway({ WRITE_KEY_USAGE_PUSH_INTERVAL_MS: '200' });
    try {
      const sentFrom = Date.now();
      const status = await eventually('the gateway to load the key', async () => {
        const s = await track(gateway.url, used.key);
        return s === 401 || s === 503 ? undefined : s;
      });
      expect(status).toBe(200);
      const shown = await eventually('the last-used time on the source page', async () => {
        const key = (await keysOf(source.id)).find((k) => k.id === used.id);
        return key?.lastUsedAt ?? undefined;
      });
      expect(new Date(shown).getTime()).toBeGreaterThanOrEqual(sentFrom - 1_000);
      expect(new Date(shown).getTime()).toBeLessThanOrEqual(Date.now());
      expect((await keysOf(source.id)).find((k) => k.id === unused.id)?.lastUsedAt).toBeNull();

      // A refused key (unknown here) is not anyone's use.
      expect(await track(gateway.url, 'not-a-key-of-this-workspace-000000')).toBe(401);
    } finally {
      await gateway.app.close();
    }
  });

  it('pushes the latest use when the gateway stops, without waiting for the interval', async () => {
    const source = await sourceWithKeys('Server');
    const key = (source.writeKeys as WriteKeyView[])[1] as WriteKeyView;
    const gateway = await startGateway({ WRITE_KEY_USAGE_PUSH_INTERVAL_MS: '3600000' });
    await eventually('the gateway to accept the key', async () =>
      (await track(gateway.url, key.key)) === 200 ? true : undefined,
    );
    expect((await keysOf(source.id)).find((k) => k.id === key.id)?.lastUsedAt).toBeNull();
    await gateway.app.close();
    const after = (await keysOf(source.id)).find((k) => k.id === key.id);
    expect(after?.lastUsedAt).not.toBeNull();
  });
});

describe('WriteKeyUsageReporter', () => {
  it('keeps the times of a failed push for the next round, together with uses recorded since', async () => {
    const pushed: WriteKeyUsageBatch[] = [];
    const errors: unknown[] = [];
    let failNext = true;
    const reporter = new WriteKeyUsageReporter({
      dataPlaneId: 'dp-1',
      intervalMs: 60_000,
      onPushError: (error) => errors.push(error),
      async push(batch) {
        if (failNext) {
          failNext = false;
          throw new Error('config-backend unreachable');
        }
        pushed.push(batch);
      },
    });
    reporter.record('wk_a');
    reporter.record('wk_b');
    await reporter.flush();
    expect(errors).toHaveLength(1);
    reporter.record('wk_c');
    await reporter.flush();
    expect(pushed).toHaveLength(1);
    const usage = new Map(pushed[0]?.usage.map((u) => [u.writeKeyId, Date.parse(u.lastUsedAt)]));
    expect([...usage.keys()].sort()).toEqual(['wk_a', 'wk_b', 'wk_c']);
    expect(usage.get('wk_a')).toBeLessThanOrEqual(Date.now());
    expect(usage.get('wk_a')).toBeGreaterThan(Date.now() - 60_000);
    // Nothing new: nothing is sent.
    await reporter.stop();
    expect(pushed).toHaveLength(1);
  });
});
