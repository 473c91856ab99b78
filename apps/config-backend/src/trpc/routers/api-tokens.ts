import { CreateApiTokenInput, IdInput } from '@keel/shared';
import { createApiToken, listApiTokens, revokeApiToken } from '../../domain/api-tokens';
import { router, workspaceProcedure } from '../trpc';

export const apiTokensRouter = router({
  list: workspaceProcedure('owner').query(({ ctx }) => listApiTokens(ctx.db, ctx.workspace.id)),
  /** The token is in this response only; it is stored hashed. */
  create: workspaceProcedure('owner')
    .input(CreateApiTokenInput)
    .mutation(({ ctx, input }) => createApiToken(ctx.db, ctx.actor, ctx.workspace.id, input)),
  revoke: workspaceProcedure('owner')
    .input(IdInput)
    .mutation(({ ctx, input }) => revokeApiToken(ctx.db, ctx.actor, ctx.workspace.id, input.id)),
});
