import type { Role } from '@keel/shared';

const RANK: Record<Role, number> = { viewer: 0, editor: 1, owner: 2 };

export function roleAtLeast(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

/** Why the current role may not do something, or null when it may. */
export function deniedReason(role: Role, needed: Role): string | null {
  if (roleAtLeast(role, needed)) return null;
  return `Needs the ${needed} role; you are ${role === 'editor' ? 'an' : 'a'} ${role}. Ask an owner.`;
}
