import type { ChangeRoleInput, Role } from '@keel/shared';
import { type Actor, recordAudit } from './audit';
import { DomainError, notFound } from './errors';
import { type DbHandle, withTx } from './transaction';

export interface MemberView {
  userId: string;
  email: string;
  name: string;
  role: Role;
  createdAt: Date;
}

export async function listMembers(db: DbHandle, workspaceId: string): Promise<MemberView[]> {
  const members = await db.member.findMany({
    where: { workspaceId },
    include: { user: { select: { email: true, name: true } } },
    orderBy: { createdAt: 'asc' },
  });
  return members.map((m) => ({
    userId: m.userId,
    email: m.user.email,
    name: m.user.name,
    role: m.role,
    createdAt: m.createdAt,
  }));
}

/**
 * Locks the workspace's owner rows and refuses a change that would leave it without an owner.
 * The lock makes two owners demoting each other at once safe: the second waits, then sees one owner.
 */
async function assertOwnerRemains(tx: DbHandle, workspaceId: string, losingOwner: string): Promise<void> {
  const owners = await tx.$queryRaw<{ user_id: string }[]>`
    SELECT user_id FROM members WHERE workspace_id = ${workspaceId} AND role = 'owner' FOR UPDATE`;
  if (owners.every((o) => o.user_id === losingOwner)) {
    throw new DomainError(
      'precondition-failed',
      'A workspace needs at least one owner; make someone else an owner first.',
    );
  }
}

async function findMember(tx: DbHandle, workspaceId: string, userId: string): Promise<MemberView> {
  const member = await tx.member.findUnique({
    where: { workspaceId_userId: { workspaceId, userId } },
    include: { user: { select: { email: true, name: true } } },
  });
  if (!member) throw notFound('Member');
  return {
    userId,
    email: member.user.email,
    name: member.user.name,
    role: member.role,
    createdAt: member.createdAt,
  };
}

export async function changeMemberRole(
  db: DbHandle,
  actor: Actor,
  workspaceId: string,
  input: ChangeRoleInput,
): Promise<MemberView> {
  return withTx(db, async (tx) => {
    const before = await findMember(tx, workspaceId, input.userId);
    if (before.role === 'owner' && input.role !== 'owner')
      await assertOwnerRemains(tx, workspaceId, input.userId);
    await tx.member.update({
      where: { workspaceId_userId: { workspaceId, userId: input.userId } },
      data: { role: input.role },
    });
    const after = { ...before, role: input.role };
    await recordAudit(tx, {
      workspaceId,
      actor,
      action: 'member.change_role',
      targetType: 'member',
      targetId: input.userId,
      before,
      after,
    });
    return after;
  });
}

/** Removes a member (or lets a member leave); never the last owner. */
export async function removeMember(
  db: DbHandle,
  actor: Actor,
  workspaceId: string,
  userId: string,
): Promise<void> {
  await withTx(db, async (tx) => {
    const before = await findMember(tx, workspaceId, userId);
    if (before.role === 'owner') await assertOwnerRemains(tx, workspaceId, userId);
    await tx.member.delete({ where: { workspaceId_userId: { workspaceId, userId } } });
    await recordAudit(tx, {
      workspaceId,
      actor,
      action: 'member.remove',
      targetType: 'member',
      targetId: userId,
      before,
    });
  });
}
