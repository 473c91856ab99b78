import { createOwner } from './auth';
import type { DbHandle } from './transaction';

/** The first-run owner, Ada, and her workspace Acme: what the domain tests start from. */
export function createTestOwner(db: DbHandle): ReturnType<typeof createOwner> {
  return createOwner(db, {
    email: 'ada@example.com',
    name: 'Ada',
    password: 'a long enough password',
    workspaceName: 'Acme',
  });
}
