import { randomUUID } from 'node:crypto';
import { jsonbSafe } from '@keel/postgres';
import type { LiveEvent, LiveWatch } from '@keel/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { ControlPlaneClient } from './control-plane-client';

/** Where the pipeline hands samples of live events; cheap to ask when nobody watches. */
export interface LiveSampler {
  wants(workspaceId: string, sourceId: string, destinationId: string | null): boolean;
  add(event: LiveEvent): void;
}

/**
 * Polls the control plane for open live views and, only while one is open, forwards up to
 * `maxPerFlush` samples per flush. With no watches `wants` is one array length check. Each
 * sample gets an id, so a batch that failed in flight (the control plane may have stored it)
 * is sent again once without being shown twice.
 */
export class LiveEvents implements LiveSampler {
  private watches: LiveWatch[] = [];
  private buffer: LiveEvent[] = [];
  /** Samples of a failed flush, sent once more with the next one. */
  private retry: LiveEvent[] = [];
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly client: ControlPlaneClient,
    private readonly dataPlaneId: string,
    private readonly log: FastifyBaseLogger,
    /** LIVE_EVENTS_POLL_MS. */
    private readonly pollMs: number,
    private readonly maxPerFlush = 100,
  ) {}

  wants(workspaceId: string, sourceId: string, destinationId: string | null): boolean {
    if (this.watches.length === 0 || this.buffer.length >= this.maxPerFlush) return false;
    const now = Date.now();
    return this.watches.some(
      (w) =>
        w.workspaceId === workspaceId &&
        Date.parse(w.until) > now &&
        (w.sourceId === null || w.sourceId === sourceId) &&
        (w.destinationId === null || w.destinationId === destinationId),
    );
  }

  add(event: LiveEvent): void {
    if (this.buffer.length < this.maxPerFlush)
      this.buffer.push(event.id ? event : { ...event, id: randomUUID() });
  }

  start(): void {
    this.timers.push(setInterval(() => void this.poll(), this.pollMs));
    this.timers.push(setInterval(() => void this.flush(), 1_000));
    void this.poll();
  }

  async poll(): Promise<void> {
    try {
      this.watches = (await this.client.liveWatches()).watches;
    } catch (error) {
      this.watches = [];
      this.log.warn({ err: error }, 'could not read live-event watches');
    }
  }

  async flush(): Promise<void> {
    if (this.buffer.length === 0 && this.retry.length === 0) return;
    const events = [...this.retry, ...this.buffer];
    const fresh = this.buffer;
    this.buffer = [];
    this.retry = [];
    try {
      // The control plane keeps samples in jsonb, which refuses NUL characters.
      await this.client.postLiveEvents({ dataPlaneId: this.dataPlaneId, events: jsonbSafe(events) });
    } catch (error) {
      // Samples are for a person watching now: fresh ones get one more try, older ones go.
      this.retry = fresh;
      this.log.warn({ err: error }, 'could not push live events; retrying the newest once');
    }
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.flush();
  }
}
