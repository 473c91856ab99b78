import type { ConfigSource, WorkspaceConfig } from '@keel/shared';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { buildDataPlane } from '../app';
import { MemoryConfigStore } from '../config/memory-store';
import { loadEnv } from '../env';

/** A source for test configs: enabled, one write key, no limit, unless overridden. */
export function testSource(overrides: Partial<ConfigSource> & { id: string }): ConfigSource {
  return {
    name: `Source ${overrides.id}`,
    workspaceId: 'ws_test',
    type: 'javascript',
    enabled: true,
    writeKeys: [{ id: `wk_${overrides.id}`, key: `key-${overrides.id}` }],
    rateLimitPerSecond: null,
    destinations: [],
    ...overrides,
  };
}

export function testConfig(sources: ConfigSource[], version = 'v1'): WorkspaceConfig {
  return {
    version,
    generatedAt: new Date().toISOString(),
    workspaces: [{ id: 'ws_test', name: 'Test', allowTransformFetch: false }],
    sources,
  };
}

export function basic(writeKey: string): string {
  return `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
}

export interface RunningGateway {
  app: FastifyInstance;
  url: string;
  config: MemoryConfigStore;
  close(): Promise<void>;
}

/** A gateway-only data plane on a real port, serving `config`, writing to `databaseUrl`. */
export async function startGateway(options: {
  databaseUrl: string;
  /** Undefined: a gateway that has no config yet. */
  config: WorkspaceConfig | undefined;
  pool?: pg.Pool;
  env?: Record<string, string>;
  /** Keep the real logger (at env LOG_LEVEL) and write it here; otherwise logging is off. */
  logStream?: NodeJS.WritableStream;
}): Promise<RunningGateway> {
  const env = loadEnv({
    DATABASE_URL: options.databaseUrl,
    DATA_PLANE_TOKEN: 'unused-in-gateway-tests',
    ROLES: 'gateway',
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const config = new MemoryConfigStore(options.config);
  const app = await buildDataPlane({
    env,
    config,
    ...(options.logStream ? { logStream: options.logStream } : { logger: false }),
    ...(options.pool ? { pool: options.pool } : {}),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { app, url: `http://127.0.0.1:${port}`, config, close: () => app.close() };
}
