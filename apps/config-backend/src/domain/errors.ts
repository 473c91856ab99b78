/** The expected failures of the control plane; `trpc/errors.ts` and the HTTP layer map each to a status. */
export type DomainErrorCode =
  | 'not-found'
  | 'conflict'
  | 'stale-version'
  | 'invalid-input'
  | 'unauthenticated'
  | 'forbidden'
  | 'precondition-failed'
  | 'rate-limited';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** Field errors, keyed by the path of the field, for forms. */
    readonly fields?: Record<string, string>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string) => new DomainError('not-found', `${what} was not found.`);
