import type { FailedEvent, FailedEventFilter, ReplayFilter, ReplaySelection } from '@keel/shared';
import type { Prisma } from '../generated/prisma/client';
import { type Actor, recordAudit } from './audit';
import { DomainError, notFound } from './errors';
import { newId } from './ids';
import { type DbHandle, withTx } from './transaction';

/** Above this many matching events a replay command carries its filter instead of the ids. */
export const MAX_REPLAY_IDS = 10_000;

export interface FailedEventSummary {
  id: string;
  sourceId: string;
  destinationId: string;
  messageId: string;
  /** The event's userId, else its anonymousId; null when the data plane did not say. */
  userKey: string | null;
  /** Which event failed (`track · Order Completed`); null when the data plane did not say. */
  eventLabel: string | null;
  errorCode: string;
  attempts: number;
  failedAt: Date;
  replayedAt: Date | null;
}

export type FailedEventDetail = Omit<FailedEvent, 'failedAt'> & {
  dataPlaneId: string;
  failedAt: Date;
  replayedAt: Date | null;
};

function whereOf(
  workspaceId: string,
  filter: ReplayFilter & { includeReplayed?: boolean },
): Prisma.FailedEventSampleWhereInput {
  return {
    workspaceId,
    ...(filter.destinationId ? { destinationId: filter.destinationId } : {}),
    ...(filter.sourceId ? { sourceId: filter.sourceId } : {}),
    ...(filter.errorCode ? { errorCode: filter.errorCode } : {}),
    ...(filter.from || filter.to
      ? {
          failedAt: {
            ...(filter.from ? { gte: new Date(filter.from) } : {}),
            ...(filter.to ? { lte: new Date(filter.to) } : {}),
          },
        }
      : {}),
    ...(filter.includeReplayed ? {} : { replayedAt: null }),
  };
}

/** Failed events of a workspace, newest first, a page at a time. */
export async function listFailedEvents(
  db: DbHandle,
  workspaceId: string,
  filter: FailedEventFilter,
  page: { cursor?: string; limit: number },
): Promise<{ events: FailedEventSummary[]; nextCursor: string | null }> {
  const rows = await db.failedEventSample.findMany({
    where: whereOf(workspaceId, filter),
    orderBy: [{ failedAt: 'desc' }, { id: 'desc' }],
    take: page.limit + 1,
    ...(page.cursor ? { cursor: { id: page.cursor }, skip: 1 } : {}),
    select: {
      id: true,
      sourceId: true,
      destinationId: true,
      messageId: true,
      userKey: true,
      eventLabel: true,
      errorCode: true,
      attempts: true,
      failedAt: true,
      replayedAt: true,
    },
  });
  const events = rows.slice(0, page.limit);
  return { events, nextCursor: rows.length > page.limit ? (events.at(-1)?.id ?? null) : null };
}

/** One failed event with its payload, the request sent and the response received. */
export async function getFailedEvent(
  db: DbHandle,
  workspaceId: string,
  id: string,
): Promise<FailedEventDetail> {
  const row = await db.failedEventSample.findFirst({ where: { id, workspaceId } });
  if (!row) throw notFound('The failed event');
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    dataPlaneId: row.dataPlaneId,
    sourceId: row.sourceId,
    destinationId: row.destinationId,
    messageId: row.messageId,
    userKey: row.userKey,
    eventLabel: row.eventLabel,
    errorCode: row.errorCode,
    attempts: row.attempts,
    payload: row.payload,
    request: row.request,
    response: row.response,
    failedAt: row.failedAt,
    replayedAt: row.replayedAt,
  };
}

function selectionWhere(workspaceId: string, selection: ReplaySelection): Prisma.FailedEventSampleWhereInput {
  return 'ids' in selection
    ? { workspaceId, id: { in: selection.ids }, replayedAt: null }
    : whereOf(workspaceId, selection.filter);
}

/** How many not-yet-replayed failed events a replay would cover, so the UI can confirm first. */
export async function countMatchingFailedEvents(
  db: DbHandle,
  workspaceId: string,
  selection: ReplaySelection,
): Promise<number> {
  return db.failedEventSample.count({ where: selectionWhere(workspaceId, selection) });
}

/**
 * Asks the data planes to deliver failed events again. The control plane never calls a data
 * plane: this records a command, which the data plane serving the workspace claims on its
 * next poll of `GET /data-plane/v1/commands`.
 */
export async function requestReplay(
  db: DbHandle,
  actor: Actor,
  workspaceId: string,
  selection: ReplaySelection,
): Promise<{ commandId: string; matching: number }> {
  return withTx(db, async (tx) => {
    const where = selectionWhere(workspaceId, selection);
    // The data plane replays whatever a command matches, replayed before or not. Naming the
    // ids makes it replay exactly the events counted here; only a selection too large to name
    // falls back to the filter alone.
    const found = await tx.failedEventSample.findMany({
      where,
      select: { id: true },
      orderBy: { failedAt: 'asc' },
      take: MAX_REPLAY_IDS + 1,
    });
    const named = found.length <= MAX_REPLAY_IDS;
    const ids = named ? found.map((r) => r.id) : [];
    const matching = named ? ids.length : await tx.failedEventSample.count({ where });
    if (matching === 0) {
      throw new DomainError(
        'precondition-failed',
        'No failed events that have not been replayed match this selection; change the filter and try again.',
      );
    }
    const filter: ReplayFilter = 'filter' in selection ? selection.filter : {};
    if (!named && filter.sourceId) {
      throw new DomainError(
        'invalid-input',
        `More than ${MAX_REPLAY_IDS.toLocaleString('en')} failed events match; a replay that large can be narrowed by destination, time and error code, but not by source. Remove the source filter or narrow the time range.`,
        { sourceId: 'too many events to replay by source' },
      );
    }
    const command = await tx.replayCommand.create({
      data: {
        id: newId('rpl'),
        workspaceId,
        destinationId: filter.destinationId ?? null,
        fromTime: filter.from ? new Date(filter.from) : null,
        // An open-ended filter stops at now, so events failing after the confirmation are not included.
        toTime: filter.to ? new Date(filter.to) : named ? null : new Date(),
        errorCode: filter.errorCode ?? null,
        failedEventIds: ids,
        createdById: actor.id,
      },
    });
    await recordAudit(tx, {
      workspaceId,
      actor,
      action: 'failed_events.replay',
      targetType: 'replay_command',
      targetId: command.id,
      after: { ...('ids' in selection ? { ids } : { filter }), matching },
    });
    return { commandId: command.id, matching };
  });
}

/** Replay commands of a workspace, newest first, with their progress. */
export async function listReplayCommands(db: DbHandle, workspaceId: string, limit = 20) {
  return db.replayCommand.findMany({
    where: { workspaceId },
    orderBy: { createdAt: 'desc' },
    take: limit,
    select: {
      id: true,
      destinationId: true,
      fromTime: true,
      toTime: true,
      errorCode: true,
      failedEventIds: true,
      status: true,
      replayedCount: true,
      createdAt: true,
      finishedAt: true,
    },
  });
}
