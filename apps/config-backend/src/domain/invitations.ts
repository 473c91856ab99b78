import type { AcceptWithSignUpInput, CreateInvitationInput, Role } from '@keel/shared';
import { type Actor, recordAudit } from './audit';
import { DomainError, notFound } from './errors';
import { newId } from './ids';
import { hashToken, newToken } from './secrets';
import type { SessionUser } from './sessions';
import { type DbHandle, withTx } from './transaction';
import { createUser } from './users';

export interface InvitationView {
  id: string;
  email: string | null;
  role: Role;
  createdAt: Date;
  expiresAt: Date;
  acceptedAt: Date | null;
}

const VIEW = {
  id: true,
  email: true,
  role: true,
  createdAt: true,
  expiresAt: true,
  acceptedAt: true,
} as const;

/** Creates a single-use invitation; the returned token is shown once, only its hash is kept. */
export async function createInvitation(
  db: DbHandle,
  actor: Actor,
  workspaceId: string,
  input: CreateInvitationInput,
): Promise<{ token: string; invitation: InvitationView }> {
  const token = newToken('keel_inv');
  return withTx(db, async (tx) => {
    const invitation = await tx.invitation.create({
      data: {
        id: newId('inv'),
        workspaceId,
        email: input.email ?? null,
        role: input.role,
        tokenHash: hashToken(token),
        // A user's id, or an API token's when a script sent the invitation.
        createdById: actor.id ?? 'system',
        expiresAt: new Date(Date.now() + input.expiresInHours * 3_600_000),
      },
      select: VIEW,
    });
    await recordAudit(tx, {
      workspaceId,
      actor,
      action: 'invitation.create',
      targetType: 'invitation',
      targetId: invitation.id,
      after: invitation,
    });
    return { token, invitation };
  });
}

export function listInvitations(db: DbHandle, workspaceId: string): Promise<InvitationView[]> {
  return db.invitation.findMany({ where: { workspaceId }, select: VIEW, orderBy: { createdAt: 'desc' } });
}

export async function revokeInvitation(
  db: DbHandle,
  actor: Actor,
  workspaceId: string,
  id: string,
): Promise<void> {
  await withTx(db, async (tx) => {
    const before = await tx.invitation.findFirst({ where: { id, workspaceId }, select: VIEW });
    if (!before) throw notFound('Invitation');
    await tx.invitation.delete({ where: { id } });
    await recordAudit(tx, {
      workspaceId,
      actor,
      action: 'invitation.revoke',
      targetType: 'invitation',
      targetId: id,
      before,
    });
  });
}

const unusable = () =>
  new DomainError('not-found', 'This invitation link is unknown, used or expired; ask for a new one.');

/** What the invitation page shows before someone accepts. */
export async function previewInvitation(
  db: DbHandle,
  token: string,
): Promise<{ workspaceName: string; role: Role; email: string | null; expiresAt: Date }> {
  const invitation = await db.invitation.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { workspace: { select: { name: true } } },
  });
  if (!invitation || invitation.acceptedAt || invitation.expiresAt.getTime() <= Date.now()) throw unusable();
  return {
    workspaceName: invitation.workspace.name,
    role: invitation.role,
    email: invitation.email,
    expiresAt: invitation.expiresAt,
  };
}

/** Makes `user` a member with the invitation's role, using the invitation up. */
export async function acceptInvitation(
  db: DbHandle,
  user: SessionUser,
  token: string,
): Promise<{ workspaceId: string; role: Role }> {
  return withTx(db, async (tx) => {
    const invitation = await tx.invitation.findUnique({ where: { tokenHash: hashToken(token) } });
    if (!invitation || invitation.acceptedAt || invitation.expiresAt.getTime() <= Date.now())
      throw unusable();
    if (invitation.email && invitation.email !== user.email) {
      throw new DomainError(
        'forbidden',
        'This invitation was sent to another email address; sign in with that account.',
      );
    }
    const existing = await tx.member.findUnique({
      where: { workspaceId_userId: { workspaceId: invitation.workspaceId, userId: user.id } },
    });
    if (existing) throw new DomainError('conflict', 'You are already a member of this workspace.');
    // The condition on accepted_at makes the link single-use even under concurrent accepts.
    const used = await tx.invitation.updateMany({
      where: { id: invitation.id, acceptedAt: null },
      data: { acceptedAt: new Date(), acceptedBy: user.id },
    });
    if (used.count !== 1) throw unusable();
    await tx.member.create({
      data: { workspaceId: invitation.workspaceId, userId: user.id, role: invitation.role },
    });
    await recordAudit(tx, {
      workspaceId: invitation.workspaceId,
      actor: { type: 'user', id: user.id },
      action: 'member.join',
      targetType: 'member',
      targetId: user.id,
      after: { email: user.email, role: invitation.role, invitationId: invitation.id },
    });
    return { workspaceId: invitation.workspaceId, role: invitation.role };
  });
}

/** Signs up and accepts in one step, for people who have no account yet. */
export async function acceptWithSignUp(
  db: DbHandle,
  input: AcceptWithSignUpInput,
): Promise<{ user: SessionUser; workspaceId: string; role: Role }> {
  return withTx(db, async (tx) => {
    await previewInvitation(tx, input.token);
    const user = await createUser(tx, input);
    const accepted = await acceptInvitation(tx, user, input.token);
    return { user, ...accepted };
  });
}
