import { createHash } from 'node:crypto';
import type { CreateTransformationInput, DiffInput, PublishVersionInput } from '@keel/shared';
import { type Actor, recordAudit } from './audit';
import { DomainError, notFound } from './errors';
import { newId } from './ids';
import { type DbHandle, isUniqueViolation, withTx } from './transaction';

/**
 * Compiles code the way the data plane will, without running it; answers null when it is
 * usable and else why not. Publishing refuses code it rejects, so a data plane never receives
 * a version that cannot load.
 */
export type CheckCode = (code: string) => Promise<string | null>;

export interface VersionSummary {
  id: string;
  number: number;
  createdById: string | null;
  createdAt: Date;
}
export interface VersionView extends VersionSummary {
  transformationId: string;
  code: string;
}
export interface TransformationSummary {
  id: string;
  name: string;
  description: string;
  createdAt: Date;
  latestVersion: VersionSummary;
  /** Connections that run one of its versions. */
  connectionCount: number;
}
export interface TransformationView extends TransformationSummary {
  /** The newest version's code: what the editor opens. */
  code: string;
  versions: VersionSummary[];
  /** Which version each connection runs. */
  connections: {
    id: string;
    sourceId: string;
    destinationId: string;
    versionId: string;
    versionNumber: number;
  }[];
}

const VERSION_SUMMARY = { id: true, number: true, createdById: true, createdAt: true } as const;

async function checkOrRefuse(check: CheckCode, code: string): Promise<void> {
  const problem = await check(code);
  if (problem) {
    throw new DomainError(
      'invalid-input',
      `The code cannot be published: ${problem}. Fix it and test it first.`,
      {
        code: problem,
      },
    );
  }
}

/** Audit entries record a hash of the code, not the code: it may embed API keys for fetch. */
function auditableVersion(version: { id: string; number: number; code: string }) {
  return {
    id: version.id,
    number: version.number,
    codeSha256: createHash('sha256').update(version.code).digest('hex'),
    codeLength: version.code.length,
  };
}

function duplicateName(name: string): DomainError {
  return new DomainError(
    'conflict',
    `A transformation named "${name}" already exists in this workspace; choose another name.`,
    { name: 'already used by another transformation' },
  );
}

export async function createTransformation(
  db: DbHandle,
  check: CheckCode,
  actor: Actor,
  workspaceId: string,
  input: CreateTransformationInput,
): Promise<TransformationView> {
  await checkOrRefuse(check, input.code);
  const id = await withTx(db, async (tx) => {
    const transformation = await tx.transformation
      .create({
        data: {
          id: newId('trf'),
          workspaceId,
          name: input.name,
          description: input.description,
          versions: {
            create: {
              id: newId('trv'),
              number: 1,
              code: input.code,
              createdById: actor.type === 'user' ? actor.id : null,
            },
          },
        },
        select: {
          id: true,
          name: true,
          description: true,
          versions: { select: { id: true, number: true, code: true } },
        },
      })
      .catch((error: unknown) => {
        if (isUniqueViolation(error)) throw duplicateName(input.name);
        throw error;
      });
    const version = transformation.versions[0]!;
    await recordAudit(tx, {
      workspaceId,
      actor,
      action: 'transformation.create',
      targetType: 'transformation',
      targetId: transformation.id,
      after: {
        name: transformation.name,
        description: transformation.description,
        version: auditableVersion(version),
      },
    });
    return transformation.id;
  });
  return getTransformation(db, workspaceId, id);
}

/**
 * Publishes the code as the next version. Versions are immutable: connections keep running the
 * version they point at until someone moves them; the data plane picks a change up at its next
 * config poll.
 */
export async function publishVersion(
  db: DbHandle,
  check: CheckCode,
  actor: Actor,
  workspaceId: string,
  input: PublishVersionInput,
): Promise<VersionView> {
  await checkOrRefuse(check, input.code);
  return withTx(db, async (tx) => {
    const transformation = await tx.transformation.findFirst({
      where: { id: input.transformationId, workspaceId },
      select: {
        id: true,
        versions: { select: { id: true, number: true, code: true }, orderBy: { number: 'desc' }, take: 1 },
      },
    });
    if (!transformation) throw notFound('Transformation');
    const latest = transformation.versions[0]!;
    const stale = () =>
      new DomainError(
        'stale-version',
        `Version ${latest.number} was published since you opened version ${input.basedOnVersion}; reload, merge your change into it and publish again.`,
      );
    if (latest.number !== input.basedOnVersion) throw stale();
    const version = await tx.transformationVersion
      .create({
        data: {
          id: newId('trv'),
          transformationId: transformation.id,
          number: latest.number + 1,
          code: input.code,
          createdById: actor.type === 'user' ? actor.id : null,
        },
        select: { ...VERSION_SUMMARY, transformationId: true, code: true },
      })
      .catch((error: unknown) => {
        if (isUniqueViolation(error)) throw stale();
        throw error;
      });
    await recordAudit(tx, {
      workspaceId,
      actor,
      action: 'transformation.publish',
      targetType: 'transformation',
      targetId: transformation.id,
      before: { version: auditableVersion(latest) },
      after: { version: auditableVersion(version) },
    });
    return version;
  });
}

