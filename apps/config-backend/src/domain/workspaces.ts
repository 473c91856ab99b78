import type { CreateWorkspaceInput, RenameWorkspaceInput, WorkspaceSettingsInput } from '@keel/shared';
import { type Actor, recordAudit } from './audit';
import { notFound } from './errors';
import { newId } from './ids';
import { type DbHandle, withTx } from './transaction';

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
  input: CreateWorkspaceInput,
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
  input: RenameWorkspaceInput,
): Promise<WorkspaceView> {
  return updateWorkspace(db, actor, workspaceId, 'workspace.rename', { name: input.name });
}

export function updateWorkspaceSettings(
  db: DbHandle,
  actor: Actor,
  workspaceId: string,
  input: WorkspaceSettingsInput,
): Promise<WorkspaceView> {
  return updateWorkspace(db, actor, workspaceId, 'workspace.settings', {
    allowTransformFetch: input.allowTransformFetch,
  });
}
