import { notFound } from '../domain/errors';
import type { DbHandle } from '../domain/transaction';
import { loadWorkspaceContents } from './workspace-contents';
import type { WorkspaceFile } from './workspace-file';

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * The workspace as a file: sources with their active write keys, destinations without their
 * secrets (they are stored apart, encrypted, and never leave the config-backend this way),
 * transformations with every version, and connections. Sorted by name, so two exports of
 * equal workspaces are equal text.
 */
export async function exportWorkspace(db: DbHandle, workspaceId: string): Promise<WorkspaceFile> {
  const workspace = await db.workspace.findUnique({ where: { id: workspaceId } });
  if (!workspace) throw notFound(`Workspace ${workspaceId}`);
  const [sources, destinations, transformations, connections] = await loadWorkspaceContents(db, workspaceId);
  return {
    version: 1,
    settings: { allowTransformFetch: workspace.allowTransformFetch },
    sources: sources.sort(byName).map((s) => ({
      name: s.name,
      type: s.type,
      enabled: s.enabled,
      rateLimitPerSecond: s.rateLimitPerSecond,
      writeKeys: s.writeKeys.map((k) => ({ name: k.name, key: k.key })),
    })),
    destinations: destinations.sort(byName).map((d) => ({
      name: d.name,
      type: d.type,
      enabled: d.enabled,
      config: d.config as Record<string, unknown>,
    })),
    transformations: transformations.sort(byName).map((t) => ({
      name: t.name,
      description: t.description,
      versions: t.versions.map((v) => ({ code: v.code })),
    })),
    connections: connections
      .map((c) => ({
        source: c.source.name,
        destination: c.destination.name,
        enabled: c.enabled,
        filterMode: c.filterMode,
        filterEvents: c.filterEvents,
        consentCategories: c.consentCategories,
        orderingEnabled: c.orderingEnabled,
        transformation: c.transformationVersion
          ? { name: c.transformationVersion.transformation.name, version: c.transformationVersion.number }
          : null,
      }))
      .sort((a, b) => `${a.source}\u0000${a.destination}`.localeCompare(`${b.source}\u0000${b.destination}`)),
  };
}
