import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { DomainError, type DomainErrorCode } from '../domain/errors';

/** The one place that maps DomainError codes to HTTP statuses for the data-plane API. */
const STATUS: Record<DomainErrorCode, number> = {
  'not-found': 404,
  conflict: 409,
  'stale-version': 409,
  'invalid-input': 400,
  unauthenticated: 401,
  forbidden: 403,
  'precondition-failed': 412,
  'rate-limited': 429,
};

export interface ApiError {
  error: { code: string; message: string; fields?: Record<string, string> };
}

export function zodProblem(error: z.ZodError, what: string): DomainError {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) fields[issue.path.map(String).join('.') || '(body)'] ??= issue.message;
  const first = Object.entries(fields).slice(0, 3);
  return new DomainError(
    'invalid-input',
    `The ${what} does not match the data-plane API contract (${first.map(([k, v]) => `${k}: ${v}`).join('; ')}).`,
    fields,
  );
}

/** Parses a request part with its shared zod schema, or throws an invalid-input DomainError naming the fields. */
export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw zodProblem(parsed.error, what);
  return parsed.data;
}

/** Answers every error as JSON; no stack trace and no internal message ever reaches the data plane. */
export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof DomainError) {
    const body: ApiError = { error: { code: error.code, message: error.message, fields: error.fields } };
    void reply.code(STATUS[error.code]).send(body);
    return;
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    void reply
      .code(error.statusCode)
      .send({ error: { code: error.code ?? 'bad-request', message: error.message } } satisfies ApiError);
    return;
  }
  request.log.error({ err: error }, 'data-plane API request failed');
  void reply.code(500).send({
    error: {
      code: 'internal',
      message: 'The config-backend failed to handle this request; it has been logged. Retry later.',
    },
  } satisfies ApiError);
}
