import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import type { ConfigStore } from '../config/config-store';
import type { LiveSampler } from '../delivery/live';
import { runScript } from '../jobsdb/copy';
import {
  markGatewayDoneSql,
  processedUpTo,
  readGatewayJobs,
  type StoredGatewayJob,
} from '../jobsdb/gateway-reader';
import { LeaseHolder } from '../jobsdb/leases';
import { LOCK_CLASS, LOCKS } from '../jobsdb/locks';
import { type NewRouterJob, routerJobsSteps } from '../jobsdb/router-jobs';
import { ReportCollector, reportDeltasStep } from '../reports/deltas';
import {
  bucketOf,
  type DedupKey,
  dedupKeyOf,
  ensureDedupPartitions,
  findSeen,
  rememberIdsStep,
} from './dedup';
import { processBatch } from './process-batch';
import type { UserTransformer } from './user-transformation';

export interface ProcessorOptions {
  pool: pg.Pool;
  databaseUrl: string;
  config: ConfigStore;
  log: FastifyBaseLogger;
  transformer?: UserTransformer;
  live?: LiveSampler;
  /** Gateway jobs per transaction. */
  batchSize: number;
  /** 0 turns deduplication off. */
  dedupWindowMs: number;
  shards: number;
  /** Pause when there was nothing to do. */
  idleMs: number;
  /**
   * After a read that found fewer than `batchSize` events, the next read waits until this long
   * after that one began, so that at moderate load batches fill instead of running many small
   * transactions (see PROCESSOR_BATCH_WAIT_MS). 0 reads again at once.
   */
  batchWaitMs: number;
  /** Called after each committed batch, e.g. to wake the router in this process. */
  onCommit?: () => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface DedupLookup {
  bucket: number;
  keys: DedupKey[];
  seen: Set<string>;
}

/** A batch read from gw_jobs, with its dedup lookup under way (none with dedup off). */
interface FetchedBatch {
  jobs: StoredGatewayJob[];
  lookup?: Promise<DedupLookup>;
  /** When its read began (ms since the epoch). */
  readAt: number;
}

interface PreparedBatch {
  jobs: StoredGatewayJob[];
  routerJobs: NewRouterJob[];
  remember: DedupKey[];
  bucket: number;
  reports: ReportCollector;
}

/**
 * Claims stored gateway events in order and writes their router jobs, the "done" mark, the
 * dedup ids and the report deltas in one transaction. One processor per database is active,
 * holding the processor lease; others wait as standbys and take over within a second of its
 * death.
 */
export class Processor {
  private running = false;
  private loop: Promise<void> | undefined;
  private lease: LeaseHolder | undefined;
  private readonly warned = new Set<string>();
  private dedupBucket = -1;
  /** Events processed since start; for metrics and tests. */
  processed = 0;

  constructor(private readonly options: ProcessorOptions) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.lease?.close();
  }

  private async run(): Promise<void> {
    const { log } = this.options;
    while (this.running) {
      try {
        if (!this.lease?.isAlive) {
          await this.lease?.close();
          this.lease = new LeaseHolder(this.options.databaseUrl, 'keel-processor');
          await this.lease.connect();
        }
        if (!(await this.lease.tryAcquire(LOCK_CLASS, LOCKS.processorLease))) {
          await sleep(1_000);
          continue;
        }
        await this.work();
      } catch (error) {
        log.error({ err: error }, 'processor failed; retrying in 1 s');
        await sleep(1_000);
      }
    }
  }

  /**
   * Works batches while this process holds the lease, as a pipeline of three: while one
   * batch's transaction commits, the next batch goes through the stages, and the one after it
   * is read and looked up in the dedup memory. Commits stay in order (each waits for the one
   * before), so router jobs and done ranges follow the gateway's order. A lookup cannot see
   * the ids of the two batches ahead of it, whose commits may not have landed; those are
   * checked in memory. Measured in the e2e benchmark with the lookup inside the stages' turn,
   * per 2,000 events: 57 ms of lookup (27 ms) and stages against 36 ms of transaction, so the
   * lookup was on the critical path.
   */
  private async work(): Promise<void> {
    const { pool, idleMs } = this.options;
    let cursor = await processedUpTo(pool);
    let batch: FetchedBatch = { jobs: [], readAt: 0 };
    /** The previous batch's commit. */
    let committing: Promise<void> | undefined;
    /** The dedup keys of the last two batches, newest last. */
    let recentKeys: Set<string>[] = [];
    try {
      while (this.running && this.lease?.holds(LOCK_CLASS, LOCKS.processorLease) && this.lease.isAlive) {
        if (!this.options.config.current() || batch.jobs.length === 0) {
          if (batch.jobs.length === 0 && this.options.config.current()) batch = await this.fetch(cursor);
          if (batch.jobs.length === 0 || !this.options.config.current()) await sleep(idleMs);
          continue;
        }
        const next = batch.jobs.at(-1)?.jobId ?? cursor;
        const full = batch.jobs.length >= this.options.batchSize;
        const prefetch = this.fetch(next, full ? 0 : batch.readAt + this.options.batchWaitMs);
        // A failed batch abandons the prefetch; the loop restarts from the database's position.
        prefetch.catch(() => {});
        const prepared = await this.prepare(batch, recentKeys);
        if (!prepared) continue;
        // A failed commit throws here, and the loop starts again from the database's position.
        await committing;
        const done = this.commit(prepared);
        done.catch(() => {}); // awaited before the next commit, or below
        committing = done;
        recentKeys = [...recentKeys.slice(-1), new Set(prepared.remember.map(dedupKeyOf))];
        cursor = next;
        batch = await prefetch;
      }
    } finally {
      await committing;
    }
  }

