import {
  ConsentCategories,
  DestinationName,
  FilterEvents,
  FilterMode,
  NewWriteKey,
  RateLimitPerSecond,
  SourceName,
  SourceType,
  TransformationCode,
  TransformationDescription,
  TransformationName,
} from '@keel/shared';
import { z } from 'zod';

/**
 * A workspace as code: what `keel workspace export` prints and `keel workspace apply` reads.
 * Everything is named, not identified, so a file applies to any workspace; secrets are left
 * out on export and may be written in by hand. Values follow the same rules as in the web app.
 */
export const FileSource = z.object({
  name: SourceName,
  type: SourceType,
  enabled: z.boolean().default(true),
  rateLimitPerSecond: RateLimitPerSecond.default(null),
  /** A key's value may be pinned, so dev and test environments are reproducible. */
  writeKeys: z.array(NewWriteKey).max(20).default([]),
});

export const FileDestination = z.object({
  name: DestinationName,
  type: z.string().min(1),
  enabled: z.boolean().default(true),
  config: z.record(z.string(), z.unknown()).default({}),
});

export const FileTransformation = z.object({
  name: TransformationName,
  description: TransformationDescription.default(''),
  /** Every version, oldest first; versions are immutable, so a file may only add to the end. */
  versions: z
    .array(z.object({ code: TransformationCode }))
    .min(1, 'a transformation needs at least one version'),
});

export const FileConnection = z.object({
  source: z.string().min(1),
  destination: z.string().min(1),
  enabled: z.boolean().default(true),
  filterMode: FilterMode.default('none'),
  filterEvents: FilterEvents.default([]),
  consentCategories: ConsentCategories.default([]),
  orderingEnabled: z.boolean().default(true),
  transformation: z
    .object({ name: z.string().min(1), version: z.number().int().positive() })
    .nullable()
    .default(null),
});

function duplicates(names: string[]): string[] {
  const seen = new Set<string>();
  return [...new Set(names.filter((n) => seen.has(n) || !seen.add(n)))];
}

export const WorkspaceFile = z
  .object({
    version: z.literal(1),
    settings: z.object({ allowTransformFetch: z.boolean().optional() }).default({}),
    sources: z.array(FileSource).default([]),
    destinations: z.array(FileDestination).default([]),
    transformations: z.array(FileTransformation).default([]),
    connections: z.array(FileConnection).default([]),
  })
  .superRefine((file, ctx) => {
    const unique = (path: string, names: string[]) => {
      for (const name of duplicates(names))
        ctx.addIssue({
          code: 'custom',
          path: [path],
          message: `"${name}" appears twice; names must be unique`,
        });
    };
    unique(
      'sources',
      file.sources.map((s) => s.name),
    );
    unique(
      'destinations',
      file.destinations.map((d) => d.name),
    );
    unique(
      'transformations',
      file.transformations.map((t) => t.name),
    );
    unique(
      'connections',
      file.connections.map((c) => `${c.source} → ${c.destination}`),
    );
    const sources = new Set(file.sources.map((s) => s.name));
    const destinations = new Set(file.destinations.map((d) => d.name));
    const versions = new Map(file.transformations.map((t) => [t.name, t.versions.length]));
    file.connections.forEach((c, i) => {
      if (!sources.has(c.source))
        ctx.addIssue({
          code: 'custom',
          path: ['connections', i, 'source'],
          message: `no source named "${c.source}"`,
        });
      if (!destinations.has(c.destination))
        ctx.addIssue({
          code: 'custom',
          path: ['connections', i, 'destination'],
          message: `no destination named "${c.destination}"`,
        });
      if (c.transformation && (versions.get(c.transformation.name) ?? 0) < c.transformation.version)
        ctx.addIssue({
          code: 'custom',
          path: ['connections', i, 'transformation'],
          message: `no version ${c.transformation.version} of a transformation named "${c.transformation.name}"`,
        });
    });
  });
export type WorkspaceFile = z.infer<typeof WorkspaceFile>;
