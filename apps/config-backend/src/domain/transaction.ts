import type { Db, DbTx } from '../db';
import { DomainError } from './errors';

/** A database handle domain functions accept: the client, or a transaction already open. */
export type DbHandle = Db | DbTx;

/**
 * Runs `fn` in a transaction: a new one on a client, or the caller's when `db` already is one,
 * so `createSource(tx, …)` composes inside a larger change (such as `workspace apply`).
 */
export function withTx<T>(db: DbHandle, fn: (tx: DbTx) => Promise<T>): Promise<T> {
  if ('$transaction' in db) return db.$transaction((tx) => fn(tx));
  return fn(db);
}

/** Whether a Prisma error is a unique-constraint violation (P2002). */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}

/** The answer to an update whose `version` is no longer the stored one. */
export function staleVersion(what: string): DomainError {
  return new DomainError(
    'stale-version',
    `This ${what} was changed by someone else since you loaded it; reload it and make your change again.`,
  );
}
