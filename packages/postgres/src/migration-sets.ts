import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MigrationSet } from './migrator';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export const controlPlaneMigrations: MigrationSet = {
  dir: path.join(repoRoot, 'prisma/migrations'),
  table: '_prisma_migrations',
  lockKey: 7_201_001,
};

/** The data plane's tables migrate on their own, because a data plane may have its own Postgres. */
export const dataPlaneMigrations: MigrationSet = {
  dir: path.join(repoRoot, 'apps/dataplane/migrations'),
  table: '_keel_dataplane_migrations',
  lockKey: 7_201_002,
};
