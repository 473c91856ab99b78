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
 * `maxPerFlush` samples per flush. With no watches `wants` is one array length check.
 */
export class LiveEvents implements LiveSampler {
  private watches: LiveWatch[] = [];
  private buffer: LiveEvent[] = [];
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly client: ControlPlaneClient,
    private readonly dataPlaneId: string,
    private readonly log: FastifyBaseLogger,
    private readonly pollMs = 2_000,
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
    if (this.buffer.length < this.maxPerFlush) this.buffer.push(event);
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
    if (this.buffer.length === 0) return;
    const events = this.buffer;
    this.buffer = [];
    try {
      await this.client.postLiveEvents({ dataPlaneId: this.dataPlaneId, events });
    } catch (error) {
      this.log.warn({ err: error }, 'could not push live events; dropped these samples');
    }
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.flush();
  }
}
