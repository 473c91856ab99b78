import { z } from 'zod';
import { type Actor, recordAudit } from './audit';
import { notFound } from './errors';
import { newId } from './ids';
import { type DbHandle, withTx } from './transaction';

export const WorkspaceName = z.string().trim().min(1, 'enter a name').max(100, 'use at most 100 characters');
export const CreateWorkspaceInput = z.object({ name: WorkspaceName });
export const RenameWorkspaceInput = z.object({ name: WorkspaceName });
export const WorkspaceSettingsInput = z.object({
  /** Whether user transformations may call fetch() (to allow-listed hosts). Owners only. */
  allowTransformFetch: z.boolean(),
});

export interface WorkspaceView {
  id: string;
  name: string;
  allowTransformFetch: boolean;
  createdAt: Date;
}

const VIEW = { id: true, name: true, allowTransformFetch: true, createdAt: true } as const;

/** Creates a workspace with its creator as owner. */
export async function createWorkspace(
  db: DbHandle,
  actor: Actor & { type: 'user' },
  input: z.infer<typeof CreateWorkspaceInput>,
): Promise<WorkspaceView> {
  return withTx(db, async (tx) => {
    const workspace = await tx.workspace.create({
      data: { id: newId('ws'), name: input.name },
      select: VIEW,
    });
    await tx.member.create({ data: { workspaceId: workspace.id, userId: actor.id, role: 'owner' } });
    await recordAudit(tx, {
      workspaceId: workspace.id,
      actor,
      action: 'workspace.create',
      targetType: 'workspace',
      targetId: workspace.id,
      after: workspace,
    });
    return workspace;
  });
}

export async function getWorkspace(db: DbHandle, workspaceId: string): Promise<WorkspaceView> {
  const workspace = await db.workspace.findUnique({ where: { id: workspaceId }, select: VIEW });
  if (!workspace) throw notFound('Workspace');
  return workspace;
}

async function updateWorkspace(
  db: DbHandle,
  actor: Actor,
  workspaceId: string,
  action: string,
  data: { name?: string; allowTransformFetch?: boolean },
): Promise<WorkspaceView> {
  return withTx(db, async (tx) => {
    const before = await getWorkspace(tx, workspaceId);
    const after = await tx.workspace.update({ where: { id: workspaceId }, data, select: VIEW });
    await recordAudit(tx, {
      workspaceId,
      actor,
      action,
      targetType: 'workspace',
      targetId: workspaceId,
      before,
      after,
    });
    return after;
  });
}

export function renameWorkspace(
  db: DbHandle,
  actor: Actor,
  workspaceId: string,
  input: z.infer<typeof RenameWorkspaceInput>,
): Promise<WorkspaceView> {
  return updateWorkspace(db, actor, workspaceId, 'workspace.rename', { name: input.name });
}

export function updateWorkspaceSettings(
  db: DbHandle,
  actor: Actor,
  workspaceId: string,
  input: z.infer<typeof WorkspaceSettingsInput>,
): Promise<WorkspaceView> {
  return updateWorkspace(db, actor, workspaceId, 'workspace.settings', {
    allowTransformFetch: input.allowTransformFetch,
  });
}
