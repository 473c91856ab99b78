import { CreateDataPlaneTokenInput, IdInput } from '@keel/shared';
import {
  createDataPlaneToken,
  listDataPlaneTokens,
  revokeDataPlaneToken,
} from '../../domain/data-plane-tokens';
import { router, workspaceProcedure } from '../trpc';

/** Tokens a separately deployed data plane uses to pull config and push reports. Owners only. */
export const dataPlaneTokensRouter = router({
  list: workspaceProcedure('owner').query(({ ctx }) => listDataPlaneTokens(ctx.db, ctx.workspace.id)),

  /** Returns the token once; only its hash is stored. */
  create: workspaceProcedure('owner')
    .input(CreateDataPlaneTokenInput)
    .mutation(({ ctx, input }) =>
      createDataPlaneToken(ctx.db, ctx.actor, { workspaceId: ctx.workspace.id, name: input.name }),
    ),

  revoke: workspaceProcedure('owner')
    .input(IdInput)
    .mutation(({ ctx, input }) =>
      revokeDataPlaneToken(ctx.db, ctx.actor, { workspaceId: ctx.workspace.id, id: input.id }),
    ),
});
