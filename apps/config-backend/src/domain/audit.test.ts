import { useTestDatabase } from '@keel/postgres/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type Db } from '../db';
import type { Actor } from './audit';
import { createSource, updateSource } from './sources';
import { createTestOwner } from './testing';
import { withTx } from './transaction';

const db = useTestDatabase('audit');
let prisma: Db;
let workspaceId: string;
let actor: Actor;

beforeAll(async () => {
  prisma = createPrisma(db.url);
  const owner = await createTestOwner(prisma);
  workspaceId = owner.workspaceId;
  actor = { type: 'user', id: owner.user.id };
});
afterAll(() => prisma.$disconnect());

const auditCount = async () =>
  (await db.pool.query('SELECT count(*)::int AS n FROM audit_logs WHERE workspace_id = $1', [workspaceId]))
    .rows[0].n;

describe('audit log', () => {
  it('commits with the change it records, and is invisible before the commit', async () => {
    const before = await auditCount();
    let seenInside = -1;
    await withTx(prisma, async (tx) => {
      await createSource(tx, actor, workspaceId, {
        name: 'Inside',
        type: 'http',
        enabled: true,
        rateLimitPerSecond: null,
        writeKeys: [],
      });
      seenInside = await auditCount();
    });
    expect(seenInside).toBe(before);
    expect(await auditCount()).toBe(before + 1);
  });

  it('rolls back with the change: a failed transaction leaves neither', async () => {
    const source = await createSource(prisma, actor, workspaceId, {
      name: 'Rollback',
      type: 'http',
      enabled: true,
      rateLimitPerSecond: null,
      writeKeys: [],
    });
    const before = await auditCount();
    await expect(
      withTx(prisma, async (tx) => {
        await updateSource(tx, actor, workspaceId, {
          id: source.id,
          version: source.version,
          name: 'Renamed',
        });
        throw new Error('the surrounding work failed');
      }),
    ).rejects.toThrow('the surrounding work failed');
    expect(await auditCount()).toBe(before);
    const { rows } = await db.pool.query('SELECT name FROM sources WHERE id = $1', [source.id]);
    expect(rows[0].name).toBe('Rollback');
  });
});
