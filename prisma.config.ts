import { defineConfig } from 'prisma/config';

// Only `prisma generate` runs on developer machines; migrations are applied by Keel's own
// migrator (packages/postgres), so that `prisma migrate deploy` would also accept them.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/keel' },
});
