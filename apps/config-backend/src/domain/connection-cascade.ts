import type { DbTx } from '../db';
import { type Actor, recordAudit } from './audit';
import { DomainError } from './errors';

/** The end of a connection being deleted: a source or a destination, by id and shown name. */
export interface ConnectionEnd {
  kind: 'source' | 'destination';
  id: string;
  name: string;
}

/**
 * Deletes the connections that use `end`, each with its own audit entry, before `end` itself is
 * deleted; refuses (conflict) when there are some and the caller did not ask for `cascade`.
 * Returns how many it deleted.
 */
export async function deleteConnectionsOf(
  tx: DbTx,
  actor: Actor,
  workspaceId: string,
  end: ConnectionEnd,
  cascade: boolean,
): Promise<number> {
  const connections = await tx.connection.findMany({
    where: end.kind === 'source' ? { sourceId: end.id } : { destinationId: end.id },
    orderBy: { createdAt: 'asc' },
  });
  if (connections.length > 0 && !cascade) {
    const title = end.kind === 'source' ? 'Source' : 'Destination';
    throw new DomainError(
      'conflict',
      `${title} "${end.name}" has ${connections.length} connection(s). Delete them first, or delete again with cascade: true to remove them too.`,
    );
  }
  for (const connection of connections) {
    await tx.connection.delete({ where: { id: connection.id } });
    await recordAudit(tx, {
      workspaceId,
      actor,
      action: 'connection.delete',
      targetType: 'connection',
      targetId: connection.id,
      before: connection,
    });
  }
  return connections.length;
}
