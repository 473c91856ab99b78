import { AcceptWithSignUpInput, CreateInvitationInput, IdInput, InvitationToken } from '@keel/shared';
import {
  acceptInvitation,
  acceptWithSignUp,
  createInvitation,
  listInvitations,
  previewInvitation,
  revokeInvitation,
} from '../../domain/invitations';
import { publicProcedure, router, userProcedure, workspaceProcedure } from '../trpc';
import { startSession } from './auth';

export const invitationsRouter = router({
  list: workspaceProcedure('owner').query(({ ctx }) => listInvitations(ctx.db, ctx.workspace.id)),

  /** Returns the single-use link once; only its hash is stored. */
  create: workspaceProcedure('owner')
    .input(CreateInvitationInput)
    .mutation(async ({ ctx, input }) => {
      const { token, invitation } = await createInvitation(ctx.db, ctx.actor, ctx.workspace.id, input);
      const link = new URL(`/invite?token=${encodeURIComponent(token)}`, ctx.env.PUBLIC_URL).toString();
      return { invitation, token, link };
    }),

  revoke: workspaceProcedure('owner')
    .input(IdInput)
    .mutation(async ({ ctx, input }) => {
      await revokeInvitation(ctx.db, ctx.actor, ctx.workspace.id, input.id);
      return { ok: true as const };
    }),

  /**
   * What the invitation page shows (workspace name and role) before accepting. A mutation only
   * so the token travels in the body: query inputs are in the URL, which request logs record.
   */
  preview: publicProcedure
    .input(InvitationToken)
    .mutation(({ ctx, input }) => previewInvitation(ctx.db, input.token)),

  accept: userProcedure
    .input(InvitationToken)
    .mutation(({ ctx, input }) => acceptInvitation(ctx.db, ctx.user, input.token)),

  /** Creates an account, accepts, and signs the new user in, in one step. */
  acceptWithSignUp: publicProcedure.input(AcceptWithSignUpInput).mutation(async ({ ctx, input }) => {
    const result = await acceptWithSignUp(ctx.db, input);
    await startSession(ctx, result.user.id);
    return result;
  }),
});
