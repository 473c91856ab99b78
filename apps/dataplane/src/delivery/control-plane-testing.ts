import { randomBytes } from 'node:crypto';
import type pg from 'pg';
// The real control plane, for tests of what the data plane pushes to it and pulls from it.
import { buildConfigBackend } from '../../../config-backend/src/app';
import { createPrisma, type Db } from '../../../config-backend/src/db';
import { loadEnv as loadControlPlaneEnv } from '../../../config-backend/src/env';

export interface TestControlPlane {
  prisma: Db;
  url: string;
  close(): Promise<void>;
}

/** The config-backend on a test database, listening on a free local port. */
export async function startControlPlane(databaseUrl: string, pool?: pg.Pool): Promise<TestControlPlane> {
  const prisma = createPrisma(databaseUrl);
  const app = await buildConfigBackend({
    env: loadControlPlaneEnv({
      DATABASE_URL: databaseUrl,
      KEEL_SECRET_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'silent',
    }),
    prisma,
    ...(pool ? { pool } : {}),
    logger: false,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  return {
    prisma,
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    close: async () => {
      await app.close();
      await prisma.$disconnect();
    },
  };
}
