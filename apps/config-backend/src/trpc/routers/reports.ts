import { ConnectionHealthInput, ReportsRange } from '@keel/shared';
import {
  reportConnectionHealth,
  reportErrors,
  reportRejections,
  reportSourceVolumes,
  reportTimeseries,
} from '../../domain/reports';
import { router, workspaceProcedure } from '../trpc';

/** The delivery dashboard's reads, from the aggregates the data planes push. */
export const reportsRouter = router({
  timeseries: workspaceProcedure('viewer')
    .input(ReportsRange)
    .query(({ ctx, input }) => reportTimeseries(ctx.db, ctx.workspace.id, input)),

  errors: workspaceProcedure('viewer')
    .input(ReportsRange)
    .query(({ ctx, input }) => reportErrors(ctx.db, ctx.workspace.id, input)),

  /** The gateway's refusals per source and reason code. */
  rejections: workspaceProcedure('viewer')
    .input(ReportsRange)
    .query(({ ctx, input }) => reportRejections(ctx.db, ctx.workspace.id, input)),

  sourceVolumes: workspaceProcedure('viewer').query(({ ctx }) =>
    reportSourceVolumes(ctx.db, ctx.workspace.id),
  ),

  /** Per source→destination counts over the last minutes, for the connections graph's colours. */
  connectionHealth: workspaceProcedure('viewer')
    .input(ConnectionHealthInput)
    .query(({ ctx, input }) => reportConnectionHealth(ctx.db, ctx.workspace.id, input.minutes)),
});
