import { describe, expect, it } from 'vitest';
import { jsonbSafe, jsonbText } from './jsonb';
import { useTestDatabase } from './testing';

const db = useTestDatabase('jsonb');

describe('jsonbText', () => {
  it('turns NUL characters and lone surrogates in strings and keys into U+FFFD, and Postgres takes the result', async () => {
    const value = {
      ['k\u0000ey']: ['a\u0000b', 1, null],
      nested: { s: 'x\u0000', lone: 'y\ud800z', pair: '😀' },
      literal: '\\u0000',
    };
    const text = jsonbText(value);
    const { rows } = await db.pool.query<{ v: unknown }>('SELECT $1::jsonb AS v', [text]);
    expect(rows[0]?.v).toEqual({
      'k\uFFFDey': ['a\uFFFDb', 1, null],
      nested: { s: 'x\uFFFD', lone: 'y\uFFFDz', pair: '😀' },
      literal: '\\u0000',
    });
  });

  it('jsonbSafe returns a storable value itself, and a cleaned copy of one that is not', () => {
    const clean = { a: 'plain' };
    expect(jsonbSafe(clean)).toBe(clean);
    expect(jsonbSafe({ a: 'x\u0000', b: ['y\ud800'] })).toEqual({ a: 'x\uFFFD', b: ['y\uFFFD'] });
  });

  it('leaves text without NUL as JSON.stringify made it', () => {
    const value = { a: 'plain', b: [1, 2] };
    expect(jsonbText(value)).toBe(JSON.stringify(value));
    expect(jsonbText(undefined)).toBe('null');
  });
});
