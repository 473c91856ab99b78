import type { Prisma } from '../generated/prisma/client';
import type { DbHandle } from './transaction';

/** Who made a change: a signed-in user, an API token, or Keel itself (bootstrap, CLI). */
export type Actor =
  | { type: 'user'; id: string }
  | { type: 'api_token'; id: string }
  | { type: 'system'; id: null };

export interface AuditEntry {
  workspaceId: string;
  actor: Actor;
  /** `<target>.<verb>`, e.g. `source.update`. */
  action: string;
  targetType: string;
  targetId: string | null;
  /** Secrets must already be masked. */
  before?: unknown;
  after?: unknown;
}

function toJson(value: unknown): Prisma.InputJsonValue | undefined {
  if (value === undefined || value === null) return undefined;
  return JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue;
}

/**
 * Records one change. Call it with the transaction that makes the change, so the entry and the
 * change commit together. (Config-change notifications come from table triggers, not from here.)
 */
export async function recordAudit(tx: DbHandle, entry: AuditEntry): Promise<void> {
  await tx.auditLog.create({
    data: {
      workspaceId: entry.workspaceId,
      actorType: entry.actor.type,
      actorId: entry.actor.id,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId,
      before: toJson(entry.before),
      after: toJson(entry.after),
    },
  });
}

export interface AuditPage {
  entries: {
    id: string;
    actorType: string;
    actorId: string | null;
    /** Who, in words: the user's email or the API token's name (null for Keel itself or a deleted actor). */
    actorLabel: string | null;
    action: string;
    targetType: string;
    targetId: string | null;
    before: unknown;
    after: unknown;
    createdAt: Date;
  }[];
  /** Pass as `cursor` to read the next (older) page; null at the end. */
  nextCursor: string | null;
}

/** The workspace's audit log, newest first. */
export async function listAudit(
  db: DbHandle,
  workspaceId: string,
  opts: { cursor?: string; limit: number; targetId?: string },
): Promise<AuditPage> {
  const rows = await db.auditLog.findMany({
    where: {
      workspaceId,
      ...(opts.targetId ? { targetId: opts.targetId } : {}),
      ...(opts.cursor ? { id: { lt: BigInt(opts.cursor) } } : {}),
    },
    orderBy: { id: 'desc' },
    take: opts.limit + 1,
  });
  const page = rows.slice(0, opts.limit);
  const labels = await actorLabels(db, page);
  return {
    entries: page.map((r) => ({
      id: r.id.toString(),
      actorType: r.actorType,
      actorId: r.actorId,
      actorLabel: r.actorId ? (labels.get(r.actorId) ?? null) : null,
      action: r.action,
      targetType: r.targetType,
      targetId: r.targetId,
      before: r.before,
      after: r.after,
      createdAt: r.createdAt,
    })),
    nextCursor: rows.length > opts.limit ? (page.at(-1)?.id.toString() ?? null) : null,
  };
}

async function actorLabels(
  db: DbHandle,
  rows: { actorType: string; actorId: string | null }[],
): Promise<Map<string, string>> {
  const idsOf = (type: string) => [
    ...new Set(rows.filter((r) => r.actorType === type && r.actorId).map((r) => r.actorId as string)),
  ];
  const [users, tokens] = await Promise.all([
    db.user.findMany({ where: { id: { in: idsOf('user') } }, select: { id: true, email: true } }),
    db.apiToken.findMany({ where: { id: { in: idsOf('api_token') } }, select: { id: true, name: true } }),
  ]);
  return new Map([
    ...users.map((u) => [u.id, u.email] as const),
    ...tokens.map((t) => [t.id, `API token "${t.name}"`] as const),
  ]);
}