export async function listTransformations(
  db: DbHandle,
  workspaceId: string,
): Promise<TransformationSummary[]> {
  const rows = await db.transformation.findMany({
    where: { workspaceId },
    orderBy: { name: 'asc' },
    select: {
      id: true,
      name: true,
      description: true,
      createdAt: true,
      versions: { select: { ...VERSION_SUMMARY, _count: { select: { connections: true } } } },
    },
  });
  return rows.map((row) => summarise(row));
}

function summarise(row: {
  id: string;
  name: string;
  description: string;
  createdAt: Date;
  versions: (VersionSummary & { _count: { connections: number } })[];
}): TransformationSummary {
  const newest = row.versions.reduce((a, b) => (b.number > a.number ? b : a));
  const { _count: _ignored, ...latestVersion } = newest;
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    createdAt: row.createdAt,
    latestVersion,
    connectionCount: row.versions.reduce((sum, v) => sum + v._count.connections, 0),
  };
}

export async function getTransformation(
  db: DbHandle,
  workspaceId: string,
  id: string,
): Promise<TransformationView> {
  const row = await db.transformation.findFirst({
    where: { id, workspaceId },
    select: {
      id: true,
      name: true,
      description: true,
      createdAt: true,
      versions: {
        orderBy: { number: 'desc' },
        select: {
          ...VERSION_SUMMARY,
          _count: { select: { connections: true } },
          connections: {
            select: { id: true, sourceId: true, destinationId: true },
            orderBy: { createdAt: 'asc' },
          },
        },
      },
    },
  });
  if (!row) throw notFound('Transformation');
  const latest = await db.transformationVersion.findUniqueOrThrow({
    where: { id: row.versions[0]!.id },
    select: { code: true },
  });
  return {
    ...summarise(row),
    code: latest.code,
    versions: row.versions.map(({ _count: _c, connections: _x, ...v }) => v),
    connections: row.versions.flatMap((v) =>
      v.connections.map((c) => ({ ...c, versionId: v.id, versionNumber: v.number })),
    ),
  };
}

export async function listVersions(
  db: DbHandle,
  workspaceId: string,
  transformationId: string,
): Promise<VersionSummary[]> {
  const row = await db.transformation.findFirst({
    where: { id: transformationId, workspaceId },
    select: { versions: { select: VERSION_SUMMARY, orderBy: { number: 'desc' } } },
  });
  if (!row) throw notFound('Transformation');
  return row.versions;
}

export async function getVersion(db: DbHandle, workspaceId: string, versionId: string): Promise<VersionView> {
  const version = await db.transformationVersion.findFirst({
    where: { id: versionId, transformation: { workspaceId } },
    select: { ...VERSION_SUMMARY, transformationId: true, code: true },
  });
  if (!version) throw notFound('Transformation version');
  return version;
}

/** Two versions' code side by side, for the editor's diff view. */
export async function diffVersions(
  db: DbHandle,
  workspaceId: string,
  input: DiffInput,
): Promise<{ from: VersionView; to: VersionView }> {
  const versions = await db.transformationVersion.findMany({
    where: {
      transformationId: input.transformationId,
      transformation: { workspaceId },
      number: { in: [input.from, input.to] },
    },
    select: { ...VERSION_SUMMARY, transformationId: true, code: true },
  });
  const from = versions.find((v) => v.number === input.from);
  const to = versions.find((v) => v.number === input.to);
  if (!from || !to) throw notFound(`Version ${from ? input.to : input.from} of this transformation`);
  return { from, to };
}

/** Deletes a transformation none of whose versions a connection runs. */
export async function deleteTransformation(
  db: DbHandle,
  actor: Actor,
  workspaceId: string,
  id: string,
): Promise<void> {
  await withTx(db, async (tx) => {
    const before = await getTransformation(tx, workspaceId, id);
    if (before.connections.length > 0) {
      throw new DomainError(
        'conflict',
        `"${before.name}" runs on ${before.connections.length} connection(s); detach it from them first.`,
      );
    }
    await tx.transformation.delete({ where: { id } });
    await recordAudit(tx, {
      workspaceId,
      actor,
      action: 'transformation.delete',
      targetType: 'transformation',
      targetId: id,
      before: { name: before.name, latestVersion: before.latestVersion.number },
    });
  });
}
