import { z } from 'zod';
import { Role } from '../workspace-config';

export const ChangeRoleInput = z.object({ userId: z.string().min(1), role: Role });
export type ChangeRoleInput = z.infer<typeof ChangeRoleInput>;
export const RemoveMemberInput = z.object({ userId: z.string().min(1) });
