import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import { deleteExpiredFailedEvents } from '../delivery/failed-events';
import { bucketOf, dropOldDedupPartitions, ensureDedupPartitions } from '../processor/dedup';
import { processedUpTo } from './gateway-reader';
import { LOCK_CLASS, LOCKS } from './locks';
import {
  dropIfFinished,
  ensurePartitionsAhead,
  GATEWAY_FAMILY,
  listRangePartitions,
  type RangePartition,
  ROUTER_FAMILY,
  sequencePosition,
} from './partitions';

export interface MaintenanceOptions {
  /** Job ids per partition. */
  partitionSize: number;
  /** Empty partitions kept ready beyond the newest id. */
  partitionsAhead: number;
  dedupWindowMs: number;
  failedEventsRetentionDays: number;
}

export interface MaintenanceResult {
  created: number;
  dropped: number;
}

/**
 * The jobs an rt_jobs partition (or the default one) holds. A row stands for `job_count`
 * consecutive ids from its `job_id`, so the ids run from the first row's id to the last row's
 * last one, and no other partition's job has an id in between (ids are handed out in order,
 * under the append lock). The last row's ids can run past the partition's upper bound, and the
 * statuses of those jobs then live in the next status partition: partitions are checked
 * against the statuses of their ids, wherever those are.
 */
export interface RouterJobSpan {
  jobs: number;
  /** The first and the last job id (0 and -1 for none). */
  lo: number;
  hi: number;
  /** The newest row's id. */
  maxJobId: number;
}

async function routerJobSpan(c: pg.ClientBase, jobs: string): Promise<RouterJobSpan> {
  const { rows } = await c.query<{
    jobs: string;
    lo: string | null;
    hi: string | null;
    max_job_id: string | null;
  }>(
    `SELECT coalesce(sum(job_count), 0) AS jobs, min(job_id) AS lo, max(job_id + job_count - 1) AS hi,
            max(job_id) AS max_job_id
       FROM "${jobs}"`,
  );
  const row = rows[0];
  return {
    jobs: Number(row?.jobs ?? 0),
    lo: Number(row?.lo ?? 0),
    hi: row?.hi === null || row?.hi === undefined ? -1 : Number(row.hi),
    maxJobId: Number(row?.max_job_id ?? 0),
  };
}

/**
 * What maintenance rounds remember of the rt_jobs partitions that the sequence has passed, by
 * partition oid, kept by whoever runs the rounds.
 * - `spans`: such a partition only grows by the rows of a writer that was still committing
 *   when it was counted, so a remembered span holds at most the real one's jobs; the exact
 *   check, which counts again, replaces it.
 * - `finishedUpTo`: partitions the exact check found finished, with the newest job it saw. They
 *   stay finished (only a late writer's higher ids could change that, and the check under the
 *   lock looks for those), so a round whose drop could not get the lock does not count again.
 */
export interface RouterPartitionMemory {
  spans: Map<number, RouterJobSpan>;
  finishedUpTo: Map<number, number>;
}

export function routerPartitionMemory(): RouterPartitionMemory {
  return { spans: new Map(), finishedUpTo: new Map() };
}

const FINAL_STATUS = `status IN ('delivered', 'aborted')`;

/**
 * The ids in `span` with a final status, counted once each: DISTINCT because delivery is at
 * least once, and a job sent again after a crash can have two 'delivered' rows. Linear counts,
 * not an anti-join, so that partitions the planner has no statistics for are still checked in
 * one pass; the range prunes rt_status to the partitions that can hold them. The ids of a row
 * for several deliveries count one by one, those of this span only: a request can deliver
 * jobs of the next partition too. `own` narrows the ids further (the default partition's jobs
 * need not be one range).
 */
