import {
  CreateSourceInput,
  CreateWriteKeyInput,
  DeleteSourceInput,
  RenameWriteKeyInput,
  SourceIdInput,
  UpdateSourceInput,
  WriteKeyIdInput,
} from '@keel/shared';
import { createSource, deleteSource, getSource, listSources, updateSource } from '../../domain/sources';
import { createWriteKey, renameWriteKey, revokeWriteKey } from '../../domain/write-keys';
import { router, workspaceProcedure } from '../trpc';

const writeKeysRouter = router({
  create: workspaceProcedure('editor')
    .input(CreateWriteKeyInput)
    .mutation(({ ctx, input }) => createWriteKey(ctx.db, ctx.actor, ctx.workspace.id, input)),
  rename: workspaceProcedure('editor')
    .input(RenameWriteKeyInput)
    .mutation(({ ctx, input }) => renameWriteKey(ctx.db, ctx.actor, ctx.workspace.id, input)),
  revoke: workspaceProcedure('editor')
    .input(WriteKeyIdInput)
    .mutation(({ ctx, input }) => revokeWriteKey(ctx.db, ctx.actor, ctx.workspace.id, input.id)),
});

export const sourcesRouter = router({
  list: workspaceProcedure('viewer').query(({ ctx }) => listSources(ctx.db, ctx.workspace.id)),
  get: workspaceProcedure('viewer')
    .input(SourceIdInput)
    .query(({ ctx, input }) => getSource(ctx.db, ctx.workspace.id, input.id)),
  create: workspaceProcedure('editor')
    .input(CreateSourceInput)
    .mutation(({ ctx, input }) => createSource(ctx.db, ctx.actor, ctx.workspace.id, input)),
  update: workspaceProcedure('editor')
    .input(UpdateSourceInput)
    .mutation(({ ctx, input }) => updateSource(ctx.db, ctx.actor, ctx.workspace.id, input)),
  delete: workspaceProcedure('editor')
    .input(DeleteSourceInput)
    .mutation(({ ctx, input }) => deleteSource(ctx.db, ctx.actor, ctx.workspace.id, input)),
  writeKeys: writeKeysRouter,
});
