import type { SignUpInput } from '@keel/shared';
import { hash, verify } from '@node-rs/argon2';
import { DomainError } from './errors';
import { newId } from './ids';
import type { SessionUser } from './sessions';
import { type DbHandle, isUniqueViolation } from './transaction';

/** Creates a user with an argon2id password hash. */
export async function createUser(db: DbHandle, input: SignUpInput): Promise<SessionUser> {
  const passwordHash = await hash(input.password);
  try {
    return await db.user.create({
      data: { id: newId('usr'), email: input.email, name: input.name, passwordHash },
      select: { id: true, email: true, name: true },
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new DomainError('conflict', 'An account with this email already exists; sign in instead.', {
        email: 'already registered',
      });
    }
    throw error;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * The user whose email and password these are, or null. An unknown email still costs one
 * argon2 verification, so response times do not tell which emails are registered.
 */
export async function verifyCredentials(
  db: DbHandle,
  email: string,
  password: string,
): Promise<SessionUser | null> {
  const user = await db.user.findUnique({ where: { email } });
  if (!user) {
    dummyHash ??= hash('not a real password, only spends time');
    await verify(await dummyHash, password);
    return null;
  }
  if (!(await verify(user.passwordHash, password))) return null;
  return { id: user.id, email: user.email, name: user.name };
}
