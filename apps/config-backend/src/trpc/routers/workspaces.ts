import {
  ChangeRoleInput,
  CreateWorkspaceInput,
  RemoveMemberInput,
  RenameWorkspaceInput,
  WorkspaceSettingsInput,
} from '@keel/shared';
import { DomainError } from '../../domain/errors';
import { changeMemberRole, listMembers, removeMember } from '../../domain/members';
import {
  createWorkspace,
  getWorkspace,
  renameWorkspace,
  updateWorkspaceSettings,
} from '../../domain/workspaces';
import { router, userProcedure, workspaceProcedure } from '../trpc';

export const workspacesRouter = router({
  create: userProcedure
    .input(CreateWorkspaceInput)
    .mutation(({ ctx, input }) => createWorkspace(ctx.db, { type: 'user', id: ctx.user.id }, input)),
  get: workspaceProcedure('viewer').query(({ ctx }) => getWorkspace(ctx.db, ctx.workspace.id)),
  rename: workspaceProcedure('owner')
    .input(RenameWorkspaceInput)
    .mutation(({ ctx, input }) => renameWorkspace(ctx.db, ctx.actor, ctx.workspace.id, input)),
  /** Owner-only settings, such as whether transformations may use fetch(). */
  updateSettings: workspaceProcedure('owner')
    .input(WorkspaceSettingsInput)
    .mutation(({ ctx, input }) => updateWorkspaceSettings(ctx.db, ctx.actor, ctx.workspace.id, input)),
});

export const membersRouter = router({
  list: workspaceProcedure('viewer').query(({ ctx }) => listMembers(ctx.db, ctx.workspace.id)),
  changeRole: workspaceProcedure('owner')
    .input(ChangeRoleInput)
    .mutation(({ ctx, input }) => changeMemberRole(ctx.db, ctx.actor, ctx.workspace.id, input)),
  remove: workspaceProcedure('owner')
    .input(RemoveMemberInput)
    .mutation(async ({ ctx, input }) => {
      await removeMember(ctx.db, ctx.actor, ctx.workspace.id, input.userId);
      return { ok: true as const };
    }),
  /** Leaves the workspace; the last owner cannot. */
  leave: workspaceProcedure('viewer').mutation(async ({ ctx }) => {
    if (ctx.auth.kind !== 'user') {
      throw new DomainError(
        'forbidden',
        'An API token is not a member; only a signed-in user can leave a workspace.',
      );
    }
    await removeMember(ctx.db, ctx.actor, ctx.workspace.id, ctx.auth.user.id);
    return { ok: true as const };
  }),
});
