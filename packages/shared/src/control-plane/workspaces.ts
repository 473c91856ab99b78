import { z } from 'zod';

/** What every workspace procedure's input includes. */
export const WorkspaceInput = z.object({ workspaceId: z.string().min(1, 'choose a workspace') });

export const WorkspaceName = z.string().trim().min(1, 'enter a name').max(100, 'use at most 100 characters');
export const CreateWorkspaceInput = z.object({ name: WorkspaceName });
export type CreateWorkspaceInput = z.infer<typeof CreateWorkspaceInput>;
export const RenameWorkspaceInput = z.object({ name: WorkspaceName });
export type RenameWorkspaceInput = z.infer<typeof RenameWorkspaceInput>;
export const WorkspaceSettingsInput = z.object({
  /** Whether user transformations may call fetch() (to allow-listed hosts). Owners only. */
  allowTransformFetch: z.boolean(),
});
export type WorkspaceSettingsInput = z.infer<typeof WorkspaceSettingsInput>;
