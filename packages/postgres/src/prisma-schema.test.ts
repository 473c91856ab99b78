import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { controlPlaneMigrations } from './migration-sets';
import { expectedColumnType, parsePrismaSchema } from './prisma-schema';
import { useTestDatabase } from './testing';

const db = useTestDatabase('prismaschema');
const schemaPath = path.join(controlPlaneMigrations.dir, '..', 'schema.prisma');

const ON_DELETE: Record<string, string> = {
  Cascade: 'CASCADE',
  Restrict: 'RESTRICT',
  SetNull: 'SET NULL',
  NoAction: 'NO ACTION',
};

async function indexColumns(table: string, unique: boolean): Promise<string[]> {
  const { rows } = await db.pool.query<{ cols: string }>(
    `SELECT string_agg(a.attname, ',' ORDER BY k.ord) AS cols
       FROM pg_index i
       JOIN pg_class t ON t.oid = i.indrelid
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      WHERE t.relname = $1 AND i.indisunique = $2 AND NOT i.indisprimary
      GROUP BY i.indexrelid`,
    [table, unique],
  );
  return rows.map((r) => r.cols).sort();
}

describe('the migrated database matches prisma/schema.prisma', async () => {
  const schema = parsePrismaSchema(await readFile(schemaPath, 'utf8'));

  it('has every model as a table with exactly its columns, types and nullability', async () => {
    for (const model of schema.models) {
      const { rows } = await db.pool.query<{
        column_name: string;
        data_type: string;
        is_nullable: string;
        udt_name: string;
      }>(
        `SELECT column_name, data_type, is_nullable, udt_name FROM information_schema.columns
          WHERE table_schema = 'public' AND table_name = $1 ORDER BY column_name`,
        [model.table],
      );
      expect(rows.length, `table ${model.table} for model ${model.name}`).toBeGreaterThan(0);
      const actual = Object.fromEntries(rows.map((r) => [r.column_name, r]));
      expect(Object.keys(actual).sort(), `columns of ${model.table}`).toEqual(
        model.fields.map((f) => f.column).sort(),
      );
      for (const field of model.fields) {
        const column = actual[field.column];
        const where = `${model.table}.${field.column}`;
        expect(column?.data_type, where).toBe(expectedColumnType(field, schema.enums));
        if (schema.enums.has(field.type)) expect(column?.udt_name, where).toBe(field.type);
        // Prisma creates scalar lists as nullable columns, whatever the schema says.
        expect(column?.is_nullable, where).toBe(field.optional || field.list ? 'YES' : 'NO');
      }
    }
  });

  it('has every enum with exactly its values, in order', async () => {
    for (const [name, values] of schema.enums) {
      const { rows } = await db.pool.query<{ label: string }>(
        `SELECT e.enumlabel AS label FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
          WHERE t.typname = $1 ORDER BY e.enumsortorder`,
        [name],
      );
      expect(
        rows.map((r) => r.label),
        `enum ${name}`,
      ).toEqual(values);
    }
  });

  it('has the primary keys, unique constraints and indexes the schema declares', async () => {
    for (const model of schema.models) {
      const { rows } = await db.pool.query<{ cols: string }>(
        `SELECT string_agg(a.attname, ',' ORDER BY k.ord) AS cols
           FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
           CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
           JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
          WHERE t.relname = $1 AND i.indisprimary GROUP BY i.indexrelid`,
        [model.table],
      );
      expect(rows[0]?.cols, `primary key of ${model.table}`).toBe(model.primaryKey.join(','));
      expect(await indexColumns(model.table, true), `unique indexes of ${model.table}`).toEqual(
        model.uniques.map((u) => u.join(',')).sort(),
      );
      expect(await indexColumns(model.table, false), `indexes of ${model.table}`).toEqual(
        model.indexes.map((u) => u.join(',')).sort(),
      );
    }
  });

  it('has a foreign key for every relation, with its delete rule', async () => {
    for (const model of schema.models) {
      const { rows } = await db.pool.query<{
        cols: string;
        target: string;
        refcols: string;
        delete_rule: string;
      }>(
        `SELECT string_agg(kcu.column_name, ',' ORDER BY kcu.ordinal_position) AS cols,
                min(ccu.table_name) AS target,
                string_agg(DISTINCT ccu.column_name, ',') AS refcols,
                min(rc.delete_rule) AS delete_rule
           FROM information_schema.table_constraints tc
           JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name
           JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name
           JOIN information_schema.referential_constraints rc ON rc.constraint_name = tc.constraint_name
          WHERE tc.table_name = $1 AND tc.constraint_type = 'FOREIGN KEY'
          GROUP BY tc.constraint_name ORDER BY 1`,
        [model.table],
      );
      const expected = model.relations
        .map((r) => ({
          cols: r.fields.join(','),
          target: schema.models.find((m) => m.name === r.model)?.table,
          refcols: r.references.join(','),
          delete_rule: ON_DELETE[r.onDelete ?? ''] ?? (r.fields.length ? 'RESTRICT' : 'NO ACTION'),
        }))
        .sort((a, b) => a.cols.localeCompare(b.cols));
      expect(rows, `foreign keys of ${model.table}`).toEqual(expected);
    }
  });

  it('has a column default exactly where the schema declares one', async () => {
    for (const model of schema.models) {
      const { rows } = await db.pool.query<{ column_name: string; has_default: boolean }>(
        `SELECT column_name, column_default IS NOT NULL AS has_default FROM information_schema.columns
          WHERE table_schema = 'public' AND table_name = $1`,
        [model.table],
      );
      for (const field of model.fields) {
        const row = rows.find((r) => r.column_name === field.column);
        expect(row?.has_default, `default of ${model.table}.${field.column}`).toBe(
          /@default\(/.test(field.attributes),
        );
      }
    }
  });
});
