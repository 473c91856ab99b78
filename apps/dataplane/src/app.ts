import { checkDatabase } from '@keel/postgres';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import type { DataPlaneEnv } from './env';

export interface DataPlaneDeps {
  env: DataPlaneEnv;
  /** Defaults to a pool on env.databaseUrl. */
  pool?: pg.Pool;
  logger?: boolean | object;
}

declare module 'fastify' {
  interface FastifyInstance {
    dataPlane: { env: DataPlaneEnv; pool: pg.Pool };
  }
}

/** Builds the data plane's HTTP app and the stages its roles name; `server.ts` only starts it. */
export async function buildDataPlane(deps: DataPlaneDeps): Promise<FastifyInstance> {
  const { env } = deps;
  const app = Fastify({
    logger: deps.logger ?? {
      level: env.LOG_LEVEL,
      redact: ['req.headers.authorization', 'req.headers.cookie'],
    },
  });
  const pool = deps.pool ?? new pg.Pool({ connectionString: env.databaseUrl, max: 20 });
  app.decorate('dataPlane', { env, pool });
  app.addHook('onClose', async () => {
    if (!deps.pool) await pool.end();
  });

  app.get('/health', async (_request, reply) => {
    const database = await checkDatabase(pool);
    return reply
      .code(database.ok ? 200 : 503)
      .send({ status: database.ok ? 'ok' : 'unavailable', roles: env.ROLES, database });
  });

  return app;
}
