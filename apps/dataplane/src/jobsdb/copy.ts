import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** COPY's text format escapes backslash, tab, newline and carriage return. */
export function copyText(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

const RAW_WHITESPACE = /[\t\n\r]/;

/**
 * `copyText` for JSON text. Compact JSON (JSON.stringify's, jsonb's) holds no raw control
 * characters, so usually only its backslashes need doubling, which replaceAll does several
 * times faster than the general replace.
 */
export function copyJson(json: string): string {
  if (RAW_WHITESPACE.test(json)) return copyText(json);
  return json.includes('\\') ? json.replaceAll('\\', '\\\\') : json;
}

/**
 * Runs `sql` (ending in a `COPY … FROM STDIN`) and sends `chunks`, whole lines of COPY text,
 * one CopyData message each. Writing whole chunks measured 283 µs of CPU per small COPY
 * against 704 µs through stream.pipeline(Readable.from(...)).
 */
export function copyIn(
  client: pg.ClientBase,
  sql: string,
  chunks: readonly (Buffer | string)[],
): Promise<void> {
  const stream = client.query(copyFrom(sql));
  return new Promise<void>((resolve, reject) => {
    stream.once('error', reject);
    stream.once('finish', resolve);
    for (const chunk of chunks) stream.write(chunk);
    stream.end();
  });
}
