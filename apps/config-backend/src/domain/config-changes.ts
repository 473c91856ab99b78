import pg from 'pg';

/** The channel the config tables' triggers (prisma/migrations/…_data_plane_api) notify on every change. */
export const CONFIG_CHANGED_CHANNEL = 'keel_config_changed';

export interface ConfigChangesLogger {
  warn(obj: object, msg: string): void;
}

/**
 * LISTENs on one dedicated connection for config changes. `generation` moves on with every
 * notification and every reconnect (a notification may have been missed while disconnected),
 * so anything cached under an older generation is stale. Notifications only wake waiters
 * early: callers still re-check on their own interval.
 */
export class ConfigChanges {
  private client: pg.Client | undefined;
  private waiters = new Set<() => void>();
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs = 500;
  generation = 0;
  connected = false;

  constructor(
    private readonly connectionString: string,
    private readonly logger?: ConfigChangesLogger,
  ) {}

  /** Connects and LISTENs; resolves once listening, or after the first failure (it then keeps retrying). */
  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.connectionString });
    client.on('notification', () => this.changed());
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${CONFIG_CHANGED_CHANNEL}`);
      if (this.stopped) {
        await client.end();
        return;
      }
      this.client = client;
      this.connected = true;
      this.retryDelayMs = 500;
      this.changed();
    } catch (error) {
      this.lost(client, error);
    }
  }

  private lost(client: pg.Client, error?: unknown): void {
    if (this.client && this.client !== client) return;
    this.client = undefined;
    this.connected = false;
    this.changed();
    client.end().catch(() => {});
    if (this.stopped || this.retryTimer) return;
    this.logger?.warn(
      { err: error instanceof Error ? error.message : undefined, retryInMs: this.retryDelayMs },
      'lost the LISTEN connection for config changes; serving uncached configs until it is back',
    );
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, this.retryDelayMs);
    this.retryTimer.unref();
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, 10_000);
  }

  private changed(): void {
    this.generation++;
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Resolves on the next change, after `timeoutMs`, on abort, or on stop. */
  nextChange(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.stopped || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.changed();
    const client = this.client;
    this.client = undefined;
    this.connected = false;
    await client?.end().catch(() => {});
  }
}
