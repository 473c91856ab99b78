import { CreateOwnerInput, LoginInput } from '@keel/shared';
import { TRPCError } from '@trpc/server';
import { createOwner, login, setupStatus, workspacesOf } from '../../domain/auth';
import { createSession, endSession, SESSION_COOKIE } from '../../domain/sessions';
import { type Context, publicProcedure, router } from '../trpc';

/** Sets the session cookie: httpOnly, SameSite=Lax, Secure when the web app is served over https. */
export async function startSession(ctx: Context, userId: string): Promise<void> {
  // A new sign-in replaces whatever session this browser had.
  const previous = ctx.req.cookies[SESSION_COOKIE];
  if (previous) await endSession(ctx.db, previous);
  const { token, expiresAt } = await createSession(ctx.db, userId, ctx.env.SESSION_TTL_HOURS);
  ctx.res.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.env.COOKIE_SECURE ?? ctx.env.PUBLIC_URL.startsWith('https:'),
    path: '/',
    expires: expiresAt,
  });
}

export const authRouter = router({
  setupStatus: publicProcedure.query(({ ctx }) => setupStatus(ctx.db)),

  createOwner: publicProcedure.input(CreateOwnerInput).mutation(async ({ ctx, input }) => {
    const result = await createOwner(ctx.db, input);
    await startSession(ctx, result.user.id);
    return result;
  }),

  login: publicProcedure.input(LoginInput).mutation(async ({ ctx, input }) => {
    const user = await login(ctx.db, ctx.loginThrottle, input);
    await startSession(ctx, user.id);
    return { user };
  }),

  logout: publicProcedure.mutation(async ({ ctx }) => {
    const token = ctx.req.cookies[SESSION_COOKIE];
    if (token) await endSession(ctx.db, token);
    ctx.res.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true as const };
  }),

  /** Who is calling: a user with their workspaces, or an API token with its one workspace. */
  me: publicProcedure.query(async ({ ctx }) => {
    const auth = ctx.auth;
    if (!auth) {
      throw new TRPCError({
        code: 'UNAUTHORIZED',
        message: ctx.authProblem ?? 'Sign in, or send an API token.',
      });
    }
    if (auth.kind === 'user') {
      return { user: auth.user, apiToken: null, workspaces: await workspacesOf(ctx.db, auth.user.id) };
    }
    const workspace = await ctx.db.workspace.findUniqueOrThrow({
      where: { id: auth.token.workspaceId },
      select: { id: true, name: true },
    });
    return {
      user: null,
      apiToken: { id: auth.token.id, role: auth.token.role },
      workspaces: [{ ...workspace, role: auth.token.role }],
    };
  }),
});
