'use client';

import type { Role } from '@keel/shared';
import { createContext, useContext } from 'react';
import { deniedReason } from '../../lib/roles';

export interface WorkspaceInfo {
  id: string;
  name: string;
  role: Role;
  user: { id: string; name: string; email: string } | null;
}

export const WorkspaceContext = createContext<WorkspaceInfo | null>(null);

export function useWorkspace(): WorkspaceInfo & { denied: (needed: Role) => string | null } {
  const workspace = useContext(WorkspaceContext);
  if (!workspace) throw new Error('useWorkspace must be used inside a workspace page');
  return { ...workspace, denied: (needed) => deniedReason(workspace.role, needed) };
}
