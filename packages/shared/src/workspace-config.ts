import { z } from 'zod';

/** Roles of workspace members and API tokens, weakest last. */
export const Role = z.enum(['owner', 'editor', 'viewer']);
export type Role = z.infer<typeof Role>;

export const SourceType = z.enum(['javascript', 'server', 'http', 'webhook']);
export type SourceType = z.infer<typeof SourceType>;

export const FilterMode = z.enum(['none', 'allow', 'deny']);
export type FilterMode = z.infer<typeof FilterMode>;

/** A user transformation version attached to a connection. */
export const ConfigTransformation = z.object({
  id: z.string(),
  versionId: z.string(),
  name: z.string(),
  code: z.string(),
});
export type ConfigTransformation = z.infer<typeof ConfigTransformation>;

/** Per-connection options: what flows from one source to one destination, and how. */
export const ConfigConnection = z.object({
  id: z.string(),
  enabled: z.boolean(),
  filterMode: FilterMode,
  filterEvents: z.array(z.string()),
  consentCategories: z.array(z.string()),
  orderingEnabled: z.boolean(),
});
export type ConfigConnection = z.infer<typeof ConfigConnection>;

/**
 * A destination as the data plane sees it, inside the source it is connected to. Its config
 * carries decrypted secrets: the config endpoint is only served to data-plane tokens.
 */
export const ConfigDestination = z.object({
  id: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  config: z.record(z.string(), z.unknown()),
  destinationDefinition: z.object({ name: z.string(), displayName: z.string() }),
  connection: ConfigConnection,
  transformations: z.array(ConfigTransformation),
});
export type ConfigDestination = z.infer<typeof ConfigDestination>;

export const ConfigWriteKey = z.object({ id: z.string(), key: z.string() });
export type ConfigWriteKey = z.infer<typeof ConfigWriteKey>;

export const ConfigSource = z.object({
  id: z.string(),
  name: z.string(),
  workspaceId: z.string(),
  type: SourceType,
  enabled: z.boolean(),
  /** Active (unrevoked) keys; several at once while a key is rotated. */
  writeKeys: z.array(ConfigWriteKey),
  /** Events per second accepted from this source; null means no limit. */
  rateLimitPerSecond: z.number().int().positive().nullable(),
  destinations: z.array(ConfigDestination),
});
export type ConfigSource = z.infer<typeof ConfigSource>;

export const ConfigWorkspace = z.object({
  id: z.string(),
  name: z.string(),
  allowTransformFetch: z.boolean(),
});
export type ConfigWorkspace = z.infer<typeof ConfigWorkspace>;

/**
 * What `GET /data-plane/v1/config` serves and the data plane consumes. It follows
 * RudderStack's shape (sources with write keys and their destinations, each with config,
 * definition and transformations), for every workspace the data-plane token may serve.
 */
export const WorkspaceConfig = z.object({
  /** Changes whenever anything in the config changes; it is also the ETag. */
  version: z.string(),
  generatedAt: z.string(),
  workspaces: z.array(ConfigWorkspace),
  sources: z.array(ConfigSource),
});
export type WorkspaceConfig = z.infer<typeof WorkspaceConfig>;
