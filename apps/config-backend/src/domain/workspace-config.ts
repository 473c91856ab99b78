import { createHash } from 'node:crypto';
import {
  type ConfigDestination,
  type ConfigSource,
  type ConfigWorkspace,
  findDestinationType,
  WorkspaceConfig,
} from '@keel/shared';
import type pg from 'pg';
import { decryptSecrets } from './secrets';
import type { Sql } from './sql';

/** A destination the config could not serve as configured, and why; logged by the caller. */
export interface ConfigProblem {
  destinationId: string;
  message: string;
}

/** Which workspaces a config covers: one, or every workspace (an instance-wide data-plane token). */
export type ConfigScope = { workspaceId: string | null };

interface WorkspaceRow {
  id: string;
  name: string;
  allow_transform_fetch: boolean;
}
interface SourceRow {
  id: string;
  workspace_id: string;
  name: string;
  type: ConfigSource['type'];
  enabled: boolean;
  rate_limit_per_second: number | null;
}
interface WriteKeyRow {
  id: string;
  source_id: string;
  key: string;
}
interface ConnectionRow {
  id: string;
  source_id: string;
  enabled: boolean;
  filter_mode: ConfigDestination['connection']['filterMode'];
  filter_events: string[];
  consent_categories: string[];
  ordering_enabled: boolean;
  destination_id: string;
  destination_name: string;
  destination_type: string;
  destination_enabled: boolean;
  config: Record<string, unknown>;
  encrypted_secrets: string | null;
  transformation_id: string | null;
  transformation_name: string | null;
  version_id: string | null;
  code: string | null;
}

// Every query filters on the scope the same way: NULL means every workspace.
const WORKSPACES_SQL = `SELECT id, name, allow_transform_fetch FROM workspaces
  WHERE ($1::text IS NULL OR id = $1) ORDER BY id`;
const SOURCES_SQL = `SELECT id, workspace_id, name, type::text AS type, enabled, rate_limit_per_second
  FROM sources WHERE ($1::text IS NULL OR workspace_id = $1) ORDER BY id`;
const WRITE_KEYS_SQL = `SELECT wk.id, wk.source_id, wk.key FROM write_keys wk
  JOIN sources s ON s.id = wk.source_id
  WHERE wk.revoked_at IS NULL AND ($1::text IS NULL OR s.workspace_id = $1) ORDER BY wk.id`;
const CONNECTIONS_SQL = `SELECT c.id, c.source_id, c.enabled, c.filter_mode::text AS filter_mode, c.filter_events,
    c.consent_categories, c.ordering_enabled, d.id AS destination_id, d.name AS destination_name,
    d.type AS destination_type, d.enabled AS destination_enabled, d.config, d.encrypted_secrets,
    t.id AS transformation_id, t.name AS transformation_name, tv.id AS version_id, tv.code
  FROM connections c
  JOIN destinations d ON d.id = c.destination_id
  LEFT JOIN transformation_versions tv ON tv.id = c.transformation_version_id
  LEFT JOIN transformations t ON t.id = tv.transformation_id
  WHERE ($1::text IS NULL OR c.workspace_id = $1) ORDER BY c.source_id, d.name, c.id`;

/** The config's content hash: equal content gives an equal version, whenever and wherever it is built. */
export function configVersion(content: Pick<WorkspaceConfig, 'workspaces' | 'sources'>): string {
  return createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 32);
}

/**
 * Builds what `GET /data-plane/v1/config` serves: every source of the scope with its active
 * write keys and its connected destinations, each with its config and DECRYPTED secrets, its
 * connection options and the attached transformation version's code. Validated by the shared
 * contract before it is returned, so a data plane never receives a config it would reject.
 */