const FINISHED_IDS = (span: RouterJobSpan, own = 'true') =>
  `SELECT count(DISTINCT id) AS n FROM (
     SELECT job_id AS id FROM rt_status
      WHERE ${FINAL_STATUS} AND job_ids IS NULL AND job_id BETWEEN ${span.lo} AND ${span.hi}
     UNION ALL
     SELECT e FROM rt_status s CROSS JOIN LATERAL unnest(s.job_ids) e
      WHERE s.${FINAL_STATUS} AND s.job_ids IS NOT NULL AND s.last_job_id >= ${span.lo} AND s.job_id <= ${span.hi}
        AND e BETWEEN ${span.lo} AND ${span.hi}
   ) f WHERE ${own}`;

/** Whether the job id `id` (an SQL expression) is one of the default partition's rows' jobs. */
const inDefault = (id: string) =>
  `EXISTS (SELECT 1 FROM rt_jobs_default j WHERE j.job_id <= ${id} AND ${id} < j.job_id + j.job_count)`;

/**
 * Before a status partition goes, the ids its multi-delivery rows hold for jobs of other
 * partitions move there, one row each, so that those partitions keep the proof that their
 * jobs were delivered. Rare: only a request whose jobs straddle a partition bound has them.
 */
const MOVE_FOREIGN_DELIVERIES = (statuses: string, foreign: string) =>
  `INSERT INTO rt_status (job_id, status, attempt, error_code, at)
   SELECT e, s.status, s.attempt, s.error_code, s.at
     FROM "${statuses}" s CROSS JOIN LATERAL unnest(s.job_ids) e
    WHERE s.job_ids IS NOT NULL AND ${foreign}`;

interface RouterFinishedCheck {
  finished: boolean;
  span: RouterJobSpan;
}

/** Exact: every job of the table has a final status. */
async function checkRouterFinished(
  c: pg.ClientBase,
  jobs: string,
  own?: string,
): Promise<RouterFinishedCheck> {
  const span = await routerJobSpan(c, jobs);
  if (span.jobs === 0) return { finished: true, span };
  const { rows } = await c.query<{ n: string }>(FINISHED_IDS(span, own));
  return { finished: Number(rows[0]?.n ?? -1) === span.jobs, span };
}

/**
 * A necessary condition, checked before the exact one: every finished job has at least one final
 * row, so fewer final rows than jobs means some job has none. With the span remembered it
 * scans only the narrow status rows, without the job rows or a sort.
 */
async function mayBeFinished(
  c: pg.ClientBase,
  partition: RangePartition,
  spans: Map<number, RouterJobSpan>,
): Promise<boolean> {
  let span = spans.get(partition.oid);
  if (span === undefined) {
    span = await routerJobSpan(c, partition.names[0] as string);
    spans.set(partition.oid, span);
  }
  if (span.jobs === 0) return true;
  const { rows } = await c.query<{ n: string }>(
    `SELECT coalesce(sum(coalesce(cardinality(job_ids), 1)), 0) AS n FROM rt_status
      WHERE ${FINAL_STATUS}
        AND (job_id BETWEEN ${span.lo} AND ${span.hi}
             OR (job_ids IS NOT NULL AND job_id < ${span.lo} AND last_job_id >= ${span.lo}))`,
  );
  return Number(rows[0]?.n ?? 0) >= span.jobs;
}

/**
 * The oldest gateway job a router job still refers to, or null for none. The processor appends
 * router jobs in the order of their gateway jobs, one transaction at a time under the append
 * lock, so references grow with the router job id and the first one found in job-id order is
 * the lowest: one descent of the rt_jobs primary key, not a scan. Replays hold their bodies.
 */
async function oldestReferencedGatewayJob(c: pg.ClientBase): Promise<number | null> {
  const { rows } = await c.query<{ gw_job_id: string }>(
    'SELECT gw_job_id FROM rt_jobs WHERE gw_job_id IS NOT NULL ORDER BY job_id LIMIT 1',
  );
  return rows[0] ? Number(rows[0].gw_job_id) : null;
}

/**
 * Whether every gateway job below `hi` is done with: processed, and no router job still
 * refers to it for its body. Nothing can refer to it later: the processor is past it.
 */
async function gatewayFinishedBelow(c: pg.ClientBase, hi: number): Promise<boolean> {
  if ((await processedUpTo(c)) < hi - 1) return false;
  const referenced = await oldestReferencedGatewayJob(c);
  return referenced === null || referenced >= hi;
}

