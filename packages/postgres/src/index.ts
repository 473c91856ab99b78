export { checkDatabase, databaseName, ensureDatabase, withClient, withDatabase } from './database';
export {
  type EmbeddedPostgresOptions,
  embeddedDatabaseUrl,
  type RunningPostgres,
  startEmbeddedPostgres,
} from './embedded';
export { jsonbSafe, jsonbText } from './jsonb';
export { controlPlaneMigrations, dataPlaneMigrations } from './migration-sets';
export { type MigrateResult, type Migration, type MigrationSet, migrate, readMigrations } from './migrator';
