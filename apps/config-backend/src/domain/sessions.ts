import { newId } from './ids';
import { hashToken, newToken } from './secrets';
import type { DbHandle } from './transaction';

export const SESSION_COOKIE = 'keel_session';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
}

/** Starts a session; the token goes to the cookie, only its SHA-256 to the database. */
export async function createSession(
  db: DbHandle,
  userId: string,
  ttlHours: number,
): Promise<{ token: string; expiresAt: Date }> {
  const token = newToken('keel_ses');
  const expiresAt = new Date(Date.now() + ttlHours * 3_600_000);
  // Housekeeping on the rare write path, so expired rows do not pile up.
  await db.session.deleteMany({ where: { userId, expiresAt: { lt: new Date() } } });
  await db.session.create({ data: { id: newId('ses'), tokenHash: hashToken(token), userId, expiresAt } });
  return { token, expiresAt };
}

/** The user a session cookie belongs to, or null when it is unknown, ended or expired. */
export async function resolveSession(
  db: DbHandle,
  token: string,
): Promise<{ sessionId: string; user: SessionUser } | null> {
  const session = await db.session.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { user: { select: { id: true, email: true, name: true } } },
  });
  if (!session) return null;
  if (session.expiresAt.getTime() <= Date.now()) {
    await db.session.deleteMany({ where: { id: session.id } });
    return null;
  }
  // Touch at most once a minute, so reads do not each write a row.
  if (Date.now() - session.lastSeenAt.getTime() > 60_000) {
    await db.session.update({ where: { id: session.id }, data: { lastSeenAt: new Date() } });
  }
  return { sessionId: session.id, user: session.user };
}

/** Ends a session server-side: the cookie stops working even if someone kept a copy. */
export async function endSession(db: DbHandle, token: string): Promise<void> {
  await db.session.deleteMany({ where: { tokenHash: hashToken(token) } });
}