/** Drops an rt_jobs partition and its rt_status sibling if every job in it has a final status. */
async function dropRouterPartitionIfFinished(
  client: pg.ClientBase,
  partition: RangePartition,
  memory: RouterPartitionMemory,
): Promise<boolean> {
  const [jobs, statuses] = partition.names as [string, string];
  let seenUpTo = memory.finishedUpTo.get(partition.oid) ?? 0;
  return dropIfFinished(
    client,
    partition.names,
    async (c) => {
      if (memory.finishedUpTo.has(partition.oid)) return true;
      if (!(await mayBeFinished(c, partition, memory.spans))) return false;
      const check = await checkRouterFinished(c, jobs);
      memory.spans.set(partition.oid, check.span);
      seenUpTo = check.span.maxJobId;
      if (check.finished) memory.finishedUpTo.set(partition.oid, seenUpTo);
      return check.finished;
    },
    'drop',
    // Under the lock only what the count could have missed: rows of a writer that was still
    // committing, which has the higher ids (ordered appends). Counting again under the lock
    // held readers up for seconds.
    async (c) => {
      const { rows: r } = await c.query(`SELECT 1 FROM "${jobs}" WHERE job_id > $1 LIMIT 1`, [seenUpTo]);
      if (r.length > 0) memory.finishedUpTo.delete(partition.oid);
      return r.length === 0;
    },
    async (c) => {
      await c.query(
        MOVE_FOREIGN_DELIVERIES(
          statuses,
          `s.last_job_id >= ${Math.trunc(partition.hi)} AND e >= ${Math.trunc(partition.hi)}`,
        ),
      );
    },
  );
}

/** Forgets what it knew of partitions that are gone (dropped by this or another process). */
function forgetGonePartitions(memory: RouterPartitionMemory, partitions: readonly RangePartition[]): void {
  const present = new Set(partitions.map((p) => p.oid));
  for (const map of [memory.spans, memory.finishedUpTo]) {
    for (const oid of map.keys()) if (!present.has(oid)) map.delete(oid);
  }
}

/**
 * Whether a range partition's last row runs past the partitions that follow it without a gap,
 * into ids that only the default partition holds, so that statuses of its jobs may sit in the
 * default status partition. Truncating that would lose them; it waits until the partition is
 * gone. Happens only when the writers ran past the partitions made ahead. One descent of each
 * partition's primary key.
 */
async function statusesInDefaultForPartitions(
  c: pg.ClientBase,
  partitions: readonly RangePartition[],
): Promise<boolean> {
  let coveredUpTo = 0;
  for (let i = partitions.length - 1; i >= 0; i--) {
    const p = partitions[i] as RangePartition;
    coveredUpTo = partitions[i + 1]?.lo === p.hi ? coveredUpTo : p.hi;
    const { rows } = await c.query<{ past: boolean }>(
      `SELECT job_id + job_count > $1 AS past FROM "${p.names[0]}" ORDER BY job_id DESC LIMIT 1`,
      [coveredUpTo],
    );
    if (rows[0]?.past) return true;
  }
  return false;
}

/**
 * One round of upkeep, serialised across processes by an advisory lock: partitions created
 * ahead, finished partitions dropped, old dedup generations and expired failed events removed.
 */
