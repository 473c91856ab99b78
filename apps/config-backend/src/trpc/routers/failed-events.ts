import { z } from 'zod';
import {
  countMatchingFailedEvents,
  FailedEventFilter,
  getFailedEvent,
  listFailedEvents,
  listReplayCommands,
  ReplaySelection,
  requestReplay,
} from '../../domain/failed-events';
import { router, workspaceProcedure } from '../trpc';

/** The failed-events store as the control plane sees it, and replays of it. */
export const failedEventsRouter = router({
  list: workspaceProcedure('viewer')
    .input(
      FailedEventFilter.extend({
        cursor: z.string().min(1).optional(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .query(({ ctx, input }) => {
      const { cursor, limit, workspaceId: _workspaceId, ...filter } = input;
      return listFailedEvents(ctx.db, ctx.workspace.id, filter, { cursor, limit });
    }),

  get: workspaceProcedure('viewer')
    .input(z.object({ id: z.string().min(1) }))
    .query(({ ctx, input }) => getFailedEvent(ctx.db, ctx.workspace.id, input.id)),

  /** How many a replay would cover, for the confirmation dialog. */
  countMatching: workspaceProcedure('viewer')
    .input(ReplaySelection)
    .query(async ({ ctx, input }) => ({
      count: await countMatchingFailedEvents(ctx.db, ctx.workspace.id, input),
    })),

  replay: workspaceProcedure('editor')
    .input(ReplaySelection)
    .mutation(({ ctx, input }) => requestReplay(ctx.db, ctx.actor, ctx.workspace.id, input)),

  replays: workspaceProcedure('viewer').query(({ ctx }) => listReplayCommands(ctx.db, ctx.workspace.id)),
});
