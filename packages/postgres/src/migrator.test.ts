import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate } from './migrator';
import { useTestDatabase } from './testing';

const db = useTestDatabase('migrator');

async function migrationDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'keel-migrations-'));
  for (const [name, sql] of Object.entries(files)) {
    await mkdir(path.join(dir, name));
    await writeFile(path.join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

describe('migrate', () => {
  it('applies pending migrations once, in name order, and records them as Prisma does', async () => {
    const dir = await migrationDir({
      '20260101000000_a': 'CREATE TABLE t_a (id int);',
      '20260102000000_b': 'ALTER TABLE t_a ADD COLUMN b text;',
    });
    const set = { dir, table: '_test_migrations_1', lockKey: 1 };
    const client = await db.pool.connect();
    try {
      expect((await migrate(client, set)).applied).toEqual(['20260101000000_a', '20260102000000_b']);
      expect((await migrate(client, set)).applied).toEqual([]);
      const { rows } = await client.query(
        'SELECT migration_name, finished_at IS NOT NULL AS finished, length(checksum) AS len FROM _test_migrations_1 ORDER BY migration_name',
      );
      expect(rows).toEqual([
        { migration_name: '20260101000000_a', finished: true, len: 64 },
        { migration_name: '20260102000000_b', finished: true, len: 64 },
      ]);
    } finally {
      client.release();
    }
  });

  it('is safe when two processes migrate at once', async () => {
    const dir = await migrationDir({ '20260101000000_a': 'CREATE TABLE t_concurrent (id int);' });
    const set = { dir, table: '_test_migrations_2', lockKey: 2 };
    const [c1, c2] = await Promise.all([db.pool.connect(), db.pool.connect()]);
    try {
      const results = await Promise.all([migrate(c1, set), migrate(c2, set)]);
      expect(results.flatMap((r) => r.applied)).toEqual(['20260101000000_a']);
    } finally {
      c1.release();
      c2.release();
    }
  });

  it('rolls back a failing migration and names it', async () => {
    const dir = await migrationDir({
      '20260101000000_ok': 'CREATE TABLE t_ok (id int);',
      '20260102000000_bad': 'CREATE TABLE t_half (id int); SELECT * FROM no_such_table;',
    });
    const client = await db.pool.connect();
    try {
      await expect(migrate(client, { dir, table: '_test_migrations_3', lockKey: 3 })).rejects.toThrow(
        /Migration 20260102000000_bad failed: .*no_such_table/,
      );
      const { rows } = await client.query("SELECT to_regclass('t_half') AS half, to_regclass('t_ok') AS ok");
      expect(rows[0]).toEqual({ half: null, ok: 't_ok' });
    } finally {
      client.release();
    }
  });

  it('refuses to continue when an applied migration was edited', async () => {
    const dir = await migrationDir({ '20260101000000_a': 'CREATE TABLE t_edit (id int);' });
    const set = { dir, table: '_test_migrations_4', lockKey: 4 };
    const client = await db.pool.connect();
    try {
      await migrate(client, set);
      await writeFile(
        path.join(dir, '20260101000000_a', 'migration.sql'),
        'CREATE TABLE t_edit (id bigint);',
      );
      await expect(migrate(client, set)).rejects.toThrow(/was changed after it was applied/);
    } finally {
      client.release();
    }
  });
});
