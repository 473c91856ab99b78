import fastifyCookie from '@fastify/cookie';
import { checkDatabase } from '@keel/postgres';
import { DATA_PLANE_API_PREFIX } from '@keel/shared';
import { limitsFromEnv } from '@keel/transform';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { dataPlaneApi } from './data-plane-api/plugin';
import { createPrisma, type Db } from './db';
import type { ConfigBackendEnv } from './env';
import { type ConfigBackendMetrics, createConfigBackendMetrics } from './metrics';
import { transformWorkerPlugin } from './transform-worker/plugin';
import { trpcPlugin } from './trpc/plugin';

export interface ConfigBackendDeps {
  env: ConfigBackendEnv;
  /** Defaults to a client on env.DATABASE_URL. */
  prisma?: Db;
  /** Raw pool for health checks and LISTEN/NOTIFY; defaults to one on env.DATABASE_URL. */
  pool?: pg.Pool;
  logger?: boolean | object;
}

declare module 'fastify' {
  interface FastifyInstance {
    keel: {
      env: ConfigBackendEnv;
      prisma: Db;
      pool: pg.Pool;
      secretKey: Buffer;
      metrics: ConfigBackendMetrics;
    };
  }
}

/** Builds the config-backend; `server.ts` only starts it, and tests call it with `inject`. */
export async function buildConfigBackend(deps: ConfigBackendDeps): Promise<FastifyInstance> {
  const { env } = deps;
  const app = Fastify({
    logger: deps.logger ?? {
      level: env.LOG_LEVEL,
      redact: ['req.headers.authorization', 'req.headers.cookie'],
    },
    bodyLimit: 10 * 1024 * 1024,
    // tRPC batches put several procedure names in the path.
    routerOptions: { maxParamLength: 5000 },
  });
  const prisma = deps.prisma ?? createPrisma(env.DATABASE_URL);
  const pool = deps.pool ?? new pg.Pool({ connectionString: env.DATABASE_URL, max: 5 });
  // An idle connection's error (the database restarted) must not crash the process; the next
  // query reconnects.
  const onPoolError = (error: Error) =>
    app.log.warn({ error: error.message }, 'idle database connection lost');
  pool.on('error', onPoolError);
  const metrics = createConfigBackendMetrics();
  app.decorate('keel', {
    env,
    prisma,
    pool,
    secretKey: Buffer.from(env.KEEL_SECRET_KEY, 'base64'),
    metrics,
  });
  app.addHook('onClose', async () => {
    pool.off('error', onPoolError);
    if (!deps.prisma) await prisma.$disconnect();
    if (!deps.pool) await pool.end();
  });

  // Data planes poll and Prometheus scrapes every few seconds; their routine requests would
  // drown every other log line.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith(DATA_PLANE_API_PREFIX) || route.url === '/metrics') route.logLevel = 'warn';
  });
  app.addHook('onResponse', (request, reply, done) => {
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched' };
    metrics.httpRequests.inc({ ...labels, status: String(reply.statusCode) });
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    done();
  });
  await app.register(fastifyCookie);
  await app.register(transformWorkerPlugin, {
    limits: limitsFromEnv(env),
    processes: env.TRANSFORM_PROCESSES,
  });
  await app.register(trpcPlugin);
  await app.register(dataPlaneApi, { prefix: DATA_PLANE_API_PREFIX });

  app.get('/metrics', async (_request, reply) => {
    return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.get('/health', async (_request, reply) => {
    const database = await checkDatabase(pool);
    return reply.code(database.ok ? 200 : 503).send({ status: database.ok ? 'ok' : 'unavailable', database });
  });

  return app;
}
