import type pg from 'pg';
import { appendGatewayRows } from '../jobsdb/gateway-jobs';
import { GatewayError } from './errors';

export interface GroupCommitOptions {
  /** Most events in one transaction; a request's events always share one. */
  maxBatchEvents: number;
  /** Bytes of payload waiting in memory; past it requests get 503 overloaded. */
  maxQueueBytes: number;
  /** Transactions in flight at once; env.ts records why one is the default. */
  concurrency: number;
  /** A commit that takes longer fails its requests with 503 (they may be retried). */
  commitTimeoutMs: number;
  /** After a failed commit, new requests get 503 at once for this long, then one commit probes. */
  failureBackoffMs: number;
  /**
   * After a commit, wait this long for the clients it answered to send their next requests,
   * so that they join the next transaction instead of waiting a whole commit for the one after.
   */
  lingerMs: number;
}

export interface GroupCommitObserver {
  committed(events: number, seconds: number): void;
  failed(error: Error): void;
  depth(events: number, bytes: number): void;
}

interface Pending {
  /** gw_jobs rows in COPY's text format. */
  rows: Buffer;
  events: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

const guarded = new WeakSet<pg.PoolClient>();

function unavailable(): GatewayError {
  return new GatewayError(
    'database-unavailable',
    'The gateway cannot reach its database right now; nothing was stored. Retry after the Retry-After header.',
    { retryAfterSeconds: 1 },
  );
}

/**
 * Group commit: requests from every connection wait in one queue, and each transaction takes
 * all that is waiting (up to `maxBatchEvents`) and appends it with COPY. A request's promise
 * resolves only after its transaction committed, so a 200 always means stored. While a
 * commit is in flight the next batch builds up, which is what makes batches grow with load.
 */
export class GroupCommitter {
  private queue: Pending[] = [];
  private queuedEvents = 0;
  private queuedBytes = 0;
  private inFlight = 0;
  private unhealthyUntil = 0;
  private lingerTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: GroupCommitOptions,
    private readonly observer: GroupCommitObserver,
  ) {}

  /**
   * Resolves once `rows` (`events` gw_jobs rows in COPY's text format, see `gatewayRow`) are
   * committed; rejects with a 503 GatewayError otherwise.
   */
  submit(rows: Buffer, events: number): Promise<void> {
    const bytes = rows.length;
    if (this.closed) return Promise.reject(unavailable());
    if (Date.now() < this.unhealthyUntil) return Promise.reject(unavailable());
    if (this.queuedBytes + bytes > this.options.maxQueueBytes && this.queue.length > 0) {
      return Promise.reject(
        new GatewayError(
          'overloaded',
          'The gateway is receiving more than its database can store right now; retry after the Retry-After header.',
          { retryAfterSeconds: 1 },
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ rows, events, resolve, reject });
      this.queuedEvents += events;
      this.queuedBytes += bytes;
      this.observer.depth(this.queuedEvents, this.queuedBytes);
      if (!this.lingerTimer || this.queuedEvents >= this.options.maxBatchEvents) this.pump();
    });
  }

  get queuedEventCount(): number {
    return this.queuedEvents;
  }

  /** Stops taking requests and waits for everything queued to commit or fail. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    this.unhealthyUntil = 0;
    this.pump();
    if (this.queue.length === 0 && this.inFlight === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.inFlight < this.options.concurrency && this.queue.length > 0) {
      const batch = this.takeBatch();
      this.inFlight++;
      void this.commit(batch).finally(() => {
        this.inFlight--;
        this.afterCommit();
        if (this.inFlight === 0 && this.queue.length === 0) {
          for (const resolve of this.idleWaiters.splice(0)) resolve();
        }
      });
    }
  }

  private afterCommit(): void {
    const { lingerMs, maxBatchEvents } = this.options;
    if (this.lingerTimer) return;
    if (lingerMs > 0 && !this.closed && this.inFlight === 0 && this.queuedEvents < maxBatchEvents) {
      this.lingerTimer = setTimeout(() => {
        this.lingerTimer = undefined;
        this.pump();
      }, lingerMs);
      return;
    }
    this.pump();
  }

  private takeBatch(): Pending[] {
    let events = 0;
    let count = 0;
    while (count < this.queue.length) {
      const next = this.queue[count] as Pending;
      if (count > 0 && events + next.events > this.options.maxBatchEvents) break;
      events += next.events;
      count++;
    }
    const batch = this.queue.slice(0, count);
    this.queue = this.queue.slice(count);
    this.queuedEvents -= events;
    for (const p of batch) this.queuedBytes -= p.rows.length;
    this.observer.depth(this.queuedEvents, this.queuedBytes);
    return batch;
  }

  private async commit(batch: Pending[]): Promise<void> {
    let events = 0;
    for (const p of batch) events += p.events;
    const started = process.hrtime.bigint();
    let timer: NodeJS.Timeout | undefined;
    const work = this.write(batch.map((p) => p.rows));
    try {
      await Promise.race([
        work,
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`commit took longer than ${this.options.commitTimeoutMs} ms`)),
            this.options.commitTimeoutMs,
          );
        }),
      ]);
      this.observer.committed(events, Number(process.hrtime.bigint() - started) / 1e9);
      for (const p of batch) p.resolve();
    } catch (error) {
      work.catch(() => {}); // still running after a timeout; its outcome no longer matters
      this.observer.failed(error as Error);
      this.unhealthyUntil = Date.now() + this.options.failureBackoffMs;
      const failure = unavailable();
      for (const p of batch) p.reject(failure);
      // Requests that queued behind the failed commit fail too, rather than wait for a dead database.
      for (const p of this.queue.splice(0)) p.reject(failure);
      this.queuedEvents = 0;
      this.queuedBytes = 0;
      this.observer.depth(0, 0);
    } finally {
      clearTimeout(timer);
    }
  }

  private async write(rows: Buffer[]): Promise<void> {
    const client = await this.pool.connect();
    if (!guarded.has(client)) {
      // A connection reset between our queries, or after a broken client was handed back, is
      // emitted on the client; unheard, it would crash the process. The failing query reports it.
      client.on('error', () => {});
      guarded.add(client);
    }
    try {
      await appendGatewayRows(client, rows); // commits: no transaction is open on a pooled client
      client.release();
    } catch (error) {
      // A client that failed mid-transaction is discarded, not returned to the pool.
      client.release(error as Error);
      throw error;
    }
  }
}
