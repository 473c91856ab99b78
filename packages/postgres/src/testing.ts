import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, expect, inject } from 'vitest';
import type { TestProject } from 'vitest/node';
import { withClient, withDatabase } from './database';
import { startEmbeddedPostgres } from './embedded';
import { controlPlaneMigrations, dataPlaneMigrations } from './migration-sets';
import { migrate } from './migrator';

declare module 'vitest' {
  export interface ProvidedContext {
    keelPostgres: { serverUrl: string; template: string };
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Vitest global setup: one Postgres per test run (the embedded one unless DATABASE_URL is
 * set), migrated once into a template database that every test file copies.
 */
export async function setupTestPostgres(project: TestProject): Promise<() => Promise<void>> {
  let stopServer = async () => {};
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'keel-test-pg-'));
    const server = await startEmbeddedPostgres({ dataDir, port: await freePort() });
    serverUrl = server.url;
    stopServer = async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    };
  }
  const template = `keel_template_${process.pid}`;
  await withClient(withDatabase(serverUrl, 'postgres'), async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS ${template}`);
    await admin.query(`CREATE DATABASE ${template}`);
  });
  await withClient(withDatabase(serverUrl, template), async (client) => {
    await migrate(client, controlPlaneMigrations);
    await migrate(client, dataPlaneMigrations);
  });
  project.provide('keelPostgres', { serverUrl, template });
  return async () => {
    await withClient(withDatabase(serverUrl, 'postgres'), (admin) =>
      admin.query(`DROP DATABASE IF EXISTS ${template}`),
    ).catch(() => {});
    await stopServer();
  };
}

export interface TestDatabase {
  url: string;
  name: string;
  /** The server that holds it, for tests that create further databases. */
  serverUrl: string;
}

/** Creates a fresh, migrated database copied from the run's template. */
export async function createTestDatabase(label = 'db'): Promise<TestDatabase> {
  const { serverUrl, template } = inject('keelPostgres');
  const name = `keel_t_${label
    .replace(/[^a-z0-9]/gi, '')
    .slice(0, 20)
    .toLowerCase()}_${Math.random().toString(36).slice(2, 8)}`;
  await withClient(withDatabase(serverUrl, 'postgres'), (admin) =>
    admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`),
  );
  return { url: withDatabase(serverUrl, name), name, serverUrl };
}

/**
 * Drops the database once nothing is connected to it. It never forces: terminating a
 * connection that a test left open would surface in that test's process as an unhandled error.
 * A database still in use after a few seconds is left behind (the test process's exit closes
 * its connections; the embedded server is deleted at the end of the run anyway).
 */
export async function dropTestDatabase(db: TestDatabase): Promise<void> {
  await withClient(withDatabase(db.serverUrl, 'postgres'), async (admin) => {
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${db.name}`);
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== '55006') throw error; // 55006: in use by other sessions
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  });
}

/**
 * Gives the calling test file its own database for all its tests. The database is dropped
 * afterwards, unless a test failed: then it is kept and named, so it can be inspected.
 */
export function useTestDatabase(label?: string): { readonly url: string; readonly pool: pg.Pool } {
  let db: TestDatabase | undefined;
  let pool: pg.Pool | undefined;
  let failed = false;
  beforeAll(async () => {
    db = await createTestDatabase(label ?? path.basename(expect.getState().testPath ?? 'db', '.test.ts'));
    pool = new pg.Pool({ connectionString: db.url, max: 10 });
  });
  beforeEach((context) => {
    context.onTestFailed(() => {
      failed = true;
    });
  });
  afterAll(async () => {
    await pool?.end();
    if (!db) return;
    if (failed) {
      console.warn(`Kept the database of the failed test for inspection: ${db.url}`);
    } else {
      await dropTestDatabase(db);
    }
  });
  return {
    get url() {
      if (!db) throw new Error('useTestDatabase: the database exists only inside tests and hooks');
      return db.url;
    },
    get pool() {
      if (!pool) throw new Error('useTestDatabase: the pool exists only inside tests and hooks');
      return pool;
    },
  };
}
