import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Registry } from 'prom-client';
import type { ConfigStore } from '../config/config-store';
import { type GroupCommitOptions, GroupCommitter } from './group-commit';
import type { KeyUsageRecorder } from './key-usage';
import { createGatewayMetrics } from './metrics';
import { RateLimiter } from './rate-limit';
import { GatewayRejections } from './rejections';
import { gatewayRoutes } from './routes';

export interface GatewaySettings extends GroupCommitOptions {
  maxRequestBytes: number;
  maxEventBytes: number;
}

/**
 * Registers the gateway on `app`: its routes in their own scope, its group committer on the
 * data plane's pool, its rejection counts (for the dashboard) and its metrics on the registry.
 * Closing the app drains the committer and writes the last rejection counts.
 */
export async function registerGateway(
  app: FastifyInstance,
  deps: {
    pool: pg.Pool;
    config: ConfigStore;
    registry: Registry;
    settings: GatewaySettings;
    keyUsage?: KeyUsageRecorder;
  },
): Promise<GroupCommitter> {
  const { settings } = deps;
  const metrics = createGatewayMetrics(deps.registry, (error) => {
    app.log.warn({ error: error.message }, 'gateway commit failed; answering 503 until the database is back');
  });
  const committer = new GroupCommitter(deps.pool, settings, metrics.commitObserver);
  app.addHook('onClose', () => committer.close());
  // Counted in memory, written to rpt_deltas once a second; the last counts on close.
  const rejections = new GatewayRejections({ pool: deps.pool, log: app.log });
  rejections.start();
  app.addHook('onClose', () => rejections.close());
  await app.register(gatewayRoutes, {
    config: deps.config,
    committer,
    metrics,
    rateLimiter: new RateLimiter(),
    keyUsage: deps.keyUsage,
    rejections,
    maxRequestBytes: settings.maxRequestBytes,
    maxEventBytes: settings.maxEventBytes,
  });
  return committer;
}
