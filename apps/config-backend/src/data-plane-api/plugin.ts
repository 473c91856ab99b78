import {
  type DataPlaneCommands,
  DeliveryReportBatch,
  FailedEventBatch,
  LiveEventBatch,
  type LiveWatches,
  ReplayDone,
  WriteKeyUsageBatch,
} from '@keel/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ConfigChanges } from '../domain/config-changes';
import { authenticateDataPlaneToken, type DataPlanePrincipal } from '../domain/data-plane-tokens';
import { ingestDeliveryReports } from '../domain/delivery-reports';
import { DomainError } from '../domain/errors';
import { ingestFailedEvents } from '../domain/failed-events-ingest';
import { activeLiveWatches, ingestLiveEvents } from '../domain/live-events-ingest';
import { claimReplayCommands, finishReplayCommand } from '../domain/replay-commands';
import { pruneExpired } from '../domain/retention';
import { WorkspaceConfigCache } from '../domain/workspace-config-cache';
import { recordWriteKeyUsage } from '../domain/write-key-usage';
import { handleError, parseOrThrow } from './errors';

declare module 'fastify' {
  interface FastifyRequest {
    dataPlanePrincipal: DataPlanePrincipal | null;
  }
}

const ConfigQuery = z.object({
  /** Long-poll: with If-None-Match, hold the request up to this many seconds until the config changes. */
  wait: z.coerce.number().int().min(0).max(60).default(0),
});
const CommandParams = z.object({ id: z.string().min(1) });

const PRUNE_INTERVAL_MS = 3_600_000;

/** While a long-poll waits, it re-checks the config this often even without a notification. */
const LONG_POLL_RECHECK_MS = 5_000;

function principalOf(request: FastifyRequest): DataPlanePrincipal {
  const principal = request.dataPlanePrincipal;
  if (!principal) throw new DomainError('unauthenticated', 'Send a data-plane token.');
  return principal;
}

/** The entity tag a client sent back, without quotes or weak marker. */
function ifNoneMatchOf(request: FastifyRequest): string | undefined {
  const header = request.headers['if-none-match'];
  if (!header) return undefined;
  return header.replace(/^W\//, '').replace(/"/g, '').trim() || undefined;
}

/**
 * `/data-plane/v1/*`: the plain-HTTP contract with separately deployed data planes (see
 * `packages/shared/src/data-plane-api.ts`). Register it with that prefix. Every route needs
 * `Authorization: Bearer <data-plane token>`.
 */
export async function dataPlaneApi(app: FastifyInstance): Promise<void> {
  const { pool, env, secretKey, metrics } = app.keel;
  const changes = new ConfigChanges(env.DATABASE_URL, app.log);
  await changes.start();
  const cache = new WorkspaceConfigCache(
    pool,
    secretKey,
    changes,
    60_000,
    (problem) => app.log.warn(problem, 'a destination is served disabled to data planes'),
    (seconds, ok) => {
      metrics.configBuilds.inc({ outcome: ok ? 'ok' : 'failed' });
      if (ok) metrics.configBuildDuration.observe(seconds);
    },
  );
  const retention = { failedEventRetentionDays: env.FAILED_EVENTS_RETENTION_DAYS };
  const pruning = setInterval(() => {
    pruneExpired(pool, retention).catch((error: unknown) =>
      app.log.warn({ err: error }, 'pruning expired reports and samples failed; retrying in an hour'),
    );
  }, PRUNE_INTERVAL_MS).unref();
  app.addHook('preClose', async () => {
    clearInterval(pruning);
    await changes.stop();
  });

  app.setErrorHandler(handleError);
  app.decorateRequest('dataPlanePrincipal', null);
  app.addHook('onRequest', async (request) => {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    if (!match?.[1]) {
      throw new DomainError(
        'unauthenticated',
        'Send "Authorization: Bearer <data-plane token>"; create a token in workspace settings → Data planes.',
      );
    }
    const principal = await authenticateDataPlaneToken(pool, match[1]);
    if (!principal) {
      throw new DomainError(
        'unauthenticated',
        'This data-plane token is unknown or revoked; create a new one in workspace settings → Data planes.',
      );
    }
    request.dataPlanePrincipal = principal;
  });

  app.get('/config', async (request, reply) => {
    const principal = principalOf(request);
    const { wait } = parseOrThrow(ConfigQuery, request.query, 'query string');
    const scope = { workspaceId: principal.workspaceId };
    const known = ifNoneMatchOf(request);
    let current = await cache.get(scope);
    if (wait > 0 && known === current.config.version) {
      const gone = new AbortController();
      const onClose = () => gone.abort();
      reply.raw.once('close', onClose);
      const deadline = Date.now() + wait * 1000;
      metrics.longPollWaiters.inc();
      try {
        while (!gone.signal.aborted && !changes.isStopped && current.config.version === known) {
          const left = deadline - Date.now();
          if (left <= 0) break;
          await changes.nextChange(Math.min(left, LONG_POLL_RECHECK_MS), gone.signal);
          if (gone.signal.aborted || changes.isStopped) break;
          current = await cache.get(scope);
        }
      } finally {
        metrics.longPollWaiters.dec();
        reply.raw.off('close', onClose);
      }
    }
    void reply.header('etag', `"${current.config.version}"`).header('cache-control', 'no-store');
    if (known === current.config.version) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(current.body);
  });

  app.post('/reports', async (request) => {
    const batch = parseOrThrow(DeliveryReportBatch, request.body, 'report batch');
    const result = await ingestDeliveryReports(pool, principalOf(request), batch);
    metrics.reportRows.inc({ outcome: 'accepted' }, result.accepted);
    metrics.reportRows.inc({ outcome: 'skipped' }, result.skipped);
    return result;
  });

  app.post('/failed-events', async (request) => {
    const batch = parseOrThrow(FailedEventBatch, request.body, 'failed-event batch');
    return ingestFailedEvents(pool, principalOf(request), batch);
  });

  app.get('/commands', async (request): Promise<DataPlaneCommands> => {
    return { replays: await claimReplayCommands(pool, principalOf(request)) };
  });

  app.post('/commands/:id/done', async (request) => {
    const { id } = parseOrThrow(CommandParams, request.params, 'path');
    const done = parseOrThrow(ReplayDone, request.body, 'replay result');
    return finishReplayCommand(pool, principalOf(request), id, done);
  });

  app.get('/live', async (request): Promise<LiveWatches> => {
    return { watches: await activeLiveWatches(pool, principalOf(request)) };
  });

  app.post('/live-events', async (request) => {
    const batch = parseOrThrow(LiveEventBatch, request.body, 'live-event batch');
    return ingestLiveEvents(pool, principalOf(request), batch);
  });

  app.post('/write-key-usage', async (request) => {
    const batch = parseOrThrow(WriteKeyUsageBatch, request.body, 'write-key usage batch');
    return recordWriteKeyUsage(pool, principalOf(request), batch);
  });
}
