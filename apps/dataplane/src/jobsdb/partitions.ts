import type pg from 'pg';
import type { Queryable } from './db';
import { LOCK_CLASS, LOCKS } from './locks';

/**
 * A family of tables partitioned on the same job_id ranges, so that a range's partitions are
 * created and dropped together (router jobs and their status rows).
 */
export interface PartitionFamily {
  tables: readonly string[];
  sequence: string;
  /** The advisory lock (in LOCK_CLASS) its writers hold from their first row to their commit. */
  appendLock: number;
}

export const GATEWAY_FAMILY: PartitionFamily = {
  tables: ['gw_jobs'],
  sequence: 'gw_jobs_job_id_seq',
  appendLock: LOCKS.gatewayAppend,
};
export const ROUTER_FAMILY: PartitionFamily = {
  tables: ['rt_jobs', 'rt_status'],
  sequence: 'rt_jobs_job_id_seq',
  appendLock: LOCKS.routerAppend,
};

export interface RangePartition {
  /** Of the first table's partition: one dropped and created again under the same name has another. */
  oid: number;
  /** Inclusive. */
  lo: number;
  /** Exclusive. */
  hi: number;
  names: string[];
}

/**
 * Storage options of every job-table partition (gw_jobs, rt_jobs, rt_status, proc_dedup). They
 * are insert-only and dropped whole, so autovacuum's insert-triggered vacuums and analyzes
 * only cost CPU (about 0.05 cores in the e2e benchmark); the queries on them are written not
 * to need statistics. Postgres still vacuums them against transaction-id wraparound.
 */
export const JOB_PARTITION_STORAGE = 'WITH (autovacuum_enabled = false)';

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const partitionName = (table: string, lo: number, hi: number) => `${table}_r${lo}_${hi}`;

/** The range partitions of a family, oldest first, read from their names. */
export async function listRangePartitions(
  client: Queryable,
  family: PartitionFamily,
): Promise<RangePartition[]> {
  const [first] = family.tables;
  if (!first) return [];
  const { rows } = await client.query<{ oid: number; relname: string }>(
    `SELECT c.oid, c.relname FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid
       JOIN pg_class p ON p.oid = i.inhparent
      WHERE p.relname = $1 AND c.relname LIKE $2`,
    [first, `${first}_r%`],
  );
  const pattern = new RegExp(`^${first}_r(\\d+)_(\\d+)$`);
  return rows
    .flatMap((r) => {
      const m = pattern.exec(r.relname);
      if (!m) return [];
      const lo = Number(m[1]);
      const hi = Number(m[2]);
      return [{ oid: Number(r.oid), lo, hi, names: family.tables.map((t) => partitionName(t, lo, hi)) }];
    })
    .sort((a, b) => a.lo - b.lo);
}

/** The highest id the family's sequence has handed out (0 before the first). */
export async function sequencePosition(client: Queryable, family: PartitionFamily): Promise<number> {
  const { rows } = await client.query<{ last_value: string; is_called: boolean }>(
    `SELECT last_value, is_called FROM ${quote(family.sequence)}`,
  );
  const row = rows[0];
  return row?.is_called ? Number(row.last_value) : 0;
}

/**
 * Keeps `ahead` empty-or-filling partitions of `size` ids beyond the sequence. It holds the
 * family's append lock meanwhile, so no writer is between taking ids and committing: a new
 * range can start right above the sequence even when ids ran past the last partition into
 * the default one (Postgres refuses a range that rows in the default partition belong to).
 */
export async function ensurePartitionsAhead(
  client: pg.ClientBase,
  family: PartitionFamily,
  size: number,
  ahead: number,
): Promise<number> {
  const existing = await listRangePartitions(client, family);
  const upcoming = existing.filter((p) => p.hi > 0).length;
  if (upcoming >= ahead && (existing.at(-ahead)?.lo ?? 0) > (await sequencePosition(client, family)))
    return 0;
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_CLASS, family.appendLock]);
    const position = await sequencePosition(client, family);
    const partitions = await listRangePartitions(client, family);
    let next = Math.max(partitions.at(-1)?.hi ?? 1, position + 1);
    let ready = partitions.filter((p) => p.hi > position).length;
    let created = 0;
    while (ready < ahead) {
      const lo = next;
      const hi = lo + size;
      for (const table of family.tables) {
        await client.query(
          `CREATE TABLE ${quote(partitionName(table, lo, hi))} PARTITION OF ${quote(table)} FOR VALUES FROM (${lo}) TO (${hi}) ${JOB_PARTITION_STORAGE}`,
        );
      }
      next = hi;
      ready += 1;
      created += 1;
    }
    await client.query('COMMIT');
    return created;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

/**
 * Drops one range partition (and its siblings) if `isFinished` holds once nobody else can
 * write to it. The lock waits for writers in flight; their rows are visible to the check that
 * follows, so a partition is never dropped under a job that was still being committed.
 */
export async function dropIfFinished(
  client: pg.ClientBase,
  names: readonly string[],
  isFinished: (client: pg.ClientBase) => Promise<boolean>,
  mode: 'drop' | 'truncate' = 'drop',
  /** The check under the lock; by default `isFinished` again. Keep it cheap: readers wait meanwhile. */
  stillFinished: (client: pg.ClientBase) => Promise<boolean> = isFinished,
  /** Runs under the lock, after the check and before the drop, in the same transaction. */
  beforeDrop?: (client: pg.ClientBase) => Promise<void>,
): Promise<boolean> {
  // Check first without the lock, so that unfinished partitions never block anyone.
  if (!(await isFinished(client))) return false;
  await client.query('BEGIN');
  try {
    // Readers queue behind an ACCESS EXCLUSIVE request; give up quickly and try next round.
    await client.query(`SET LOCAL lock_timeout = '50ms'`);
    await client.query(`LOCK TABLE ${names.map(quote).join(', ')} IN ACCESS EXCLUSIVE MODE`);
    if (!(await stillFinished(client))) {
      await client.query('ROLLBACK');
      return false;
    }
    await beforeDrop?.(client);
    if (mode === 'drop') {
      for (const name of names) await client.query(`DROP TABLE ${quote(name)}`);
    } else {
      await client.query(`TRUNCATE ${names.map(quote).join(', ')}`);
    }
    await client.query('COMMIT');
    return true;
  } catch (error) {
    await client.query('ROLLBACK');
    if ((error as { code?: string }).code === '55P03') return false;
    throw error;
  }
}

/** Bytes on disk of the job tables (gateway and router jobs, statuses), with indexes and TOAST. */
export async function jobsDiskBytes(client: Queryable): Promise<number> {
  const { rows } = await client.query<{ bytes: string }>(
    `SELECT coalesce(sum(pg_total_relation_size(t.relid)), 0) AS bytes
       FROM unnest(ARRAY['gw_jobs', 'rt_jobs', 'rt_status']::regclass[]) AS root(rel),
            LATERAL pg_partition_tree(root.rel) AS t
      WHERE t.isleaf`,
  );
  return Number(rows[0]?.bytes ?? 0);
}

export { quote as quoteIdent };
