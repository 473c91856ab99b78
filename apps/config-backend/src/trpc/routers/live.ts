import { ListLiveEventsInput, LiveTarget } from '@keel/shared';
import { listLiveEvents, watchLive } from '../../domain/live-events';
import { router, workspaceProcedure } from '../trpc';

/** Live events: a watch makes the data plane push samples; the view then reads them after a cursor. */
export const liveRouter = router({
  /** Starts or extends a watch for about a minute; call it again while the view stays open. */
  watch: workspaceProcedure('viewer')
    .input(LiveTarget)
    .mutation(({ ctx, input }) => watchLive(ctx.db, ctx.workspace.id, input)),

  events: workspaceProcedure('viewer')
    .input(ListLiveEventsInput)
    .query(({ ctx, input }) =>
      listLiveEvents(
        ctx.db,
        ctx.workspace.id,
        { sourceId: input.sourceId, destinationId: input.destinationId },
        { after: input.after, limit: input.limit },
      ),
    ),
});