  /**
   * The next batch after `afterJobId`, read no earlier than `notBefore` (ms since the epoch),
   * with its dedup lookup started as soon as it is read.
   */
  private async fetch(afterJobId: number, notBefore = 0): Promise<FetchedBatch> {
    const wait = notBefore - Date.now();
    if (wait > 0) await sleep(wait);
    const readAt = Date.now();
    const jobs = await readGatewayJobs(this.options.pool, afterJobId, this.options.batchSize);
    if (this.options.dedupWindowMs <= 0 || jobs.length === 0) return { jobs, readAt };
    const lookup = this.lookUp(jobs);
    lookup.catch(() => {}); // awaited by prepare, unless the batch is abandoned
    return { jobs, lookup, readAt };
  }

  /** Which of these jobs' keys the database remembers, in the generation of this moment. */
  private async lookUp(jobs: readonly StoredGatewayJob[]): Promise<DedupLookup> {
    const { pool, dedupWindowMs } = this.options;
    const bucket = bucketOf(Date.now(), dedupWindowMs);
    if (bucket !== this.dedupBucket) {
      await ensureDedupPartitions(pool, bucket);
      this.dedupBucket = bucket;
    }
    const keys = jobs.map((j) => ({ sourceId: j.sourceId, messageId: j.messageId }));
    return { bucket, keys, seen: await findSeen(pool, bucket, keys) };
  }

  /**
   * Dedup and stages for one batch. `recentKeys` hold the keys of the batches ahead of it,
   * which its lookup may not have seen committed.
   */
  private async prepare(
    batch: FetchedBatch,
    recentKeys: readonly ReadonlySet<string>[],
  ): Promise<PreparedBatch | undefined> {
    const { shards } = this.options;
    const config = this.options.config.current();
    if (!config) return undefined;
    const { jobs } = batch;
    const reports = new ReportCollector();
    let fresh = jobs;
    let remember: DedupKey[] = [];
    let bucket = 0;
    if (batch.lookup) {
      const lookup = await batch.lookup;
      bucket = lookup.bucket;
      ({ fresh, remember } = this.dedup(jobs, lookup, reports, recentKeys));
    }
    const routerJobs = await processBatch(fresh, {
      config,
      transformer: this.options.transformer,
      shards,
      reports,
      live: this.options.live,
      warn: (message) => this.warnOnce(message),
    });
    return { jobs, routerJobs, remember, bucket, reports };
  }

  /** Router jobs, the done mark, dedup ids and report deltas of one batch, in one transaction. */
  private async commit(batch: PreparedBatch): Promise<void> {
    const { jobs, routerJobs, remember, bucket, reports } = batch;
    const first = jobs[0];
    const last = jobs.at(-1);
    if (!first || !last) return;
    const tx = await this.options.pool.connect();
    try {
      // One message, one round trip. Without waiting for the WAL flush: a Postgres crash can
      // only lose this transaction whole, and the batch is then processed again from gw_jobs,
      // which the gateway committed synchronously before it answered.
      await runScript(tx, [
        'BEGIN',
        'SET LOCAL synchronous_commit = off',
        markGatewayDoneSql(first.jobId, last.jobId),
        ...routerJobsSteps(routerJobs),
        ...(this.options.dedupWindowMs > 0 ? [rememberIdsStep(bucket, remember)] : []),
        reportDeltasStep(reports),
        'COMMIT',
      ]);
    } catch (error) {
      await tx.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      tx.release();
    }
    this.processed += jobs.length;
    if (routerJobs.length > 0) this.options.onCommit?.();
  }

  /** Drops events whose messageId this source sent before, within the window or this batch. */
  private dedup(
    jobs: StoredGatewayJob[],
    { keys, seen }: DedupLookup,
    reports: ReportCollector,
    recentKeys: readonly ReadonlySet<string>[],
  ) {
    const fresh: StoredGatewayJob[] = [];
    const remember: DedupKey[] = [];
    jobs.forEach((job, i) => {
      const key = keys[i];
      if (!key) return;
      const id = dedupKeyOf(key);
      if (seen.has(id) || recentKeys.some((recent) => recent.has(id))) {
        reports.add({
          workspaceId: job.workspaceId,
          sourceId: job.sourceId,
          destinationId: '',
          status: 'dropped',
          errorCode: 'duplicate',
        });
        return;
      }
      seen.add(id);
      fresh.push(job);
      remember.push(key);
    });
    return { fresh, remember };
  }

  private warnOnce(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.options.log.error(message);
  }
}
