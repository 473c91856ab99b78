import type { CreateSourceInput, DeleteSourceInput, SourceType, UpdateSourceInput } from '@keel/shared';
import { type Actor, recordAudit } from './audit';
import { deleteConnectionsOf } from './connection-cascade';
import { DomainError, notFound } from './errors';
import { newId } from './ids';
import { type DbHandle, isUniqueViolation, staleVersion, withTx } from './transaction';
import { addWriteKey, auditableKey, WRITE_KEY_VIEW, type WriteKeyView } from './write-keys';

export interface SourceView {
  id: string;
  name: string;
  type: SourceType;
  enabled: boolean;
  rateLimitPerSecond: number | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  writeKeys: WriteKeyView[];
}

const VIEW = {
  id: true,
  name: true,
  type: true,
  enabled: true,
  rateLimitPerSecond: true,
  version: true,
  createdAt: true,
  updatedAt: true,
  writeKeys: { select: WRITE_KEY_VIEW, orderBy: { createdAt: 'asc' } },
} as const;

function auditable(source: SourceView) {
  return { ...source, writeKeys: source.writeKeys.map(auditableKey) };
}

function duplicateName(name: string): DomainError {
  return new DomainError(
    'conflict',
    `A source named "${name}" already exists in this workspace; choose another name.`,
    {
      name: 'already used by another source',
    },
  );
}

async function withNameCheck<T>(name: string | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    // Only the name's unique constraint is left to hit here: write keys map their own.
    if (name !== undefined && isUniqueViolation(error)) throw duplicateName(name);
    throw error;
  }
}

export function listSources(db: DbHandle, workspaceId: string): Promise<SourceView[]> {
  return db.source.findMany({ where: { workspaceId }, select: VIEW, orderBy: { name: 'asc' } });
}

export async function getSource(db: DbHandle, workspaceId: string, id: string): Promise<SourceView> {
  const source = await db.source.findFirst({ where: { id, workspaceId }, select: VIEW });
  if (!source) throw notFound('Source');
  return source;
}

export async function createSource(
  db: DbHandle,
  actor: Actor,
  workspaceId: string,
  input: CreateSourceInput,
): Promise<SourceView> {
  return withTx(db, async (tx) => {
    const existing = await tx.source.findFirst({
      where: { workspaceId, name: input.name },
      select: { id: true },
    });
    if (existing) throw duplicateName(input.name);
    const id = newId('src');
    await withNameCheck(input.name, () =>
      tx.source.create({
        data: {
          id,
          workspaceId,
          name: input.name,
          type: input.type,
          enabled: input.enabled,
          rateLimitPerSecond: input.rateLimitPerSecond,
        },
      }),
    );
    for (const key of input.writeKeys) await addWriteKey(tx, id, key);
    const source = await getSource(tx, workspaceId, id);
    await recordAudit(tx, {
      workspaceId,
      actor,
      action: 'source.create',
      targetType: 'source',
      targetId: id,
      after: auditable(source),
    });
    return source;
  });
}

export async function updateSource(
  db: DbHandle,
  actor: Actor,
  workspaceId: string,
  input: UpdateSourceInput,
): Promise<SourceView> {
  return withTx(db, async (tx) => {
    const before = await getSource(tx, workspaceId, input.id);
    // Fields picked one by one: tRPC merges the workspace input into `input`.
    const { id, version } = input;
    const changes = {
      name: input.name,
      enabled: input.enabled,
      rateLimitPerSecond: input.rateLimitPerSecond,
    };
    const updated = await withNameCheck(changes.name, () =>
      tx.source.updateMany({
        where: { id, workspaceId, version },
        data: { ...changes, version: { increment: 1 } },
      }),
    );
    if (updated.count === 0) throw staleVersion('source');
    const after = await getSource(tx, workspaceId, id);
    await recordAudit(tx, {
      workspaceId,
      actor,
      action: 'source.update',
      targetType: 'source',
      targetId: id,
      before: auditable(before),
      after: auditable(after),
    });
    return after;
  });
}

/** Deletes a source and its write keys; its connections too, but only when asked to (`cascade`). */
export async function deleteSource(
  db: DbHandle,
  actor: Actor,
  workspaceId: string,
  input: DeleteSourceInput,
): Promise<{ deletedConnections: number }> {
  return withTx(db, async (tx) => {
    const before = await getSource(tx, workspaceId, input.id);
    const deletedConnections = await deleteConnectionsOf(
      tx,
      actor,
      workspaceId,
      { kind: 'source', id: input.id, name: before.name },
      input.cascade,
    );
    await tx.source.delete({ where: { id: input.id } });
    await recordAudit(tx, {
      workspaceId,
      actor,
      action: 'source.delete',
      targetType: 'source',
      targetId: input.id,
      before: auditable(before),
    });
    return { deletedConnections };
  });
}
