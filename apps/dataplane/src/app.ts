import { checkDatabase } from '@keel/postgres';
import { QuietRequestLogs } from '@keel/runtime';
import { limitsFromEnv } from '@keel/transform';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import type { Registry } from 'prom-client';
import type { ConfigStore } from './config/config-store';
import { MemoryConfigStore } from './config/memory-store';
import { ConfigPoller } from './config/poller';
import { ControlPlaneClient } from './delivery/control-plane-client';
import { type Pipeline, startPipeline } from './delivery/pipeline';
import type { DataPlaneEnv } from './env';
import { WriteKeyUsageReporter } from './gateway/key-usage';
import { registerGateway } from './gateway/plugin';
import { createMetricsRegistry } from './metrics';
import type { UserTransformer } from './processor/user-transformation';
import { SandboxUserTransformer } from './processor/user-transformation-sandbox';

export interface DataPlaneDeps {
  env: DataPlaneEnv;
  /** Defaults to a pool on env.databaseUrl. */
  pool?: pg.Pool;
  logger?: boolean | object;
  /** Where the default logger writes (stdout unless given); tests read the logs from it. */
  logStream?: NodeJS.WritableStream;
  /** A config to serve instead of polling the config-backend (tests, tools). */
  config?: ConfigStore;
  /** The user-transformation sandbox for the processor; optional. */
  transformer?: UserTransformer;
}

declare module 'fastify' {
  interface FastifyInstance {
    dataPlane: {
      env: DataPlaneEnv;
      pool: pg.Pool;
      config: ConfigStore;
      metrics: Registry;
      pipeline?: Pipeline;
    };
  }
}

/** Fastify takes a hop count as a function: trust the `hops` proxies nearest to us. */
function trustProxy(setting: boolean | number | string[]) {
  return typeof setting === 'number' ? (_address: string, hop: number) => hop < setting : setting;
}

/** Builds the data plane's HTTP app and the stages its roles name; `server.ts` only starts it. */
export async function buildDataPlane(deps: DataPlaneDeps): Promise<FastifyInstance> {
  const { env } = deps;
  const app = Fastify({
    logger: deps.logger ?? {
      level: env.LOG_LEVEL,
      redact: ['req.headers.authorization', 'req.headers.cookie'],
      // Query strings may carry write keys (?writeKey=), so logs get the path only.
      serializers: {
        req: (request: { method: string; url: string; ip?: string }) => ({
          method: request.method,
          url: request.url.split('?')[0],
          remoteAddress: request.ip,
        }),
      },
      ...(deps.logStream ? { stream: deps.logStream } : {}),
    },
    trustProxy: trustProxy(env.GATEWAY_TRUST_PROXY),
    logController: new QuietRequestLogs(),
  });
  const pool =
    deps.pool ?? new pg.Pool({ connectionString: env.databaseUrl, max: 20, connectionTimeoutMillis: 5000 });
  // An idle client's error (the database restarted) must not crash the process; the next query reconnects.
  const onPoolError = (error: Error) =>
    app.log.warn({ error: error.message }, 'idle database connection lost');
  pool.on('error', onPoolError);
  // A connection that breaks while checked out (between two queries of a long-held client, such
  // as jobs maintenance's) would emit an unheard 'error' and crash the process; the query that
  // next uses it fails on its own and is retried by its loop.
  const onClientError = (error: Error) => app.log.warn({ error: error.message }, 'database connection lost');
  const listenOnClient = (client: pg.PoolClient) => client.on('error', onClientError);
  pool.on('connect', listenOnClient);
  const metrics = createMetricsRegistry();
  const config = deps.config ?? new MemoryConfigStore();
  app.decorate('dataPlane', { env, pool, config, metrics });
  app.addHook('onClose', async () => {
    pool.off('error', onPoolError);
    pool.off('connect', listenOnClient);
    if (!deps.pool) await pool.end();
  });

  if (!deps.config) {
    const poller = new ConfigPoller({
      pool,
      store: config as MemoryConfigStore,
      configBackendUrl: env.CONFIG_BACKEND_URL,
      dataPlaneToken: env.DATA_PLANE_TOKEN,
      intervalMs: env.CONFIG_POLL_INTERVAL_MS,
      log: app.log,
    });
    app.addHook('onClose', async () => poller.stop());
    await poller.start();
  }

  app.get('/metrics', async (_request, reply) => {
    return reply.header('content-type', metrics.contentType).send(await metrics.metrics());
  });

  if (env.ROLES.includes('gateway')) {
    await registerGateway(app, {
      pool,
      config,
      registry: metrics,
      keyUsage: deps.config ? undefined : keyUsageReporter(app, env),
      settings: {
        maxRequestBytes: env.GATEWAY_MAX_REQUEST_BYTES,
        maxEventBytes: env.GATEWAY_MAX_EVENT_BYTES,
        maxQueueBytes: env.GATEWAY_QUEUE_MAX_BYTES,
        maxBatchEvents: env.GATEWAY_COMMIT_MAX_EVENTS,
        concurrency: env.GATEWAY_COMMIT_CONCURRENCY,
        commitTimeoutMs: env.GATEWAY_COMMIT_TIMEOUT_MS,
        lingerMs: env.GATEWAY_COMMIT_LINGER_MS,
        failureBackoffMs: 1000,
      },
    });
  }

  // Processor, router, job-table upkeep and control-plane pushers, for this process's roles.
  const transformer =
    deps.transformer ?? (env.ROLES.includes('processor') ? sandboxTransformer(app, env, config) : undefined);
  const pipeline = startPipeline({ env, pool, config, log: app.log, transformer });
  app.dataPlane.pipeline = pipeline;
  app.addHook('preClose', async () => pipeline.stop());

  app.get('/health', async (_request, reply) => {
    const database = await checkDatabase(pool);
    return reply
      .code(database.ok ? 200 : 503)
      .send({ status: database.ok ? 'ok' : 'unavailable', roles: env.ROLES, database });
  });

  return app;
}

/**
 * Pushes write keys' last-used times to the config-backend the config came from (an injected
 * config has no one to tell). Recording costs the request path one Map set.
 */
function keyUsageReporter(app: FastifyInstance, env: DataPlaneEnv): WriteKeyUsageReporter {
  const client = new ControlPlaneClient(env.CONFIG_BACKEND_URL, env.DATA_PLANE_TOKEN);
  const reporter = new WriteKeyUsageReporter({
    dataPlaneId: env.DATA_PLANE_ID,
    push: (batch) => client.postWriteKeyUsage(batch),
    intervalMs: env.WRITE_KEY_USAGE_PUSH_INTERVAL_MS,
    onPushError: (error) =>
      app.log.warn({ err: error }, 'could not push write keys’ last-used times; retrying next round'),
  });
  reporter.start();
  app.addHook('onClose', () => reporter.stop());
  return reporter;
}

/** The sandbox processes that run user transformations; they start with the first transformation. */
function sandboxTransformer(app: FastifyInstance, env: DataPlaneEnv, config: ConfigStore): UserTransformer {
  const transformer = new SandboxUserTransformer({
    config,
    limits: limitsFromEnv(env),
    processes: env.TRANSFORM_PROCESSES,
    registry: app.dataPlane.metrics,
    onBatchError: (transformation, error) =>
      app.log.warn(
        { transformationId: transformation.id, versionId: transformation.versionId, error },
        'transformation batch failed',
      ),
  });
  app.addHook('onClose', () => transformer.close());
  return transformer;
}
