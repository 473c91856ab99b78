import { z } from 'zod';
import {
  ConnectionIdInput,
  CreateConnectionInput,
  createConnection,
  deleteConnection,
  getConnection,
  listConnections,
  UpdateConnectionInput,
  updateConnection,
} from '../../domain/connections';
import { router, workspaceProcedure } from '../trpc';

export const connectionsRouter = router({
  list: workspaceProcedure('viewer')
    .input(z.object({ sourceId: z.string().min(1).optional(), destinationId: z.string().min(1).optional() }))
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
