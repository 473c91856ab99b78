import { type Role, WorkspaceInput } from '@keel/shared';
import { initTRPC, TRPCError } from '@trpc/server';
import type { CreateFastifyContextOptions } from '@trpc/server/adapters/fastify';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Db } from '../db';
import { API_TOKEN_PREFIX, type ResolvedApiToken, resolveApiToken } from '../domain/api-tokens';
import type { Actor } from '../domain/audit';
import type { LoginThrottle } from '../domain/auth';
import { DomainError } from '../domain/errors';
import { roleAtLeast } from '../domain/roles';
import { resolveSession, SESSION_COOKIE, type SessionUser } from '../domain/sessions';
import type { ConfigBackendEnv } from '../env';
import { domainCodeOf, toTRPCError } from './errors';

export type Auth =
  | { kind: 'user'; user: SessionUser; sessionId: string }
  | { kind: 'api_token'; token: ResolvedApiToken };

export interface Context {
  db: Db;
  env: ConfigBackendEnv;
  secretKey: Buffer;
  req: FastifyRequest;
  res: FastifyReply;
  log: FastifyBaseLogger;
  loginThrottle: LoginThrottle;
  auth: Auth | null;
  /** Why a presented credential was refused; authed procedures answer with it. */
  authProblem: string | null;
}

function bearerOf(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

/** What lives as long as the app, handed to every request's context. */
export interface ContextServices {
  loginThrottle: LoginThrottle;
}

/** Builds the context from the request: an API token from `Authorization: Bearer`, else the session cookie. */
export async function createContext(
  { req, res }: CreateFastifyContextOptions,
  services: ContextServices,
): Promise<Context> {
  const { prisma, env, secretKey } = req.server.keel;
  const base = { db: prisma, env, secretKey, req, res, log: req.log, ...services };
  const bearer = bearerOf(req);
  if (req.headers.authorization !== undefined) {
    if (!bearer?.startsWith(`${API_TOKEN_PREFIX}_`)) {
      return {
        ...base,
        auth: null,
        authProblem: `Send an API token as "Authorization: Bearer ${API_TOKEN_PREFIX}_…"; create one in workspace settings.`,
      };
    }
    const token = await resolveApiToken(prisma, bearer);
    return token
      ? { ...base, auth: { kind: 'api_token', token }, authProblem: null }
      : {
          ...base,
          auth: null,
          authProblem:
            'This API token is unknown, expired or revoked; create a new one in workspace settings.',
        };
  }
  const cookie = req.cookies[SESSION_COOKIE];
  if (cookie) {
    const session = await resolveSession(prisma, cookie);
    if (session) return { ...base, auth: { kind: 'user', ...session }, authProblem: null };
    return { ...base, auth: null, authProblem: 'Your session has ended; sign in again.' };
  }
  return { ...base, auth: null, authProblem: null };
}

/** Field errors of a zod error, keyed by the dotted path of the field. */
function fieldsOf(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.') || '(input)';
    fields[key] ??= issue.message;
  }
  return fields;
}

const t = initTRPC.context<Context>().create({
  // Never send stack traces, whatever NODE_ENV says.
  isDev: false,
  errorFormatter({ shape, error }) {
    const { stack: _stack, ...data } = shape.data;
    if (error.cause instanceof z.ZodError) {
      const fields = fieldsOf(error.cause);
      const summary = Object.entries(fields)
        .map(([k, v]) => `${k}: ${v}`)
        .join('; ');
      return {
        ...shape,
        message: `Some fields are not valid — ${summary}`,
        data: { ...data, domainCode: 'invalid-input', fields },
      };
    }
    if (error.code === 'INTERNAL_SERVER_ERROR') {
      return {
        ...shape,
        message:
          'Something went wrong on the server. It has been logged; try again, and report it if it persists.',
        data: { ...data, domainCode: undefined, fields: undefined },
      };
    }
    const fields = error.cause instanceof DomainError ? error.cause.fields : undefined;
    return { ...shape, data: { ...data, domainCode: domainCodeOf(error), fields } };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Maps DomainErrors thrown by handlers to their tRPC codes (see errors.ts). */
const mapDomainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const mapped = toTRPCError(result.error.cause);
    if (mapped) throw mapped;
  }
  return result;
});

/**
 * CSRF: a mutation that is not authenticated by a bearer token must come from the web app's
 * origin. Browsers always send Origin on POST; a cross-site form or fetch cannot forge it.
 */
const sameOriginMutations = t.middleware(({ ctx, type, next }) => {
  if (type !== 'mutation' || ctx.auth?.kind === 'api_token') return next();
  const expected = new URL(ctx.env.PUBLIC_URL).origin;
  const origin = ctx.req.headers.origin ?? refererOrigin(ctx.req.headers.referer);
  if (origin !== expected) {
    throw new TRPCError({
      code: 'FORBIDDEN',
      message: `This change must come from the Keel web app at ${expected}; scripts should send an API token instead of a cookie.`,
    });
  }
  return next();
});

function refererOrigin(referer: string | undefined): string | undefined {
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return undefined;
  }
}

export const publicProcedure = t.procedure.use(mapDomainErrors).use(sameOriginMutations);

function actorOf(auth: Auth): Actor {
  return auth.kind === 'user' ? { type: 'user', id: auth.user.id } : { type: 'api_token', id: auth.token.id };
}

/** Any signed-in user or valid API token. */
export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.auth) {
    throw new TRPCError({
      code: 'UNAUTHORIZED',
      message: ctx.authProblem ?? 'Sign in, or send an API token.',
    });
  }
  return next({ ctx: { auth: ctx.auth, actor: actorOf(ctx.auth) } });
});

/** A signed-in person; API tokens cannot call these (they belong to one workspace). */
export const userProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.auth.kind !== 'user') {
    throw new TRPCError({
      code: 'FORBIDDEN',
      message: 'Only a signed-in user can do this, not an API token.',
    });
  }
  return next({ ctx: { user: ctx.auth.user, sessionId: ctx.auth.sessionId, actor: ctx.actor } });
});

/** The caller's role in a workspace, or null when they are not a member (or the token is another workspace's). */
async function roleIn(db: Db, auth: Auth, workspaceId: string): Promise<Role | null> {
  if (auth.kind === 'api_token') return auth.token.workspaceId === workspaceId ? auth.token.role : null;
  const member = await db.member.findUnique({
    where: { workspaceId_userId: { workspaceId, userId: auth.user.id } },
    select: { role: true },
  });
  return member?.role ?? null;
}

/**
 * A procedure on one workspace, for callers holding at least `minRole` there. Its input
 * includes `{ workspaceId }`. A workspace the caller cannot see answers NOT_FOUND, exactly
 * like one that does not exist, so ids never leak.
 */
export function workspaceProcedure(minRole: Role) {
  return authedProcedure.input(WorkspaceInput).use(async ({ ctx, input, next }) => {
    const role = await roleIn(ctx.db, ctx.auth, input.workspaceId);
    if (!role) throw new TRPCError({ code: 'NOT_FOUND', message: 'Workspace was not found.' });
    if (!roleAtLeast(role, minRole)) {
      throw new TRPCError({
        code: 'FORBIDDEN',
        message: `This needs the ${minRole} role in this workspace; yours is ${role}. Ask an owner.`,
      });
    }
    return next({ ctx: { workspace: { id: input.workspaceId, role } } });
  });
}
