import type { DbHandle } from '../domain/transaction';

/**
 * Everything a workspace file describes, as stored: sources with their active write keys,
 * destinations, transformations with every version, and connections with the names of their
 * ends and the transformation version they run. `workspace export` writes it out and
 * `workspace apply` compares a file against it.
 */
export function loadWorkspaceContents(db: DbHandle, workspaceId: string) {
  return Promise.all([
    db.source.findMany({
      where: { workspaceId },
      include: { writeKeys: { where: { revokedAt: null }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] } },
    }),
    db.destination.findMany({ where: { workspaceId } }),
    db.transformation.findMany({
      where: { workspaceId },
      include: { versions: { orderBy: { number: 'asc' } } },
    }),
    db.connection.findMany({
      where: { workspaceId },
      include: {
        source: { select: { name: true } },
        destination: { select: { name: true } },
        transformationVersion: { select: { number: true, transformation: { select: { name: true } } } },
      },
    }),
  ]);
}
