import type { CreateOwnerInput, LoginInput, Role } from '@keel/shared';
import type { z } from 'zod';
import { recordAudit } from './audit';
import { DomainError } from './errors';
import { newId } from './ids';
import type { SessionUser } from './sessions';
import { type DbHandle, withTx } from './transaction';
import { createUser, verifyCredentials } from './users';

/** Whether the first-run "create the owner account" step is still open. */
export async function setupStatus(db: DbHandle): Promise<{ needsOwner: boolean }> {
  return { needsOwner: (await db.user.count()) === 0 };
}

// Any fixed number; it serialises concurrent first-run requests so only one owner is created.
const FIRST_RUN_LOCK = 7_291_001;

/** First run only: creates the owner, their first workspace and the owner membership. */
export async function createOwner(
  db: DbHandle,
  input: z.output<typeof CreateOwnerInput>,
): Promise<{ user: SessionUser; workspaceId: string }> {
  return withTx(db, async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${FIRST_RUN_LOCK})`;
    if ((await tx.user.count()) > 0) {
      throw new DomainError(
        'precondition-failed',
        'Keel already has an owner. Sign in, or ask an owner for an invitation.',
      );
    }
    const user = await createUser(tx, input);
    const workspace = await tx.workspace.create({ data: { id: newId('ws'), name: input.workspaceName } });
    await tx.member.create({ data: { workspaceId: workspace.id, userId: user.id, role: 'owner' } });
    await recordAudit(tx, {
      workspaceId: workspace.id,
      actor: { type: 'user', id: user.id },
      action: 'workspace.create',
      targetType: 'workspace',
      targetId: workspace.id,
      after: { name: workspace.name, owner: user.email },
    });
    return { user, workspaceId: workspace.id };
  });
}

/**
 * Counts failed logins per email in a sliding window. Kept in memory: it is a speed bump for
 * password guessing against one process, and forgetting it on restart is harmless.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures = 5,
    private readonly windowMs = 15 * 60_000,
  ) {}

  check(email: string, now = Date.now()): void {
    const recent = (this.failures.get(email) ?? []).filter((t) => now - t < this.windowMs);
    if (recent.length >= this.maxFailures) {
      const waitMin = Math.ceil(((recent[0] ?? now) + this.windowMs - now) / 60_000);
      throw new DomainError(
        'rate-limited',
        `Too many failed sign-ins for this email; wait ${waitMin} minute(s) and try again.`,
      );
    }
  }

  fail(email: string, now = Date.now()): void {
    const recent = (this.failures.get(email) ?? []).filter((t) => now - t < this.windowMs);
    recent.push(now);
    this.failures.set(email, recent);
  }

  succeed(email: string): void {
    this.failures.delete(email);
  }
}

export async function login(db: DbHandle, throttle: LoginThrottle, input: LoginInput): Promise<SessionUser> {
  throttle.check(input.email);
  const user = await verifyCredentials(db, input.email, input.password);
  if (!user) {
    throttle.fail(input.email);
    throw new DomainError('unauthenticated', 'The email or password is wrong.');
  }
  throttle.succeed(input.email);
  return user;
}

/** The signed-in user's workspaces and roles. */
export async function workspacesOf(
  db: DbHandle,
  userId: string,
): Promise<{ id: string; name: string; role: Role }[]> {
  const memberships = await db.member.findMany({
    where: { userId },
    include: { workspace: { select: { id: true, name: true } } },
    orderBy: { createdAt: 'asc' },
  });
  return memberships.map((m) => ({ id: m.workspace.id, name: m.workspace.name, role: m.role }));
}
