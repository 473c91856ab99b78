const NUL = '\u0000';
const REPLACEMENT = '\uFFFD';
/** What JSON.stringify writes for NUL and for a lone surrogate, both of which jsonb refuses. */
const REFUSED_ESCAPE = /\\u(0000|d[89a-f])/i;

function storable(text: string): string {
  return text.toWellFormed().replaceAll(NUL, REPLACEMENT);
}

function storableValue(_key: string, value: unknown): unknown {
  if (typeof value === 'string') return storable(value);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.some(([key]) => storable(key) !== key)) {
      return Object.fromEntries(entries.map(([key, v]) => [storable(key), v]));
    }
  }
  return value;
}

/**
 * `value` as JSON text that a jsonb column accepts. JSON allows "\u0000" and lone surrogates
 * ("\ud800") in strings and Postgres refuses both, so one event carrying them would fail its
 * whole transaction, again on every retry; they become U+FFFD instead. Text without such an
 * escape is returned as JSON.stringify made it.
 */
export function jsonbText(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return REFUSED_ESCAPE.test(text) ? JSON.stringify(value, storableValue) : text;
}

/**
 * `value` itself when jsonb can store it as it is, else a copy with what jsonbText replaces
 * replaced: for values that leave as JSON over HTTP to be stored in jsonb elsewhere.
 */
export function jsonbSafe<T>(value: T): T {
  const text = JSON.stringify(value);
  return text !== undefined && REFUSED_ESCAPE.test(text)
    ? (JSON.parse(JSON.stringify(value, storableValue)) as T)
    : value;
}
