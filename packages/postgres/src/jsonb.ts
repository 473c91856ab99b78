const NUL = '\u0000';
const REPLACEMENT = '\uFFFD';

function withoutNul(_key: string, value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll(NUL, REPLACEMENT);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.some(([key]) => key.includes(NUL))) {
      return Object.fromEntries(entries.map(([key, v]) => [key.replaceAll(NUL, REPLACEMENT), v]));
    }
  }
  return value;
}

/**
 * `value` as JSON text that a jsonb column accepts. JSON allows "\u0000" in strings and
 * Postgres refuses it, so one event carrying it would fail its whole transaction, again on
 * every retry; NUL characters become U+FFFD instead. Text without the escape is returned as
 * JSON.stringify made it.
 */
export function jsonbText(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.includes('\\u0000') ? JSON.stringify(value, withoutNul) : text;
}
