import type { WorkspaceConfig } from '@keel/shared';
import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import type { ConfigStore } from '../config/config-store';
import type { LiveSampler } from '../delivery/live';
import { LeaseHolder, lockKeyOf } from '../jobsdb/leases';
import { ROUTER_LEASE_CLASS } from '../jobsdb/locks';
import { ROUTER_FAMILY, sequencePosition } from '../jobsdb/partitions';
import { destinationsWithJobs } from '../jobsdb/router-jobs';
import { DestinationRuntime, type RouterSettings } from './destination-runtime';
import { StatusWriter } from './status-writer';

export interface RouterOptions {
  pool: pg.Pool;
  databaseUrl: string;
  config: ConfigStore;
  log: FastifyBaseLogger;
  settings: RouterSettings;
  /** Router leases per destination; users are spread over them by a hash of their key. */
  shards: number;
  live?: LiveSampler;
  /** Pause between polls when no page came back full and nothing woke the loop. */
  maxIdleMs: number;
  leaseIntervalMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function destinationsOf(config: WorkspaceConfig) {
  const byId = new Map<string, WorkspaceConfig['sources'][number]['destinations'][number]>();
  for (const source of config.sources) {
    for (const d of source.destinations) {
      // A destination is enabled on all its connections or none; any connection carries its config.
      if (!byId.has(d.id) || d.enabled) byId.set(d.id, d);
    }
  }
  return byId;
}

/**
 * The router: leases (destination, shard) units through advisory locks, a fair share each
 * among the router processes on the database, and runs a DestinationRuntime per destination.
 */
export class Router {
  private readonly runtimes = new Map<string, DestinationRuntime>();
  private readonly writer: StatusWriter;
  private lease: LeaseHolder | undefined;
  private running = false;
  private loops: Promise<void>[] = [];
  private wakeUp: (() => void) | undefined;
  private readonly unsubscribe: () => void;

  constructor(private readonly options: RouterOptions) {
    this.writer = new StatusWriter(options.pool, options.log);
    this.unsubscribe = options.config.onChange(() => this.applyConfig());
  }

  /** Status rows written since start. */
  get statusesWritten(): number {
    return this.writer.written;
  }

  start(): void {
    this.running = true;
    this.loops = [this.leaseLoop(), this.pollLoop()];
  }

  /** Polls at once, e.g. right after the processor committed new jobs. */
  wake(): void {
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe();
    this.wake();
    await Promise.all(this.loops);
    await Promise.all([...this.runtimes.values()].map((r) => r.close()));
    await this.writer.stop();
    await this.lease?.close();
  }

  private applyConfig(): void {
    const config = this.options.config.current();
    if (!config) return;
    const destinations = destinationsOf(config);
    for (const [id, runtime] of this.runtimes) runtime.configure(destinations.get(id));
  }

  private async leaseLoop(): Promise<void> {
    while (this.running) {
      try {
        await this.rebalance();
      } catch (error) {
        this.options.log.error({ err: error }, 'router lease round failed; retrying');
      }
      await sleep(this.options.leaseIntervalMs);
    }
  }

  private async rebalance(): Promise<void> {
    const config = this.options.config.current();
    if (!config) return;
    if (!this.lease?.isAlive) {
      // Lost the session, and with it every lease: forget the work, others take it over.
      for (const runtime of this.runtimes.values()) await runtime.close();
      this.runtimes.clear();
      await this.lease?.close();
      this.lease = new LeaseHolder(this.options.databaseUrl, 'keel-router');
      await this.lease.connect();
    }
    const lease = this.lease;
    const destinations = destinationsOf(config);
    // Jobs of a destination that is no longer in the config (deleted while they waited, or
    // before a restart) are leased like any other, so that their runtime, which has no
    // destination, aborts them into the failed-events store and their partitions can drop.
    const ids = new Set([...destinations.keys(), ...(await destinationsWithJobs(this.options.pool))]);
    await this.retireGone(ids, lease);
    const units: { destinationId: string; shard: number; key: number }[] = [];
    for (const id of [...ids].sort()) {
      for (let shard = 0; shard < this.options.shards; shard++) {
        units.push({ destinationId: id, shard, key: lockKeyOf(`${id}:${shard}`) });
      }
    }
    const fair = Math.ceil(units.length / (await lease.peers()));
    const held = units.filter((u) => lease.holds(ROUTER_LEASE_CLASS, u.key));
    for (const unit of held.slice(fair)) {
      const runtime = this.runtimes.get(unit.destinationId);
      await runtime?.drainShard(unit.shard);
      await this.writer.flush();
      await lease.release(ROUTER_LEASE_CLASS, unit.key);
    }
    let count = Math.min(held.length, fair);
    // Start at a different unit in each process so that peers do not contend for the same ones.
    const offset = process.pid % Math.max(1, units.length);
    const acquired: typeof units = [];
    for (let i = 0; i < units.length && count < fair; i++) {
      const unit = units[(i + offset) % units.length];
      if (!unit || lease.holds(ROUTER_LEASE_CLASS, unit.key)) continue;
      if (!(await lease.tryAcquire(ROUTER_LEASE_CLASS, unit.key))) continue;
      count += 1;
      acquired.push(unit);
    }
    // Jobs up to here may have been sent by the units' earlier holders, which flushed their
    // statuses before letting go; jobs after it are this process's alone (see addShard).
    const othersUpTo = acquired.length > 0 ? await sequencePosition(this.options.pool, ROUTER_FAMILY) : 0;
    for (const unit of acquired) {
      let runtime = this.runtimes.get(unit.destinationId);
      if (!runtime) {
        runtime = new DestinationRuntime(
          unit.destinationId,
          this.options.pool,
          this.writer,
          this.options.settings,
          this.options.live,
        );
        runtime.configure(destinations.get(unit.destinationId));
        this.runtimes.set(unit.destinationId, runtime);
      }
      runtime.addShard(unit.shard, othersUpTo);
    }
    if (count > 0) this.wake();
  }

  /**
   * Lets go of destinations that are neither in the config nor in rt_jobs any more (deleted,
   * and their last jobs finished and dropped): their leases and runtimes would otherwise be
   * held for as long as the process runs.
   */
  private async retireGone(ids: ReadonlySet<string>, lease: LeaseHolder): Promise<void> {
    for (const [id, runtime] of this.runtimes) {
      if (ids.has(id)) continue;
      for (const shard of runtime.shardIds) {
        await runtime.drainShard(shard);
        await this.writer.flush();
        await lease.release(ROUTER_LEASE_CLASS, lockKeyOf(`${id}:${shard}`));
      }
      this.runtimes.delete(id);
      await runtime.close();
    }
  }

  /**
   * Polls again at once while a page came back full; otherwise waits for a wake-up (this
   * process's processor committed, or a replay) or `maxIdleMs` (jobs written by other
   * processes). Re-polling with a doubling pause after every read cost about seven empty
   * polls, eight queries each, per processor commit under load.
   */
  private async pollLoop(): Promise<void> {
    while (this.running) {
      let more = false;
      try {
        for (const runtime of this.runtimes.values()) more = (await runtime.poll()) || more;
      } catch (error) {
        this.options.log.error({ err: error }, 'router poll failed; retrying');
      }
      if (more) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.maxIdleMs);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = undefined;
    }
  }
}
