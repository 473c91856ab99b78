import { type Actor, recordAudit } from './audit';
import { DomainError, notFound } from './errors';
import { newId } from './ids';
import { hashToken, newToken } from './secrets';
import type { Sql } from './sql';
import { type DbHandle, withTx } from './transaction';

export const DATA_PLANE_TOKEN_PREFIX = 'keel_dp';

/** A data-plane token as listings show it: never the token, only its first characters. */
export interface DataPlaneTokenView {
  id: string;
  workspaceId: string | null;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const VIEW = {
  id: true,
  workspaceId: true,
  name: true,
  prefix: true,
  createdAt: true,
  lastUsedAt: true,
  revokedAt: true,
} as const;

function prefixOf(token: string): string {
  return `${token.slice(0, DATA_PLANE_TOKEN_PREFIX.length + 5)}…`;
}

/** Creates a token that serves one workspace. The plain token is returned once and stored only hashed. */
export async function createDataPlaneToken(
  db: DbHandle,
  actor: Actor,
  input: { workspaceId: string; name: string },
): Promise<{ token: string; dataPlaneToken: DataPlaneTokenView }> {
  const name = input.name.trim();
  if (!name) throw new DomainError('invalid-input', 'Give the token a name.', { name: 'required' });
  const token = newToken(DATA_PLANE_TOKEN_PREFIX);
  return withTx(db, async (tx) => {
    const dataPlaneToken = await tx.dataPlaneToken.create({
      data: {
        id: newId('dpt'),
        workspaceId: input.workspaceId,
        name,
        tokenHash: hashToken(token),
        prefix: prefixOf(token),
      },
      select: VIEW,
    });
    await recordAudit(tx, {
      workspaceId: input.workspaceId,
      actor,
      action: 'data_plane_token.create',
      targetType: 'data_plane_token',
      targetId: dataPlaneToken.id,
      after: dataPlaneToken,
    });
    return { token, dataPlaneToken };
  });
}

/** The workspace's tokens, newest first, revoked ones included (marked). */
export async function listDataPlaneTokens(db: DbHandle, workspaceId: string): Promise<DataPlaneTokenView[]> {
  return db.dataPlaneToken.findMany({ where: { workspaceId }, orderBy: { createdAt: 'desc' }, select: VIEW });
}

/** Revokes a token of the workspace; the data plane using it is refused from its next request on. */
export async function revokeDataPlaneToken(
  db: DbHandle,
  actor: Actor,
  input: { workspaceId: string; id: string },
): Promise<DataPlaneTokenView> {
  return withTx(db, async (tx) => {
    const before = await tx.dataPlaneToken.findFirst({
      where: { id: input.id, workspaceId: input.workspaceId },
      select: VIEW,
    });
    if (!before) throw notFound('The data-plane token');
    if (before.revokedAt) return before;
    const after = await tx.dataPlaneToken.update({
      where: { id: input.id },
      data: { revokedAt: new Date() },
      select: VIEW,
    });
    await recordAudit(tx, {
      workspaceId: input.workspaceId,
      actor,
      action: 'data_plane_token.revoke',
      targetType: 'data_plane_token',
      targetId: input.id,
      before,
      after,
    });
    return after;
  });
}

/**
 * Makes `plainToken` a valid token for every workspace (`workspace_id` NULL). Idempotent:
 * `npm start` calls it on every start with the token it keeps in `.data/` for the local data
 * plane; a token revoked by hand stays revoked.
 */
export async function ensureInstanceDataPlaneToken(
  db: DbHandle,
  plainToken: string,
  name = 'Local data plane',
): Promise<{ id: string; created: boolean }> {
  if (plainToken.length < 24)
    throw new DomainError('invalid-input', 'A data-plane token needs 24 characters or more.');
  const tokenHash = hashToken(plainToken);
  const existing = await db.dataPlaneToken.findUnique({ where: { tokenHash }, select: { id: true } });
  if (existing) return { id: existing.id, created: false };
  const created = await db.dataPlaneToken.upsert({
    where: { tokenHash },
    create: { id: newId('dpt'), workspaceId: null, name, tokenHash, prefix: prefixOf(plainToken) },
    update: {},
    select: { id: true },
  });
  return { id: created.id, created: true };
}

/** Who a bearer token is: the workspace it serves, or null for every workspace. */
export interface DataPlanePrincipal {
  tokenId: string;
  workspaceId: string | null;
}

/**
 * Resolves a data-plane bearer token, or returns undefined when it is unknown or revoked.
 * Runs on every data-plane request, so it is one indexed read; last-used is written at most
 * once a minute per token.
 */
export async function authenticateDataPlaneToken(
  sql: Sql,
  plainToken: string,
): Promise<DataPlanePrincipal | undefined> {
  const { rows } = await sql.query<{ id: string; workspace_id: string | null; stale: boolean }>({
    name: 'keel_dp_token_auth',
    text: `SELECT id, workspace_id, (last_used_at IS NULL OR last_used_at < now() - interval '1 minute') AS stale
      FROM data_plane_tokens WHERE token_hash = $1 AND revoked_at IS NULL`,
    values: [hashToken(plainToken)],
  });
  const row = rows[0];
  if (!row) return undefined;
  if (row.stale) {
    await sql.query({
      name: 'keel_dp_token_used',
      text: 'UPDATE data_plane_tokens SET last_used_at = now() WHERE id = $1',
      values: [row.id],
    });
  }
  return { tokenId: row.id, workspaceId: row.workspace_id };
}

/** Whether a principal may act for `workspaceId`. */
export function mayServe(principal: DataPlanePrincipal, workspaceId: string): boolean {
  return principal.workspaceId === null || principal.workspaceId === workspaceId;
}
