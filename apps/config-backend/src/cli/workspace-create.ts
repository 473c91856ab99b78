import type { Db } from '../db';
import { DomainError } from '../domain/errors';
import { createWorkspace, type WorkspaceView } from '../domain/workspaces';

/**
 * Creates a workspace from the CLI. A workspace needs an owner to be seen in the web app, so
 * it belongs to the user named by email, or to the only user when there is exactly one.
 */
export async function createWorkspaceFor(db: Db, name: string, ownerEmail?: string): Promise<WorkspaceView> {
  const users = ownerEmail
    ? await db.user.findMany({ where: { email: ownerEmail.trim().toLowerCase() }, select: { id: true } })
    : await db.user.findMany({ select: { id: true }, take: 2 });
  const owner = users[0];
  if (!owner || users.length > 1) {
    throw new DomainError(
      'invalid-input',
      ownerEmail
        ? `No user with the email ${ownerEmail}; create the account in the web app first.`
        : users.length === 0
          ? 'There is no user yet; create the owner account in the web app first.'
          : 'There are several users; name the owner with --owner EMAIL.',
    );
  }
  return createWorkspace(db, { type: 'user', id: owner.id }, { name });
}
