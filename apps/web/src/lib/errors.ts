/** The message to show for an error: the server's own words where there are any. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message) {
    if (
      /Failed to fetch|NetworkError|fetch failed|Unexpected token '<'|is not valid JSON/i.test(error.message)
    ) {
      return 'The Keel server did not answer. Check that the config-backend is running, then try again.';
    }
    return error.message;
  }
  if (typeof error === 'string' && error) return error;
  return 'Something went wrong. Try again, and if it keeps happening check the server logs.';
}

/** The tRPC error code of a failed call, e.g. UNAUTHORIZED. */
export function errorCodeOf(error: unknown): string | undefined {
  return (error as { data?: { code?: string } } | null)?.data?.code;
}

/** Field errors the server's formatter carries (`data.fields`), keyed by dotted input path. */
export function fieldErrorsOf(error: unknown): Record<string, string> {
  const fields = (error as { data?: { fields?: Record<string, string> | null } } | null)?.data?.fields;
  return fields ? { ...fields } : {};
}

/** Field errors under one prefix (e.g. `config.`), with the prefix removed. */
export function fieldErrorsUnder(error: unknown, prefix: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, message] of Object.entries(fieldErrorsOf(error))) {
    if (key.startsWith(prefix)) result[key.slice(prefix.length).split('.')[0] ?? key] ??= message;
  }
  return result;
}
