import type { Role } from '@keel/shared';

const RANK: Record<Role, number> = { owner: 3, editor: 2, viewer: 1 };

/** Whether `actual` is at least as strong as `required` (owner > editor > viewer). */
export function roleAtLeast(actual: Role, required: Role): boolean {
  return RANK[actual] >= RANK[required];
}
