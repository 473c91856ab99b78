import { useTestDatabase } from '@keel/postgres/testing';
import { describe, expect, it } from 'vitest';
import { runScript } from '../jobsdb/copy';
import { dedupKeyOf, ensureDedupPartitions, findSeen, rememberIdsStep } from './dedup';

const db = useTestDatabase('dedup');

describe('dedup memory', () => {
  it('finds a messageId only for the source that sent it, in this generation or the one before', async () => {
    for (const bucket of [8, 10]) await ensureDedupPartitions(db.pool, bucket);
    const remember = async (bucket: number, keys: { sourceId: string; messageId: string }[]) => {
      const client = await db.pool.connect();
      try {
        await runScript(client, ['BEGIN', rememberIdsStep(bucket, keys), 'COMMIT']);
      } finally {
        client.release();
      }
    };
    await remember(10, [
      { sourceId: 'src_a', messageId: 'm1' },
      { sourceId: 'src_b', messageId: 'm2' },
    ]);
    await remember(9, [{ sourceId: 'src_a', messageId: 'm3' }]);
    // Two generations back: forgotten.
    await remember(8, [{ sourceId: 'src_a', messageId: 'm4' }]);

    const asked = [
      { sourceId: 'src_a', messageId: 'm1' },
      { sourceId: 'src_b', messageId: 'm1' },
      { sourceId: 'src_b', messageId: 'm2' },
      { sourceId: 'src_a', messageId: 'm3' },
      { sourceId: 'src_a', messageId: 'm4' },
      { sourceId: 'src_a', messageId: 'm5' },
    ];
    const seen = await findSeen(db.pool, 10, asked);
    expect([...seen].sort()).toEqual(
      [asked[0], asked[2], asked[3]].map((k) => dedupKeyOf(k as (typeof asked)[number])).sort(),
    );
  });
});
