import type { LiveEventStage, LiveTarget } from '@keel/shared';
import type { Prisma } from '../generated/prisma/client';
import { DomainError, notFound } from './errors';
import type { DbHandle } from './transaction';

/** How long one `live.watch` call keeps samples flowing; the web app renews it while the view is open. */
export const LIVE_WATCH_SECONDS = 60;

async function checkTarget(db: DbHandle, workspaceId: string, target: LiveTarget): Promise<void> {
  if (target.sourceId && target.destinationId)
    throw new DomainError('invalid-input', 'Watch a source or a destination, not both at once.', {
      destinationId: 'choose a source or a destination',
    });
  if (target.sourceId) {
    const found = await db.source.findFirst({
      where: { id: target.sourceId, workspaceId },
      select: { id: true },
    });
    if (!found) throw notFound('The source');
  }
  if (target.destinationId) {
    const found = await db.destination.findFirst({
      where: { id: target.destinationId, workspaceId },
      select: { id: true },
    });
    if (!found) throw notFound('The destination');
  }
}

function scopeOf(target: LiveTarget): string {
  if (target.sourceId) return `source:${target.sourceId}`;
  if (target.destinationId) return `destination:${target.destinationId}`;
  return 'workspace';
}

/** Starts or extends a watch; the data plane pushes samples for it until `until`. */
export async function watchLive(
  db: DbHandle,
  workspaceId: string,
  target: LiveTarget,
  seconds = LIVE_WATCH_SECONDS,
): Promise<{ until: Date }> {
  await checkTarget(db, workspaceId, target);
  const until = new Date(Date.now() + seconds * 1000);
  const scope = scopeOf(target);
  await db.liveWatch.upsert({
    where: { workspaceId_scope: { workspaceId, scope } },
    create: {
      workspaceId,
      scope,
      sourceId: target.sourceId ?? null,
      destinationId: target.destinationId ?? null,
      until,
    },
    update: { until },
  });
  return { until };
}

export interface LiveEventView {
  /** Pass the last one back as `after` to get only newer events. */
  id: string;
  sourceId: string;
  destinationId: string | null;
  messageId: string;
  stage: LiveEventStage;
  at: Date;
  payload: unknown;
  request: unknown;
  response: unknown;
  reason: string | null;
}

/** Live events of a workspace (or one source or destination of it), oldest first, after a cursor. */
export async function listLiveEvents(
  db: DbHandle,
  workspaceId: string,
  target: LiveTarget,
  opts: { after?: string; limit: number },
): Promise<{ events: LiveEventView[]; cursor: string | null }> {
  await checkTarget(db, workspaceId, target);
  const where: Prisma.LiveEventWhereInput = {
    workspaceId,
    ...(target.sourceId ? { sourceId: target.sourceId } : {}),
    ...(target.destinationId ? { destinationId: target.destinationId } : {}),
    ...(opts.after ? { id: { gt: BigInt(opts.after) } } : {}),
  };
  // Without a cursor, start with the newest `limit`, shown oldest first.
  const rows = opts.after
    ? await db.liveEvent.findMany({ where, orderBy: { id: 'asc' }, take: opts.limit })
    : (await db.liveEvent.findMany({ where, orderBy: { id: 'desc' }, take: opts.limit })).reverse();
  const events = rows.map((r) => ({
    id: r.id.toString(),
    sourceId: r.sourceId,
    destinationId: r.destinationId,
    messageId: r.messageId,
    stage: r.stage as LiveEventStage,
    at: r.at,
    payload: r.payload,
    request: r.request,
    response: r.response,
    reason: r.reason,
  }));
  return { events, cursor: events.at(-1)?.id ?? opts.after ?? null };
}
