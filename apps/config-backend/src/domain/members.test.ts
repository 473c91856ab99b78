import { useTestDatabase } from '@keel/postgres/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type Db } from '../db';
import { changeMemberRole, listMembers } from './members';
import { createTestOwner } from './testing';
import { createUser } from './users';

const db = useTestDatabase('members');
let prisma: Db;
let workspaceId: string;
let ada: string;
let bob: string;

beforeAll(async () => {
  prisma = createPrisma(db.url);
  const owner = await createTestOwner(prisma);
  workspaceId = owner.workspaceId;
  ada = owner.user.id;
  bob = (
    await createUser(prisma, { email: 'bob@example.com', name: 'Bob', password: 'a long enough password' })
  ).id;
  await prisma.member.create({ data: { workspaceId, userId: bob, role: 'owner' } });
});
afterAll(() => prisma.$disconnect());

describe('members', () => {
  it('keeps an owner when two owners demote each other at the same moment', async () => {
    const results = await Promise.allSettled([
      changeMemberRole(prisma, { type: 'user', id: ada }, workspaceId, { userId: bob, role: 'viewer' }),
      changeMemberRole(prisma, { type: 'user', id: bob }, workspaceId, { userId: ada, role: 'viewer' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(String(rejected?.reason)).toMatch(/at least one owner/);
    const owners = (await listMembers(prisma, workspaceId)).filter((m) => m.role === 'owner');
    expect(owners).toHaveLength(1);
  });
});
