export { setupTestPostgres as default } from './packages/postgres/src/testing';
