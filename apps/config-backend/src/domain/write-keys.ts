import { randomBytes } from 'node:crypto';
import type { CreateWriteKeyInput, NewWriteKey, RenameWriteKeyInput } from '@keel/shared';
import { type Actor, recordAudit } from './audit';
import { DomainError, notFound } from './errors';
import { newId } from './ids';
import { type DbHandle, isUniqueViolation, withTx } from './transaction';

export interface WriteKeyView {
  id: string;
  name: string;
  /** Readable on purpose: the UI shows it for copying into SDK snippets. */
  key: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export const WRITE_KEY_VIEW = {
  id: true,
  name: true,
  key: true,
  createdAt: true,
  lastUsedAt: true,
  revokedAt: true,
} as const;

/** 24 random bytes: 32 URL-safe characters. */
export function generateWriteKey(): string {
  return randomBytes(24).toString('base64url');
}

/** The audit log shows only the start of a key. */
export function auditableKey(view: WriteKeyView): Omit<WriteKeyView, 'key'> & { key: string } {
  return { ...view, key: `${view.key.slice(0, 6)}…` };
}

/** Adds a key to a source (several may be active at once, for rotation with overlap). */
export async function addWriteKey(tx: DbHandle, sourceId: string, input: NewWriteKey): Promise<WriteKeyView> {
  try {
    return await tx.writeKey.create({
      data: { id: newId('wk'), sourceId, name: input.name, key: input.key ?? generateWriteKey() },
      select: WRITE_KEY_VIEW,
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new DomainError(
        'conflict',
        'This write key is already in use; choose another, or leave it out to generate one.',
        {
          key: 'already in use',
        },
      );
    }
    throw error;
  }
}

async function sourceOf(tx: DbHandle, workspaceId: string, sourceId: string): Promise<void> {
  const source = await tx.source.findFirst({ where: { id: sourceId, workspaceId }, select: { id: true } });
  if (!source) throw notFound('Source');
}

async function keyOf(
  tx: DbHandle,
  workspaceId: string,
  id: string,
): Promise<WriteKeyView & { sourceId: string }> {
  const key = await tx.writeKey.findFirst({
    where: { id, source: { workspaceId } },
    select: { ...WRITE_KEY_VIEW, sourceId: true },
  });
  if (!key) throw notFound('Write key');
  return key;
}

export async function createWriteKey(
  db: DbHandle,
  actor: Actor,
  workspaceId: string,
  input: CreateWriteKeyInput,
): Promise<WriteKeyView> {
  return withTx(db, async (tx) => {
    await sourceOf(tx, workspaceId, input.sourceId);
    const key = await addWriteKey(tx, input.sourceId, input);
    await recordAudit(tx, {
      workspaceId,
      actor,
      action: 'write_key.create',
      targetType: 'write_key',
      targetId: key.id,
      after: { ...auditableKey(key), sourceId: input.sourceId },
    });
    return key;
  });
}

export async function renameWriteKey(
  db: DbHandle,
  actor: Actor,
  workspaceId: string,
  input: RenameWriteKeyInput,
): Promise<WriteKeyView> {
  return withTx(db, async (tx) => {
    const { sourceId: _sourceId, ...before } = await keyOf(tx, workspaceId, input.id);
    const after = await tx.writeKey.update({
      where: { id: input.id },
      data: { name: input.name },
      select: WRITE_KEY_VIEW,
    });
    await recordAudit(tx, {
      workspaceId,
      actor,
      action: 'write_key.rename',
      targetType: 'write_key',
      targetId: input.id,
      before: auditableKey(before),
      after: auditableKey(after),
    });
    return after;
  });
}

/** Revokes a key: the gateway stops accepting it once the data plane picks up the new config. */
export async function revokeWriteKey(
  db: DbHandle,
  actor: Actor,
  workspaceId: string,
  id: string,
): Promise<WriteKeyView> {
  return withTx(db, async (tx) => {
    const { sourceId: _sourceId, ...before } = await keyOf(tx, workspaceId, id);
    if (before.revokedAt) throw new DomainError('conflict', 'This write key is already revoked.');
    const after = await tx.writeKey.update({
      where: { id },
      data: { revokedAt: new Date() },
      select: WRITE_KEY_VIEW,
    });
    await recordAudit(tx, {
      workspaceId,
      actor,
      action: 'write_key.revoke',
      targetType: 'write_key',
      targetId: id,
      before: auditableKey(before),
      after: auditableKey(after),
    });
    return after;
  });
}
