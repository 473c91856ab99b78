import { findDestinationType, secretFieldsOf } from '@keel/shared';
import type { DbTx } from '../db';
import type { Actor } from '../domain/audit';
import { createConnection, deleteConnection, updateConnection } from '../domain/connections';
import { createDestination, deleteDestination, updateDestination } from '../domain/destinations';
import { DomainError } from '../domain/errors';
import { createSource, deleteSource, updateSource } from '../domain/sources';
import type { DbHandle } from '../domain/transaction';
import {
  type CheckCode,
  createTransformation,
  deleteTransformation,
  publishVersion,
} from '../domain/transformations';
import { updateWorkspaceSettings } from '../domain/workspaces';
import { createWriteKey, revokeWriteKey } from '../domain/write-keys';
import { loadWorkspaceContents } from './workspace-contents';
import type { WorkspaceFile } from './workspace-file';

/** What an apply runs with: who is recorded in the audit log, and what publishing code and secrets need. */
export interface ApplyContext {
  actor: Actor;
  workspaceId: string;
  secretKey: Buffer;
  check: CheckCode;
}

interface Ids {
  sources: Map<string, string>;
  destinations: Map<string, string>;
  /** `<transformation name>#<version number>` → version id. */
  versions: Map<string, string>;
}

/** One step of an apply, shown in the diff before anything runs. */
export interface PlannedChange {
  action: 'create' | 'update' | 'delete';
  what: string;
  details: string[];
  run(tx: DbTx, ctx: ApplyContext, ids: Ids): Promise<void>;
}

export interface Plan {
  changes: PlannedChange[];
  ids: Ids;
  /** Things in the workspace but not in the file, left alone without `prune`. */
  kept: string[];
}

const show = (value: unknown) => JSON.stringify(value);

function fieldChanges(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  prefix = '',
): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys
    .filter((k) => show(before[k]) !== show(after[k]))
    .map((k) => `${prefix}${k}: ${show(before[k]) ?? '(unset)'} → ${show(after[k]) ?? '(unset)'}`);
}

/** The file's config as the destination type stores it (defaults filled in), without secret fields. */
function normalisedConfig(type: string, config: Record<string, unknown>) {
  const destinationType = findDestinationType(type);
  if (!destinationType) {
    throw new DomainError('invalid-input', `Destination type "${type}" is not in the catalog.`);
  }
  const secrets = secretFieldsOf(destinationType.configSchema);
  const parsed = destinationType.configSchema.safeParse(config);
  const plain: Record<string, unknown> = {
    ...(parsed.success ? (parsed.data as Record<string, unknown>) : config),
  };
  for (const name of secrets) delete plain[name];
  const secretsGiven = secrets.filter((name) => typeof config[name] === 'string' && config[name] !== '');
  return { plain, secretsGiven };
}

function sourceId(ids: Ids, name: string): string {
  const id = ids.sources.get(name);
  if (!id) throw new Error(`source "${name}" was not created`);
  return id;
}
function destinationId(ids: Ids, name: string): string {
  const id = ids.destinations.get(name);
  if (!id) throw new Error(`destination "${name}" was not created`);
  return id;
}

async function rememberVersions(tx: DbTx, workspaceId: string, name: string, ids: Ids): Promise<void> {
  const versions = await tx.transformationVersion.findMany({
    where: { transformation: { workspaceId, name } },
    select: { id: true, number: true },
  });
  for (const v of versions) ids.versions.set(`${name}#${v.number}`, v.id);
}

/**
 * Compares a file with the workspace and lists the changes that make the workspace match it,
 * in an order that respects references: settings, transformations, sources and their keys,
 * destinations, connections; then, with `prune`, removals. Nothing is written here.
 */