export async function runMaintenance(
  client: pg.ClientBase,
  options: MaintenanceOptions,
  memory: RouterPartitionMemory = routerPartitionMemory(),
): Promise<MaintenanceResult> {
  const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [
    LOCK_CLASS,
    LOCKS.maintenance,
  ]);
  if (!rows[0]?.ok) return { created: 0, dropped: 0 };
  try {
    let created = 0;
    let dropped = 0;
    created += await ensurePartitionsAhead(
      client,
      GATEWAY_FAMILY,
      options.partitionSize,
      options.partitionsAhead,
    );
    created += await ensurePartitionsAhead(
      client,
      ROUTER_FAMILY,
      options.partitionSize,
      options.partitionsAhead,
    );

    // Router partitions first, so that the gateway partitions their jobs referred into can go in
    // the same round. Finished when every job has a final status. Oldest first, stopping at the
    // first unfinished one: each check scans a partition's statuses (measured: batched e2e 3.0k
    // ev/s over 60 s checking them all each round, 5.0k over 40 s stopping at the first).
    const rtPosition = await sequencePosition(client, ROUTER_FAMILY);
    const rtPartitions = await listRangePartitions(client, ROUTER_FAMILY);
    forgetGonePartitions(memory, rtPartitions);
    for (const p of rtPartitions) {
      if (p.hi - 1 > rtPosition) break;
      if (!(await dropRouterPartitionIfFinished(client, p, memory))) break;
      dropped += 1;
    }
    await dropIfFinished(
      client,
      ['rt_jobs_default', 'rt_status_default'],
      async (c) => {
        const { rows: any } = await c.query('SELECT 1 FROM rt_jobs_default LIMIT 1');
        if (any.length === 0) return false;
        if (await statusesInDefaultForPartitions(c, await listRangePartitions(c, ROUTER_FAMILY)))
          return false;
        return (await checkRouterFinished(c, 'rt_jobs_default', inDefault('f.id'))).finished;
      },
      'truncate',
      undefined,
      async (c) => {
        await c.query(MOVE_FOREIGN_DELIVERIES('rt_status_default', `NOT ${inDefault('e')}`));
      },
    );

    // Gateway partitions: finished once the processor's progress has passed their last id and
    // no router job refers to one of their events any more.
    const gwPosition = await sequencePosition(client, GATEWAY_FAMILY);
    for (const p of await listRangePartitions(client, GATEWAY_FAMILY)) {
      if (p.hi - 1 > gwPosition) break;
      if (!(await dropIfFinished(client, p.names, (c) => gatewayFinishedBelow(c, p.hi)))) break;
      dropped += 1;
    }
    const upTo = await processedUpTo(client);
    await dropIfFinished(
      client,
      ['gw_jobs_default'],
      // Only once rows landed there: truncating an empty partition each round locks readers out for nothing.
      async (c) => {
        const processed = await processedUpTo(c);
        const referenced = await oldestReferencedGatewayJob(c);
        const { rows: r } = await c.query<{ finished: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM gw_jobs_default)
                  AND NOT EXISTS (SELECT 1 FROM gw_jobs_default WHERE job_id > $1) AS finished`,
          [referenced === null ? processed : Math.min(processed, referenced - 1)],
        );
        return r[0]?.finished === true;
      },
      'truncate',
    );
    // The processor only needs its newest mark.
    await client.query('DELETE FROM proc_done WHERE last_job_id < $1', [upTo]);

    if (options.dedupWindowMs > 0) {
      const bucket = bucketOf(Date.now(), options.dedupWindowMs);
      await ensureDedupPartitions(client, bucket);
      dropped += await dropOldDedupPartitions(client, bucket);
    }
    await deleteExpiredFailedEvents(client, options.failedEventsRetentionDays);
    return { created, dropped };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_CLASS, LOCKS.maintenance]);
  }
}

/** Runs maintenance every `intervalMs` on its own connection until stopped. */
export function startMaintenance(
  pool: pg.Pool,
  options: MaintenanceOptions,
  intervalMs: number,
  log: FastifyBaseLogger,
): { stop(): Promise<void>; runNow(): Promise<MaintenanceResult> } {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const memory = routerPartitionMemory();
  const round = async (): Promise<MaintenanceResult> => {
    const client = await pool.connect();
    try {
      return await runMaintenance(client, options, memory);
    } finally {
      client.release();
    }
  };
  const tick = () => {
    running = round().catch((error: unknown) =>
      log.error({ err: error }, 'jobs maintenance failed; retrying'),
    );
  };
  tick();
  const timer = setInterval(() => {
    if (!stopped) tick();
  }, intervalMs);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
    runNow: async () => {
      await running;
      return round();
    },
  };
}
