import type { CreateConnectionInput, FilterMode, UpdateConnectionInput } from '@keel/shared';
import { type Actor, recordAudit } from './audit';
import { DomainError, notFound } from './errors';
import { newId } from './ids';
import { type DbHandle, isUniqueViolation, staleVersion, withTx } from './transaction';

export interface ConnectionView {
  id: string;
  sourceId: string;
  destinationId: string;
  enabled: boolean;
  filterMode: FilterMode;
  filterEvents: string[];
  consentCategories: string[];
  orderingEnabled: boolean;
  transformationVersionId: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

const VIEW = {
  id: true,
  sourceId: true,
  destinationId: true,
  enabled: true,
  filterMode: true,
  filterEvents: true,
  consentCategories: true,
  orderingEnabled: true,
  transformationVersionId: true,
  version: true,
  createdAt: true,
  updatedAt: true,
} as const;

export function listConnections(
  db: DbHandle,
  workspaceId: string,
  filter: { sourceId?: string; destinationId?: string } = {},
): Promise<ConnectionView[]> {
  return db.connection.findMany({
    where: { workspaceId, ...filter },
    select: VIEW,
    orderBy: { createdAt: 'asc' },
  });
}

export async function getConnection(db: DbHandle, workspaceId: string, id: string): Promise<ConnectionView> {
  const connection = await db.connection.findFirst({ where: { id, workspaceId }, select: VIEW });
  if (!connection) throw notFound('Connection');
  return connection;
}

/** A transformation version may be attached only within its own workspace. */
async function checkTransformationVersion(tx: DbHandle, workspaceId: string, id: string | null | undefined) {
  if (!id) return;
  const version = await tx.transformationVersion.findFirst({
    where: { id, transformation: { workspaceId } },
    select: { id: true },
  });
  if (!version) {
    throw new DomainError('not-found', 'Transformation version was not found.', {
      transformationVersionId: 'no such transformation version in this workspace',
    });
  }
}

export async function createConnection(
  db: DbHandle,
  actor: Actor,
  workspaceId: string,
  input: CreateConnectionInput,
): Promise<ConnectionView> {
  return withTx(db, async (tx) => {
    const [source, destination] = await Promise.all([
      tx.source.findFirst({ where: { id: input.sourceId, workspaceId }, select: { name: true } }),
      tx.destination.findFirst({ where: { id: input.destinationId, workspaceId }, select: { name: true } }),
    ]);
    if (!source) throw new DomainError('not-found', 'Source was not found.', { sourceId: 'no such source' });
    if (!destination) {
      throw new DomainError('not-found', 'Destination was not found.', {
        destinationId: 'no such destination',
      });
    }
    await checkTransformationVersion(tx, workspaceId, input.transformationVersionId);
    const connection = await tx.connection
      .create({
        data: {
          id: newId('con'),
          workspaceId,
          sourceId: input.sourceId,
          destinationId: input.destinationId,
          enabled: input.enabled,
          filterMode: input.filterMode,
          filterEvents: input.filterEvents,
          consentCategories: input.consentCategories,
          orderingEnabled: input.orderingEnabled,
          transformationVersionId: input.transformationVersionId,
        },
        select: VIEW,
      })
      .catch((error: unknown) => {
        if (!isUniqueViolation(error)) throw error;
        throw new DomainError(
          'conflict',
          `"${source.name}" is already connected to "${destination.name}"; edit that connection instead.`,
        );
      });
    await recordAudit(tx, {
      workspaceId,
      actor,
      action: 'connection.create',
      targetType: 'connection',
      targetId: connection.id,
      after: connection,
    });
    return connection;
  });
}

export async function updateConnection(
  db: DbHandle,
  actor: Actor,
  workspaceId: string,
  input: UpdateConnectionInput,
): Promise<ConnectionView> {
  return withTx(db, async (tx) => {
    const before = await getConnection(tx, workspaceId, input.id);
    // Fields picked one by one: tRPC merges the workspace input into `input`.
    const { id, version } = input;
    const changes = {
      enabled: input.enabled,
      filterMode: input.filterMode,
      filterEvents: input.filterEvents,
      consentCategories: input.consentCategories,
      orderingEnabled: input.orderingEnabled,
      transformationVersionId: input.transformationVersionId,
    };
    await checkTransformationVersion(tx, workspaceId, changes.transformationVersionId);
    const updated = await tx.connection.updateMany({
      where: { id, workspaceId, version },
      data: { ...changes, version: { increment: 1 } },
    });
    if (updated.count === 0) throw staleVersion('connection');
    const after = await getConnection(tx, workspaceId, id);
    await recordAudit(tx, {
      workspaceId,
      actor,
      action: 'connection.update',
      targetType: 'connection',
      targetId: id,
      before,
      after,
    });
    return after;
  });
}

export async function deleteConnection(
  db: DbHandle,
  actor: Actor,
  workspaceId: string,
  id: string,
): Promise<void> {
  await withTx(db, async (tx) => {
    const before = await getConnection(tx, workspaceId, id);
    await tx.connection.delete({ where: { id } });
    await recordAudit(tx, {
      workspaceId,
      actor,
      action: 'connection.delete',
      targetType: 'connection',
      targetId: id,
      before,
    });
  });
}
