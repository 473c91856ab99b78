import { randomBytes } from 'node:crypto';

/** Sortable, URL-safe ids: a millisecond timestamp and 10 random bytes, with a type prefix (`src_…`). */
export function newId(prefix: string): string {
  return `${prefix}_${Date.now().toString(36).padStart(9, '0')}${randomBytes(10).toString('hex')}`;
}
