import { WorkspaceConfig } from '@keel/shared';
import type pg from 'pg';

export interface CachedConfig {
  etag: string;
  config: WorkspaceConfig;
}

type Queryable = Pick<pg.Pool | pg.ClientBase, 'query'>;

/** The last good config this data plane pulled, or undefined if none or no longer valid. */
export async function loadCachedConfig(db: Queryable): Promise<CachedConfig | undefined> {
  const { rows } = await db.query<{ etag: string; config: unknown }>(
    'SELECT etag, config FROM dp_config_cache WHERE id = 1',
  );
  const row = rows[0];
  if (!row) return undefined;
  const parsed = WorkspaceConfig.safeParse(row.config);
  return parsed.success ? { etag: row.etag, config: parsed.data } : undefined;
}

export async function saveCachedConfig(db: Queryable, cached: CachedConfig): Promise<void> {
  await db.query(
    `INSERT INTO dp_config_cache (id, etag, config, fetched_at) VALUES (1, $1, $2, now())
     ON CONFLICT (id) DO UPDATE SET etag = EXCLUDED.etag, config = EXCLUDED.config, fetched_at = now()`,
    [cached.etag, JSON.stringify(cached.config)],
  );
}