export async function planApply(
  db: DbHandle,
  workspaceId: string,
  file: WorkspaceFile,
  opts: { prune: boolean },
): Promise<Plan> {
  const [workspace, [sources, destinations, transformations, connections]] = await Promise.all([
    db.workspace.findUniqueOrThrow({ where: { id: workspaceId } }),
    loadWorkspaceContents(db, workspaceId),
  ]);
  const ids: Ids = {
    sources: new Map(sources.map((s) => [s.name, s.id])),
    destinations: new Map(destinations.map((d) => [d.name, d.id])),
    versions: new Map(
      transformations.flatMap((t) => t.versions.map((v) => [`${t.name}#${v.number}`, v.id] as const)),
    ),
  };
  const changes: PlannedChange[] = [];
  const removals: PlannedChange[] = [];
  const kept: string[] = [];
  const removeOrKeep = (what: string, run: PlannedChange['run']) => {
    if (opts.prune) removals.push({ action: 'delete', what, details: [], run });
    else kept.push(what);
  };

  const wantFetch = file.settings.allowTransformFetch;
  if (wantFetch !== undefined && wantFetch !== workspace.allowTransformFetch) {
    changes.push({
      action: 'update',
      what: 'workspace settings',
      details: [`allowTransformFetch: ${workspace.allowTransformFetch} → ${wantFetch}`],
      run: async (tx, ctx) => {
        await updateWorkspaceSettings(tx, ctx.actor, ctx.workspaceId, { allowTransformFetch: wantFetch });
      },
    });
  }

  for (const t of file.transformations) {
    const existing = transformations.find((e) => e.name === t.name);
    if (!existing) {
      changes.push({
        action: 'create',
        what: `transformation "${t.name}"`,
        details: [`${t.versions.length} version(s)`],
        run: async (tx, ctx, ids) => {
          const [first, ...rest] = t.versions;
          if (!first) return;
          const created = await createTransformation(tx, ctx.check, ctx.actor, ctx.workspaceId, {
            name: t.name,
            description: t.description,
            code: first.code,
          });
          for (const [i, version] of rest.entries()) {
            await publishVersion(tx, ctx.check, ctx.actor, ctx.workspaceId, {
              transformationId: created.id,
              code: version.code,
              basedOnVersion: i + 1,
            });
          }
          await rememberVersions(tx, ctx.workspaceId, t.name, ids);
        },
      });
      continue;
    }
    existing.versions.forEach((stored, i) => {
      const wanted = t.versions[i];
      if (wanted && wanted.code !== stored.code) {
        throw new DomainError(
          'invalid-input',
          `Version ${stored.number} of transformation "${t.name}" differs from the workspace's. Versions are immutable: keep the published versions as they are and add your change as a new version at the end.`,
        );
      }
    });
    const added = t.versions.slice(existing.versions.length);
    if (added.length > 0) {
      changes.push({
        action: 'update',
        what: `transformation "${t.name}"`,
        details: [`publish ${added.length} new version(s)`],
        run: async (tx, ctx, ids) => {
          for (const [i, version] of added.entries()) {
            await publishVersion(tx, ctx.check, ctx.actor, ctx.workspaceId, {
              transformationId: existing.id,
              code: version.code,
              basedOnVersion: existing.versions.length + i,
            });
          }
          await rememberVersions(tx, ctx.workspaceId, t.name, ids);
        },
      });
    }
  }

  for (const s of file.sources) {
    const existing = sources.find((e) => e.name === s.name);
    if (!existing) {
      changes.push({
        action: 'create',
        what: `source "${s.name}"`,
        details: [`type ${s.type}`, `${s.writeKeys.length} write key(s)`],
        run: async (tx, ctx, ids) => {
          const created = await createSource(tx, ctx.actor, ctx.workspaceId, {
            name: s.name,
            type: s.type,
            enabled: s.enabled,
            rateLimitPerSecond: s.rateLimitPerSecond,
            writeKeys: s.writeKeys.map((k) => ({ name: k.name, key: k.key })),
          });
          ids.sources.set(s.name, created.id);
        },
      });
      continue;
    }
    if (existing.type !== s.type) {
      throw new DomainError(
        'invalid-input',
        `Source "${s.name}" is a ${existing.type} source in the workspace and ${s.type} in the file; a source's type cannot change. Rename one of them.`,
      );
    }
    const details = fieldChanges(
      { enabled: existing.enabled, rateLimitPerSecond: existing.rateLimitPerSecond },
      { enabled: s.enabled, rateLimitPerSecond: s.rateLimitPerSecond },
    );
    if (details.length > 0) {
      changes.push({
        action: 'update',
        what: `source "${s.name}"`,
        details,
        run: async (tx, ctx) => {
          await updateSource(tx, ctx.actor, ctx.workspaceId, {
            id: existing.id,
            version: existing.version,
            enabled: s.enabled,
            rateLimitPerSecond: s.rateLimitPerSecond,
          });
        },
      });
    }
    const matched = new Set<string>();
    for (const k of s.writeKeys) {
      const found = existing.writeKeys.find((e) =>
        k.key ? e.key === k.key : e.name === k.name && !matched.has(e.id),
      );
      if (found) {
        matched.add(found.id);
        continue;
      }
      changes.push({
        action: 'create',
        what: `write key "${k.name}" of source "${s.name}"`,
        details: [k.key ? 'pinned value' : 'generated value'],
        run: async (tx, ctx) => {
          await createWriteKey(tx, ctx.actor, ctx.workspaceId, {
            sourceId: existing.id,
            name: k.name,
            key: k.key,
          });
        },
      });
    }
    for (const e of existing.writeKeys.filter((w) => !matched.has(w.id))) {
      removeOrKeep(`write key "${e.name}" (${e.key.slice(0, 6)}…) of source "${s.name}"`, async (tx, ctx) => {
        await revokeWriteKey(tx, ctx.actor, ctx.workspaceId, e.id);
      });
    }
  }

  for (const d of file.destinations) {
    const existing = destinations.find((e) => e.name === d.name);
    const { plain, secretsGiven } = normalisedConfig(d.type, d.config);
    const secretDetails = secretsGiven.map((name) => `config.${name}: set (secret)`);
    if (!existing) {
      changes.push({
        action: 'create',
        what: `destination "${d.name}"`,
        details: [`type ${d.type}`, ...secretDetails],
        run: async (tx, ctx, ids) => {
          const created = await createDestination(
            tx,
            ctx.actor,
            ctx.workspaceId,
            { name: d.name, type: d.type, enabled: d.enabled, config: d.config },
            ctx.secretKey,
          );
          ids.destinations.set(d.name, created.id);
        },
      });
      continue;
    }
    if (existing.type !== d.type) {
      throw new DomainError(
        'invalid-input',
        `Destination "${d.name}" is of type ${existing.type} in the workspace and ${d.type} in the file; a destination's type cannot change. Rename one of them.`,
      );
    }
    const configDetails = fieldChanges(existing.config as Record<string, unknown>, plain, 'config.');
    const details = [
      ...fieldChanges({ enabled: existing.enabled }, { enabled: d.enabled }),
      ...configDetails,
      ...secretDetails,
    ];
    if (details.length > 0) {
      const configChanged = configDetails.length > 0 || secretDetails.length > 0;
      changes.push({
        action: 'update',
        what: `destination "${d.name}"`,
        details,
        run: async (tx, ctx) => {
          await updateDestination(
            tx,
            ctx.actor,
            ctx.workspaceId,
            {
              id: existing.id,
              version: existing.version,
              enabled: d.enabled,
              ...(configChanged ? { config: d.config } : {}),
            },
            ctx.secretKey,
          );
        },
      });
    }
  }

  for (const c of file.connections) {
    const label = `connection "${c.source}" → "${c.destination}"`;
    const existing = connections.find(
      (e) => e.source.name === c.source && e.destination.name === c.destination,
    );
    const options = {
      enabled: c.enabled,
      filterMode: c.filterMode,
      filterEvents: c.filterEvents,
      consentCategories: c.consentCategories,
      orderingEnabled: c.orderingEnabled,
    };
    const versionKey = c.transformation ? `${c.transformation.name}#${c.transformation.version}` : null;
    const versionOf = (ids: Ids) => {
      if (!versionKey) return null;
      const id = ids.versions.get(versionKey);
      if (!id) throw new Error(`transformation version ${versionKey} was not created`);
      return id;
    };
    if (!existing) {
      changes.push({
        action: 'create',
        what: label,
        details: versionKey ? [`transformation ${versionKey.replace('#', ' v')}`] : [],
        run: async (tx, ctx, ids) => {
          await createConnection(tx, ctx.actor, ctx.workspaceId, {
            sourceId: sourceId(ids, c.source),
            destinationId: destinationId(ids, c.destination),
            ...options,
            transformationVersionId: versionOf(ids),
          });
        },
      });
      continue;
    }
    const details = fieldChanges(
      {
        enabled: existing.enabled,
        filterMode: existing.filterMode,
        filterEvents: existing.filterEvents,
        consentCategories: existing.consentCategories,
        orderingEnabled: existing.orderingEnabled,
        transformationVersionId: existing.transformationVersionId,
      },
      {
        ...options,
        transformationVersionId: versionKey ? (ids.versions.get(versionKey) ?? versionKey) : null,
      },
    );
    if (details.length > 0) {
      changes.push({
        action: 'update',
        what: label,
        details,
        run: async (tx, ctx, ids) => {
          await updateConnection(tx, ctx.actor, ctx.workspaceId, {
            id: existing.id,
            version: existing.version,
            ...options,
            transformationVersionId: versionOf(ids),
          });
        },
      });
    }
  }

  const inFile = {
    connections: new Set(file.connections.map((c) => `${c.source}\u0000${c.destination}`)),
    sources: new Set(file.sources.map((s) => s.name)),
    destinations: new Set(file.destinations.map((d) => d.name)),
    transformations: new Set(file.transformations.map((t) => t.name)),
  };
  for (const c of connections.filter(
    (e) => !inFile.connections.has(`${e.source.name}\u0000${e.destination.name}`),
  )) {
    removeOrKeep(`connection "${c.source.name}" → "${c.destination.name}"`, async (tx, ctx) => {
      await deleteConnection(tx, ctx.actor, ctx.workspaceId, c.id);
    });
  }
  for (const s of sources.filter((e) => !inFile.sources.has(e.name))) {
    removeOrKeep(`source "${s.name}"`, async (tx, ctx) => {
      await deleteSource(tx, ctx.actor, ctx.workspaceId, { id: s.id, cascade: true });
    });
  }
  for (const d of destinations.filter((e) => !inFile.destinations.has(e.name))) {
    removeOrKeep(`destination "${d.name}"`, async (tx, ctx) => {
      await deleteDestination(tx, ctx.actor, ctx.workspaceId, { id: d.id, cascade: true }, ctx.secretKey);
    });
  }
  for (const t of transformations.filter((e) => !inFile.transformations.has(e.name))) {
    removeOrKeep(`transformation "${t.name}"`, async (tx, ctx) => {
      await deleteTransformation(tx, ctx.actor, ctx.workspaceId, t.id);
    });
  }
  return { changes: [...changes, ...removals], ids, kept };
}

/** Runs a plan's changes in order inside the caller's transaction, so an apply is all or nothing. */
export async function applyPlan(tx: DbTx, plan: Plan, ctx: ApplyContext): Promise<void> {
  for (const change of plan.changes) await change.run(tx, ctx, plan.ids);
}

/** The plan as a diff for people: `+` create, `~` update, `-` delete. */
export function renderPlan(plan: Plan): string {
  const sign = { create: '+', update: '~', delete: '-' } as const;
  const lines = plan.changes.flatMap((c) => [
    `${sign[c.action]} ${c.what}`,
    ...c.details.map((d) => `    ${d}`),
  ]);
  if (plan.kept.length > 0) {
    lines.push('', 'In the workspace but not in the file (kept; pass --prune to remove):');
    lines.push(...plan.kept.map((k) => `  ${k}`));
  }
  return lines.join('\n');
}
