import { useTestDatabase } from '@keel/postgres/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { copyIn, copyJson, copyText, runScript } from './copy';

const db = useTestDatabase('copy');

beforeAll(async () => {
  await db.pool.query('CREATE TABLE copied (n INTEGER NOT NULL, label TEXT NOT NULL)');
});

async function rows(): Promise<{ n: number; label: string }[]> {
  return (await db.pool.query('SELECT n, label FROM copied ORDER BY n')).rows;
}

describe('pipelined COPY', () => {
  it('sends the rows behind the query, with statements before it in the same message', async () => {
    const client = await db.pool.connect();
    try {
      await copyIn(
        client,
        "SELECT set_config('application_name', 'copy-test', false); COPY copied FROM STDIN",
        [`1\t${copyText('tab\there')}\n`, Buffer.from('2\tsecond\n')],
      );
      expect(await rows()).toEqual([
        { n: 1, label: 'tab\there' },
        { n: 2, label: 'second' },
      ]);
      expect((await client.query('SHOW application_name')).rows[0].application_name).toBe('copy-test');
    } finally {
      client.release();
    }
  });

  it('fails with the error of a statement before the COPY, drops the data, and leaves the connection usable', async () => {
    const client = await db.pool.connect();
    try {
      await expect(copyIn(client, 'SELECT 1/0; COPY copied FROM STDIN', ['3\tlost\n'])).rejects.toThrow(
        /division by zero/,
      );
      expect((await client.query('SELECT 41 + 1 AS n')).rows[0].n).toBe(42);
      await expect(copyIn(client, 'COPY copied FROM STDIN', ['not-a-number\tx\n'])).rejects.toThrow(
        /invalid input syntax/,
      );
      expect((await client.query('SELECT 1 AS n')).rows[0].n).toBe(1);
      expect((await rows()).map((r) => r.n)).toEqual([1, 2]);
    } finally {
      client.release();
    }
  });
  it('runs a whole transaction with several COPYs as one script, and leaves a failed one for rollback', async () => {
    const client = await db.pool.connect();
    try {
      await runScript(client, [
        'BEGIN',
        { copy: 'COPY copied FROM STDIN', rows: '10\tten\n' },
        { copy: 'COPY copied FROM STDIN', rows: '' },
        { copy: 'COPY copied (label, n) FROM STDIN', rows: 'eleven\t11\n' },
        'COMMIT',
      ]);
      expect((await rows()).map((r) => r.n)).toEqual([1, 2, 10, 11]);

      await expect(
        runScript(client, [
          'BEGIN',
          { copy: 'COPY copied FROM STDIN', rows: '12\ttwelve\n' },
          'SELECT 1/0',
          { copy: 'COPY copied FROM STDIN', rows: '13\tthirteen\n' },
          'COMMIT',
        ]),
      ).rejects.toThrow(/division by zero/);
      await client.query('ROLLBACK');
      expect((await rows()).map((r) => r.n)).toEqual([1, 2, 10, 11]);
      await runScript(client, []);
    } finally {
      client.release();
    }
  });
  it('escapes JSON text for COPY only where it must, and it arrives as it was', async () => {
    const plain = '{"a":"b"}';
    expect(copyJson(plain)).toBe(plain);
    const quoted = JSON.stringify({ a: 'say "hi"\n', path: 'C:\\x' });
    const raw = '{"a":\t"b"}';
    expect(copyJson(quoted)).toBe(quoted.replaceAll('\\', '\\\\'));
    const client = await db.pool.connect();
    try {
      await runScript(client, [
        'CREATE TEMP TABLE json_texts (n INTEGER, body TEXT)',
        {
          copy: 'COPY json_texts FROM STDIN',
          rows: [plain, quoted, raw].map((t, n) => `${n}\t${copyJson(t)}\n`).join(''),
        },
      ]);
      const { rows: back } = await client.query('SELECT body FROM json_texts ORDER BY n');
      expect(back.map((r) => r.body)).toEqual([plain, quoted, raw]);
    } finally {
      client.release();
    }
  });
});
