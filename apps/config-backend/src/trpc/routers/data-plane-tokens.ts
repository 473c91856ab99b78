import { z } from 'zod';
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
    .input(z.object({ name: z.string().trim().min(1, 'give the token a name').max(100) }))
    .mutation(({ ctx, input }) =>
      createDataPlaneToken(ctx.db, ctx.actor, { workspaceId: ctx.workspace.id, name: input.name }),
    ),

  revoke: workspaceProcedure('owner')
    .input(z.object({ id: z.string().min(1) }))
    .mutation(({ ctx, input }) =>
      revokeDataPlaneToken(ctx.db, ctx.actor, { workspaceId: ctx.workspace.id, id: input.id }),
    ),
});
