import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { DomainError, type DomainErrorCode } from '../domain/errors';
import { isUniqueViolation } from '../domain/transaction';

/** The one place that maps DomainError codes to tRPC (and so HTTP) errors. */
const CODES: Record<DomainErrorCode, TRPC_ERROR_CODE_KEY> = {
  'not-found': 'NOT_FOUND',
  conflict: 'CONFLICT',
  'stale-version': 'CONFLICT',
  'invalid-input': 'BAD_REQUEST',
  unauthenticated: 'UNAUTHORIZED',
  forbidden: 'FORBIDDEN',
  'precondition-failed': 'PRECONDITION_FAILED',
  'rate-limited': 'TOO_MANY_REQUESTS',
};

/**
 * Turns what a procedure threw into the error the client sees: a DomainError keeps its code
 * and message; a unique violation the domain did not anticipate still answers CONFLICT.
 * Returns undefined for anything else, which then answers as an internal error.
 */
export function toTRPCError(cause: unknown): TRPCError | undefined {
  if (cause instanceof DomainError) {
    return new TRPCError({ code: CODES[cause.code], message: cause.message, cause });
  }
  if (isUniqueViolation(cause)) {
    return new TRPCError({
      code: 'CONFLICT',
      message: 'Something with the same name or key already exists; choose another.',
    });
  }
  return undefined;
}

/** The domain code of an error that reached the formatter, for clients that branch on it. */
export function domainCodeOf(error: TRPCError): DomainErrorCode | undefined {
  return error.cause instanceof DomainError ? error.cause.code : undefined;
}
