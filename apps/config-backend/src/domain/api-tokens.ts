import type { CreateApiTokenInput, Role } from '@keel/shared';
import { type Actor, recordAudit } from './audit';
import { DomainError, notFound } from './errors';
import { newId } from './ids';
import { hashToken, newToken } from './secrets';
import { type DbHandle, withTx } from './transaction';

export const API_TOKEN_PREFIX = 'keel_api';

export interface ApiTokenView {
  id: string;
  name: string;
  role: Role;
  /** The first characters, so people can tell tokens apart; never the whole token. */
  prefix: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const VIEW = {
  id: true,
  name: true,
  role: true,
  prefix: true,
  createdAt: true,
  expiresAt: true,
  lastUsedAt: true,
  revokedAt: true,
} as const;

/** Creates a token; the returned `token` is the only time anyone sees it. */
export async function createApiToken(
  db: DbHandle,
  actor: Actor,
  workspaceId: string,
  input: CreateApiTokenInput,
): Promise<{ token: string; apiToken: ApiTokenView }> {
  const token = newToken(API_TOKEN_PREFIX);
  return withTx(db, async (tx) => {
    const apiToken = await tx.apiToken.create({
      data: {
        id: newId('tok'),
        workspaceId,
        name: input.name,
        role: input.role,
        tokenHash: hashToken(token),
        prefix: token.slice(0, API_TOKEN_PREFIX.length + 5),
        createdById: actor.type === 'user' ? actor.id : null,
        expiresAt: input.expiresAt ?? null,
      },
      select: VIEW,
    });
    await recordAudit(tx, {
      workspaceId,
      actor,
      action: 'api_token.create',
      targetType: 'api_token',
      targetId: apiToken.id,
      after: apiToken,
    });
    return { token, apiToken };
  });
}

export function listApiTokens(db: DbHandle, workspaceId: string): Promise<ApiTokenView[]> {
  return db.apiToken.findMany({ where: { workspaceId }, select: VIEW, orderBy: { createdAt: 'asc' } });
}

export async function revokeApiToken(
  db: DbHandle,
  actor: Actor,
  workspaceId: string,
  id: string,
): Promise<ApiTokenView> {
  return withTx(db, async (tx) => {
    const before = await tx.apiToken.findFirst({ where: { id, workspaceId }, select: VIEW });
    if (!before) throw notFound('API token');
    if (before.revokedAt) throw new DomainError('conflict', 'This API token is already revoked.');
    const after = await tx.apiToken.update({ where: { id }, data: { revokedAt: new Date() }, select: VIEW });
    await recordAudit(tx, {
      workspaceId,
      actor,
      action: 'api_token.revoke',
      targetType: 'api_token',
      targetId: id,
      before,
      after,
    });
    return after;
  });
}

export interface ResolvedApiToken {
  id: string;
  workspaceId: string;
  role: Role;
}

/** The token a bearer value names, or null when it is unknown, revoked or expired. */
export async function resolveApiToken(db: DbHandle, token: string): Promise<ResolvedApiToken | null> {
  const row = await db.apiToken.findUnique({ where: { tokenHash: hashToken(token) } });
  if (!row || row.revokedAt) return null;
  if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) return null;
  // Record use at most once a minute, so a busy script does not write on every call.
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  }
  return { id: row.id, workspaceId: row.workspaceId, role: row.role };
}
