import {
  ConnectionIdInput,
  CreateConnectionInput,
  ListConnectionsInput,
  UpdateConnectionInput,
} from '@keel/shared';
import {
  createConnection,
  deleteConnection,
  getConnection,
  listConnections,
  updateConnection,
} from '../../domain/connections';
import { router, workspaceProcedure } from '../trpc';

export const connectionsRouter = router({
  list: workspaceProcedure('viewer')
    .input(ListConnectionsInput)
    .query(({ ctx, input }) =>
      listConnections(ctx.db, ctx.workspace.id, {
        sourceId: input.sourceId,
        destinationId: input.destinationId,
      }),
    ),
  get: workspaceProcedure('viewer')
    .input(ConnectionIdInput)
    .query(({ ctx, input }) => getConnection(ctx.db, ctx.workspace.id, input.id)),
  create: workspaceProcedure('editor')
    .input(CreateConnectionInput)
    .mutation(({ ctx, input }) => createConnection(ctx.db, ctx.actor, ctx.workspace.id, input)),
  update: workspaceProcedure('editor')
    .input(UpdateConnectionInput)
    .mutation(({ ctx, input }) => updateConnection(ctx.db, ctx.actor, ctx.workspace.id, input)),
  delete: workspaceProcedure('editor')
    .input(ConnectionIdInput)
    .mutation(async ({ ctx, input }) => {
      await deleteConnection(ctx.db, ctx.actor, ctx.workspace.id, input.id);
      return { ok: true as const };
    }),
});
