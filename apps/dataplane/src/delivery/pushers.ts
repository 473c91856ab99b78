import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import { LeaseHolder } from '../jobsdb/leases';
import { LOCK_CLASS, LOCKS } from '../jobsdb/locks';
import { aggregateReports, pruneReportDeltas } from '../reports/pusher';
import type { ControlPlaneClient } from './control-plane-client';
import { markFailedEventsPushed, replayFailedEvents, unpushedFailedEvents } from './failed-events';

export interface PusherOptions {
  pool: pg.Pool;
  databaseUrl: string;
  client: ControlPlaneClient;
  dataPlaneId: string;
  log: FastifyBaseLogger;
  intervalMs: number;
  shards: number;
  /** Called after a replay enqueued jobs, so the router reads them at once. */
  onReplay?: () => void;
}

/**
 * Talks to the control plane on behalf of the whole database: pushes report aggregates and
 * failed events, pulls replay commands. One process does it at a time (an advisory lease),
 * since reports are per data plane and must not be counted twice.
 */
export class ControlPlanePushers {
  private timer: NodeJS.Timeout | undefined;
  private lease: LeaseHolder | undefined;
  private round: Promise<void> = Promise.resolve();
  private reportedUpTo = 0;

  constructor(private readonly options: PusherOptions) {}

  start(): void {
    this.timer = setInterval(() => {
      this.round = this.round.then(() => this.runOnce());
    }, this.options.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.round;
    await this.runOnce();
    await this.lease?.close();
  }

  /** One round; errors are logged and the round is tried again next interval. */
  async runOnce(): Promise<void> {
    const { log, databaseUrl } = this.options;
    try {
      if (!this.lease?.isAlive) {
        await this.lease?.close();
        this.lease = new LeaseHolder(databaseUrl, 'keel-pusher');
        await this.lease.connect();
        this.reportedUpTo = 0;
      }
      if (!(await this.lease.tryAcquire(LOCK_CLASS, LOCKS.reportPusher))) return;
    } catch (error) {
      log.warn({ err: error }, 'could not take the control-plane pusher lease');
      return;
    }
    await this.pushReports().catch((error: unknown) =>
      log.warn({ err: error }, 'could not push delivery reports'),
    );
    await this.pushFailedEvents().catch((error: unknown) =>
      log.warn({ err: error }, 'could not push failed events'),
    );
    await this.pullCommands().catch((error: unknown) =>
      log.warn({ err: error }, 'could not pull replay commands'),
    );
  }

  async pushReports(): Promise<void> {
    const { pool, client, dataPlaneId } = this.options;
    const { rows, lastId } = await aggregateReports(pool, this.reportedUpTo);
    for (let i = 0; i < rows.length; i += 10_000) {
      await client.postReports({ dataPlaneId, reports: rows.slice(i, i + 10_000) });
    }
    this.reportedUpTo = lastId;
    // Minutes closed two minutes ago won't change again: their final aggregate was just pushed.
    await pruneReportDeltas(pool, lastId, new Date(Date.now() - 120_000));
  }

  async pushFailedEvents(): Promise<void> {
    const { pool, client, dataPlaneId } = this.options;
    for (;;) {
      const events = await unpushedFailedEvents(pool, 500);
      if (events.length === 0) return;
      await client.postFailedEvents({ dataPlaneId, events });
      await markFailedEventsPushed(
        pool,
        events.map((e) => e.id),
      );
      if (events.length < 500) return;
    }
  }

  async pullCommands(): Promise<void> {
    const { pool, client, dataPlaneId, shards } = this.options;
    const { replays } = await client.commands();
    for (const command of replays) {
      const db = await pool.connect();
      let replayedCount: number;
      try {
        replayedCount = await replayFailedEvents(db, command, shards);
      } finally {
        db.release();
      }
      await client.commandDone(command.id, { dataPlaneId, replayedCount });
      if (replayedCount > 0) this.options.onReplay?.();
    }
  }
}
