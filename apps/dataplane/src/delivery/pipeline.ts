import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import type { ConfigStore } from '../config/config-store';
import type { DataPlaneEnv } from '../env';
import { startMaintenance } from '../jobsdb/maintenance';
import { Processor } from '../processor/processor';
import type { UserTransformer } from '../processor/user-transformation';
import { Router } from '../router/router';
import { ControlPlaneClient } from './control-plane-client';
import { LiveEvents } from './live';
import { ControlPlanePushers } from './pushers';

export interface PipelineDeps {
  env: DataPlaneEnv;
  pool: pg.Pool;
  config: ConfigStore;
  log: FastifyBaseLogger;
  /** The user-transformation sandbox; without it, connections with a transformation drop their events. */
  transformer?: UserTransformer;
}

export interface Pipeline {
  processor?: Processor;
  router?: Router;
  pushers?: ControlPlanePushers;
  /** Runs one maintenance round now (tests, tools). */
  maintain(): Promise<{ created: number; dropped: number }>;
  stop(): Promise<void>;
}

/**
 * Starts the stages behind the gateway for this process's roles: job-table maintenance (every
 * role, since the gateway needs partitions ahead too), the processor, the router, and the
 * control-plane pushers and live events with the processor or router.
 */
export function startPipeline(deps: PipelineDeps): Pipeline {
  const { env, pool, config, log } = deps;
  const maintenance = startMaintenance(
    pool,
    {
      partitionSize: env.JOBSDB_PARTITION_SIZE,
      partitionsAhead: env.JOBSDB_PARTITIONS_AHEAD,
      dedupWindowMs: env.DEDUP_WINDOW_MS,
      failedEventsRetentionDays: env.FAILED_EVENTS_RETENTION_DAYS,
    },
    env.JOBSDB_MAINTENANCE_INTERVAL_MS,
    log,
  );
  const runsPipeline = env.ROLES.includes('processor') || env.ROLES.includes('router');
  const client = new ControlPlaneClient(env.CONFIG_BACKEND_URL, env.DATA_PLANE_TOKEN);
  const live = runsPipeline
    ? new LiveEvents(client, env.DATA_PLANE_ID, log, env.LIVE_EVENTS_POLL_MS)
    : undefined;
  live?.start();

  const router = env.ROLES.includes('router')
    ? new Router({
        pool,
        databaseUrl: env.databaseUrl,
        config,
        log,
        shards: env.ROUTER_SHARDS,
        live,
        maxIdleMs: 50,
        leaseIntervalMs: 1_000,
        settings: {
          backoff: { minMs: env.ROUTER_BACKOFF_MIN_MS, maxMs: env.ROUTER_BACKOFF_MAX_MS },
          maxAttempts: env.ROUTER_MAX_ATTEMPTS,
          retryWindowMs: env.ROUTER_RETRY_WINDOW_MS,
          breakerThreshold: env.ROUTER_BREAKER_FAILURES,
          breakerMinMs: env.ROUTER_BREAKER_COOLDOWN_MS,
          breakerMaxMs: Math.max(env.ROUTER_BREAKER_COOLDOWN_MS, 60_000),
          maxJobsInMemory: env.ROUTER_MAX_JOBS_IN_MEMORY,
          pollBatch: 1_000,
        },
      })
    : undefined;
  const processor = env.ROLES.includes('processor')
    ? new Processor({
        pool,
        databaseUrl: env.databaseUrl,
        config,
        log,
        transformer: deps.transformer,
        live,
        batchSize: env.PROCESSOR_BATCH_SIZE,
        dedupWindowMs: env.DEDUP_WINDOW_MS,
        shards: env.ROUTER_SHARDS,
        idleMs: 10,
        batchWaitMs: env.PROCESSOR_BATCH_WAIT_MS,
        onCommit: () => router?.wake(),
      })
    : undefined;
  const pushers = runsPipeline
    ? new ControlPlanePushers({
        pool,
        databaseUrl: env.databaseUrl,
        client,
        dataPlaneId: env.DATA_PLANE_ID,
        log,
        intervalMs: env.CONTROL_PLANE_PUSH_INTERVAL_MS,
        shards: env.ROUTER_SHARDS,
        onReplay: () => router?.wake(),
      })
    : undefined;
  router?.start();
  processor?.start();
  pushers?.start();

  return {
    processor,
    router,
    pushers,
    maintain: () => maintenance.runNow(),
    async stop() {
      await processor?.stop();
      await router?.stop();
      await pushers?.stop();
      await live?.stop();
      await maintenance.stop();
    },
  };
}
