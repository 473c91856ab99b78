import { DATA_PLANE_API_PREFIX, WorkspaceConfig } from '@keel/shared';
import type pg from 'pg';
import { request } from 'undici';
import { type CachedConfig, loadCachedConfig, saveCachedConfig } from './cache';
import type { MemoryConfigStore } from './memory-store';

export interface ConfigPollerOptions {
  pool: pg.Pool;
  store: MemoryConfigStore;
  configBackendUrl: string;
  dataPlaneToken: string;
  intervalMs: number;
  log: {
    info(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
    error(obj: object, msg: string): void;
  };
}

export type PollOutcome = 'updated' | 'unchanged' | 'failed';

/**
 * Keeps the data plane's config current. It starts from the config cached in its own
 * database (so it serves while the control plane is away), then polls the config-backend
 * every `intervalMs` with If-None-Match. Only a config that passes `WorkspaceConfig` replaces
 * the current one; anything else keeps the last good config.
 */
export class ConfigPoller {
  private etag: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private polling: Promise<PollOutcome> | undefined;

  constructor(private readonly options: ConfigPollerOptions) {}

  /** Loads the cache, polls once, and keeps polling. Never throws: a data plane starts anyway. */
  async start(): Promise<void> {
    try {
      const cached = await loadCachedConfig(this.options.pool);
      if (cached && !this.options.store.current()) {
        this.etag = cached.etag;
        this.options.store.set(cached.config);
        this.options.log.info({ version: cached.config.version }, 'started from the cached workspace config');
      }
    } catch (error) {
      this.options.log.warn(
        { error: (error as Error).message },
        'could not read the cached workspace config',
      );
    }
    await this.pollOnce();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** One poll; concurrent callers share it. */
  pollOnce(): Promise<PollOutcome> {
    this.polling ??= this.poll().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.pollOnce().finally(() => this.schedule());
    }, this.options.intervalMs);
    this.timer.unref();
  }

  private async poll(): Promise<PollOutcome> {
    const { log } = this.options;
    const url = `${this.options.configBackendUrl.replace(/\/$/, '')}${DATA_PLANE_API_PREFIX}/config`;
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(url, {
        headers: {
          authorization: `Bearer ${this.options.dataPlaneToken}`,
          accept: 'application/json',
          ...(this.etag ? { 'if-none-match': this.etag } : {}),
        },
        headersTimeout: 10_000,
        bodyTimeout: 30_000,
      });
    } catch (error) {
      log.warn(
        { url, error: (error as Error).message },
        'config-backend unreachable; keeping the last good config',
      );
      return 'failed';
    }
    if (response.statusCode === 304) {
      await response.body.dump();
      return 'unchanged';
    }
    if (response.statusCode !== 200) {
      await response.body.dump();
      log.error(
        { url, status: response.statusCode },
        response.statusCode === 401 || response.statusCode === 403
          ? 'the config-backend refused DATA_PLANE_TOKEN; create a data-plane token in workspace settings'
          : 'the config-backend answered an error; keeping the last good config',
      );
      return 'failed';
    }
    let parsed: ReturnType<typeof WorkspaceConfig.safeParse>;
    try {
      parsed = WorkspaceConfig.safeParse(await response.body.json());
    } catch (error) {
      log.error({ url, error: (error as Error).message }, 'the config-backend sent a body that is not JSON');
      return 'failed';
    }
    if (!parsed.success) {
      log.error(
        { url, issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`) },
        'the config-backend sent a config that does not match WorkspaceConfig; keeping the last good config',
      );
      return 'failed';
    }
    const etagHeader = response.headers.etag;
    const cached: CachedConfig = {
      etag: typeof etagHeader === 'string' ? etagHeader : `"${parsed.data.version}"`,
      config: parsed.data,
    };
    this.etag = cached.etag;
    this.options.store.set(cached.config);
    try {
      await saveCachedConfig(this.options.pool, cached);
    } catch (error) {
      log.warn({ error: (error as Error).message }, 'could not cache the workspace config in the database');
    }
    log.info({ version: cached.config.version }, 'workspace config updated');
    return 'updated';
  }
}
