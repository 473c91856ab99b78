import { IdInput, ListFailedEventsInput, ReplaySelection } from '@keel/shared';
import {
  countMatchingFailedEvents,
  getFailedEvent,
  listFailedEvents,
  listReplayCommands,
  requestReplay,
} from '../../domain/failed-events';
import { router, workspaceProcedure } from '../trpc';

/** The failed-events store as the control plane sees it, and replays of it. */
export const failedEventsRouter = router({
  list: workspaceProcedure('viewer')
    .input(ListFailedEventsInput)
    .query(({ ctx, input }) => {
      const { cursor, limit, workspaceId: _workspaceId, ...filter } = input;
      return listFailedEvents(ctx.db, ctx.workspace.id, filter, { cursor, limit });
    }),

  get: workspaceProcedure('viewer')
    .input(IdInput)
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
