import { useTestDatabase } from '@keel/postgres/testing';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../config-backend/src/db';
import { createDataPlaneToken } from '../../../config-backend/src/domain/data-plane-tokens';
import { createSource, updateSource } from '../../../config-backend/src/domain/sources';
import { revokeWriteKey } from '../../../config-backend/src/domain/write-keys';
import { buildDataPlane } from '../app';
import { startControlPlane, type TestControlPlane } from '../delivery/control-plane-testing';
import { loadEnv } from '../env';
import { basic } from '../gateway/testing';
import { loadCachedConfig } from './cache';
import { MemoryConfigStore } from './memory-store';
import { ConfigPoller } from './poller';

// The poller against the real config-backend, both on one test database, over real HTTP.
const db = useTestDatabase('config-poller');
const system = { type: 'system', id: null } as const;
const KEY = `key_${'a'.repeat(40)}`;
const SPARE = `key_${'b'.repeat(40)}`;
let backend: TestControlPlane;
let backendUrl: string;
let prisma: Db;
let token: string;
let sourceId: string;

const silent = { info() {}, warn() {}, error() {} };

async function startDataPlane(configBackendUrl: string): Promise<{ app: FastifyInstance; url: string }> {
  const env = loadEnv({
    DATABASE_URL: db.url,
    DATA_PLANE_TOKEN: token,
    CONFIG_BACKEND_URL: configBackendUrl,
    CONFIG_POLL_INTERVAL_MS: '200',
    ROLES: 'gateway',
    LOG_LEVEL: 'silent',
  });
  const app = await buildDataPlane({ env, logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  return { app, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

async function track(url: string, writeKey: string): Promise<number> {
  const response = await request(`${url}/v1/track`, {
    method: 'POST',
    body: JSON.stringify({ type: 'track', event: 'E', userId: 'u' }),
    headers: { authorization: basic(writeKey) },
  });
  await response.body.dump();
  return response.statusCode;
}

beforeAll(async () => {
  backend = await startControlPlane(db.url);
  prisma = backend.prisma;
  backendUrl = backend.url;
  await prisma.workspace.create({ data: { id: 'ws_poll', name: 'Poll' } });
  const source = await createSource(prisma, system, 'ws_poll', {
    name: 'Web',
    type: 'javascript',
    enabled: true,
    rateLimitPerSecond: null,
    writeKeys: [
      { name: 'main', key: KEY },
      { name: 'spare', key: SPARE },
    ],
  });
  sourceId = source.id;
  token = (await createDataPlaneToken(prisma, system, { workspaceId: 'ws_poll', name: 'dp' })).token;
});

afterAll(async () => {
  await backend?.close();
});

describe('ConfigPoller', () => {
  it('fetches a valid config, then answers If-None-Match with 304, and caches it', async () => {
    const store = new MemoryConfigStore();
    const poller = new ConfigPoller({
      pool: db.pool,
      store,
      configBackendUrl: backendUrl,
      dataPlaneToken: token,
      intervalMs: 60_000,
      log: silent,
    });
    expect(await poller.pollOnce()).toBe('updated');
    expect(store.current()?.sources.map((s) => s.writeKeys.map((k) => k.key))).toEqual([[KEY, SPARE]]);
    expect(await poller.pollOnce()).toBe('unchanged');
    const cached = await loadCachedConfig(db.pool);
    expect(cached?.config.version).toBe(store.current()?.version);
  });

  it('refuses to replace the config when the token is wrong, keeping the last good one', async () => {
    const store = new MemoryConfigStore();
    const errors: string[] = [];
    const poller = new ConfigPoller({
      pool: db.pool,
      store,
      configBackendUrl: backendUrl,
      dataPlaneToken: 'keel_dp_wrong',
      intervalMs: 60_000,
      log: { ...silent, error: (_obj, msg) => errors.push(msg) },
    });
    await poller.start();
    poller.stop();
    // Started from the cache the previous test left, and said why polling failed.
    expect(store.current()?.sources[0]?.id).toBe(sourceId);
    expect(errors[0]).toMatch(/DATA_PLANE_TOKEN/);
  });
});

describe('a data plane polling the config-backend', () => {
  it('accepts keys from the config, drops a revoked key within one poll, and honours a disabled source', async () => {
    const dp = await startDataPlane(backendUrl);
    try {
      expect(await track(dp.url, KEY)).toBe(200);
      expect(await track(dp.url, 'key_unknown_to_everyone_0000000000000')).toBe(401);

      const keys = await prisma.writeKey.findMany({ where: { sourceId }, orderBy: { createdAt: 'asc' } });
      await revokeWriteKey(prisma, system, 'ws_poll', keys[0]?.id as string);
      const revokedAt = Date.now();
      await expect.poll(() => track(dp.url, KEY), { timeout: 5000, interval: 50 }).toBe(401);
      // One poll interval is 200 ms; allow for the request and a busy machine.
      expect(Date.now() - revokedAt).toBeLessThan(2000);
      expect(await track(dp.url, SPARE)).toBe(200);

      const source = await prisma.source.findUniqueOrThrow({ where: { id: sourceId } });
      await updateSource(prisma, system, 'ws_poll', {
        id: sourceId,
        version: source.version,
        enabled: false,
      });
      await expect.poll(() => track(dp.url, SPARE), { timeout: 5000, interval: 50 }).toBe(404);
    } finally {
      await dp.app.close();
    }
  });

  it('starts from the cached config when the control plane is unreachable', async () => {
    const closedPort = `http://127.0.0.1:9`;
    const dp = await startDataPlane(closedPort);
    try {
      // The last config cached above has the spare key on a disabled source.
      expect(await track(dp.url, SPARE)).toBe(404);
      expect(await track(dp.url, KEY)).toBe(401);
      expect(dp.app.dataPlane.config.current()?.sources[0]?.id).toBe(sourceId);
    } finally {
      await dp.app.close();
    }
  });
});