export async function buildWorkspaceConfig(
  sql: Sql,
  scope: ConfigScope,
  secretKey: Buffer,
  onProblem: (problem: ConfigProblem) => void = () => {},
): Promise<WorkspaceConfig> {
  const params = [scope.workspaceId];
  // Four reads in one snapshot, so a change committed between them cannot tear the config.
  const [workspaces, sources, writeKeys, connections] = await inSnapshot(
    sql,
    async (q) =>
      [
        await q<WorkspaceRow>({ name: 'keel_config_workspaces', text: WORKSPACES_SQL, values: params }),
        await q<SourceRow>({ name: 'keel_config_sources', text: SOURCES_SQL, values: params }),
        await q<WriteKeyRow>({ name: 'keel_config_write_keys', text: WRITE_KEYS_SQL, values: params }),
        await q<ConnectionRow>({ name: 'keel_config_connections', text: CONNECTIONS_SQL, values: params }),
      ] as const,
  );

  const keysBySource = groupBy(writeKeys, (k) => k.source_id);
  const connectionsBySource = groupBy(connections, (c) => c.source_id);
  // null: the secrets cannot be decrypted (KEEL_SECRET_KEY changed). That destination is served
  // disabled, so one unreadable destination cannot take every other one down with it.
  const secretsByDestination = new Map<string, Record<string, string> | null>();
  const secretsOf = (row: ConnectionRow): Record<string, string> | null => {
    if (!row.encrypted_secrets) return {};
    if (!secretsByDestination.has(row.destination_id)) {
      try {
        secretsByDestination.set(row.destination_id, decryptSecrets(row.encrypted_secrets, secretKey));
      } catch {
        secretsByDestination.set(row.destination_id, null);
        onProblem({
          destinationId: row.destination_id,
          message:
            'its secrets cannot be decrypted with the current KEEL_SECRET_KEY; it is served disabled until they are entered again',
        });
      }
    }
    return secretsByDestination.get(row.destination_id) ?? null;
  };

  const content = {
    workspaces: workspaces.map(
      (w): ConfigWorkspace => ({ id: w.id, name: w.name, allowTransformFetch: w.allow_transform_fetch }),
    ),
    sources: sources.map(
      (s): ConfigSource => ({
        id: s.id,
        name: s.name,
        workspaceId: s.workspace_id,
        type: s.type,
        enabled: s.enabled,
        writeKeys: (keysBySource.get(s.id) ?? []).map((k) => ({ id: k.id, key: k.key })),
        rateLimitPerSecond: s.rate_limit_per_second,
        destinations: (connectionsBySource.get(s.id) ?? []).map(
          (c): ConfigDestination => ({
            id: c.destination_id,
            name: c.destination_name,
            enabled: c.destination_enabled && secretsOf(c) !== null,
            config: { ...c.config, ...secretsOf(c) },
            destinationDefinition: {
              name: c.destination_type,
              displayName: findDestinationType(c.destination_type)?.title ?? c.destination_type,
            },
            connection: {
              id: c.id,
              enabled: c.enabled,
              filterMode: c.filter_mode,
              filterEvents: c.filter_events,
              consentCategories: c.consent_categories,
              orderingEnabled: c.ordering_enabled,
            },
            transformations:
              c.version_id && c.transformation_id
                ? [
                    {
                      id: c.transformation_id,
                      versionId: c.version_id,
                      name: c.transformation_name ?? '',
                      code: c.code ?? '',
                    },
                  ]
                : [],
          }),
        ),
      }),
    ),
  };
  return WorkspaceConfig.parse({
    version: configVersion(content),
    generatedAt: new Date().toISOString(),
    ...content,
  });
}

type Query = <R extends pg.QueryResultRow>(config: pg.QueryConfig) => Promise<R[]>;

/** On a pool, runs `fn` in one read-only snapshot; a client passed in is the caller's transaction. */
async function inSnapshot<T>(sql: Sql, fn: (q: Query) => Promise<T>): Promise<T> {
  const queryOn =
    (client: pg.PoolClient | pg.Client): Query =>
    async <R extends pg.QueryResultRow>(config: pg.QueryConfig) =>
      (await client.query<R>(config)).rows;
  if (!('totalCount' in sql)) return fn(queryOn(sql));
  const client = await sql.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const result = await fn(queryOn(client));
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}
