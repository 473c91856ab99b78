import type {
  ConfigTransformation,
  StoredEvent,
  TransformationMetadata,
  TransformationOutcome,
  WorkspaceConfig,
} from '@keel/shared';
import { type SandboxLimitsInput, SandboxPool, type Transformer } from '@keel/transform';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { ConfigStore } from '../config/config-store';
import type { UserTransformer } from './user-transformation';

export interface SandboxUserTransformerOptions {
  /** Tells which workspace a transformation belongs to, and so whether it may fetch. */
  config: ConfigStore;
  limits?: SandboxLimitsInput;
  /** Sandbox child processes (TRANSFORM_PROCESSES). */
  processes?: number;
  /** Runs the code; defaults to a `SandboxPool` of child processes with `limits`. */
  transformer?: Transformer;
  /** Told about whole batches that failed (code that does not load, a limit hit); never given event data. */
  onBatchError?: (transformation: ConfigTransformation, error: string) => void;
  /** How long a version whose batches keep failing as a whole is paused (default 60 s). */
  pauseMs?: number;
  /** Where to count events by outcome and time batches; none when absent. */
  registry?: Registry;
}

/**
 * Batches of one version that fail as a whole in a row before it is paused. A looping version
 * costs the processor its CPU limit (4 s) per batch; pausing it keeps it from holding up every
 * other workspace's events batch after batch.
 */
const PAUSE_AFTER_FAILED_BATCHES = 3;

interface FailureStreak {
  count: number;
  pausedUntil: number;
  lastError: string;
}

/**
 * The processor's user-transformation stage: runs a connection's transformation version in
 * the sandbox processes of @keel/transform, with `fetch` only where the workspace allows it.
 */
export class SandboxUserTransformer implements UserTransformer {
  private readonly transformer: Transformer;
  private readonly ownsTransformer: boolean;
  private readonly streaks = new Map<string, FailureStreak>();
  private readonly metrics;
  private fetchAllowed: { config: WorkspaceConfig | undefined; byTransformation: Map<string, boolean> } = {
    config: undefined,
    byTransformation: new Map(),
  };

  constructor(private readonly options: SandboxUserTransformerOptions) {
    this.transformer =
      options.transformer ?? new SandboxPool({ limits: options.limits, processes: options.processes });
    this.ownsTransformer = options.transformer === undefined;
    const registers = options.registry ? [options.registry] : [];
    this.metrics = {
      events: new Counter({
        name: 'keel_dataplane_transformation_events_total',
        help: 'Events through user transformations, by outcome (events, dropped, failed)',
        labelNames: ['outcome'],
        registers,
      }),
      batches: new Histogram({
        name: 'keel_dataplane_transformation_batch_seconds',
        help: 'Time one batch spent in the transformation sandbox, by result (ok, failed, paused)',
        labelNames: ['result'],
        buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 1, 4, 10, 30],
        registers,
      }),
    };
  }

  async run(
    transformation: ConfigTransformation,
    events: readonly StoredEvent[],
    metadataOf: (event: StoredEvent) => TransformationMetadata,
  ): Promise<TransformationOutcome[]> {
    const streak = this.streaks.get(transformation.versionId);
    if (streak && streak.pausedUntil > Date.now()) {
      const error = `this transformation version is paused until ${new Date(streak.pausedUntil).toISOString()} after ${streak.count} batches in a row failed as a whole (last: ${streak.lastError}); publish a fixed version and attach it`;
      this.metrics.batches.observe({ result: 'paused' }, 0);
      this.metrics.events.inc({ outcome: 'failed' }, events.length);
      return events.map(() => ({ kind: 'failed', error }));
    }
    const run = await this.transformer.run(
      { code: transformation.code, allowFetch: this.allowsFetch(transformation.id) },
      events,
      events.map(metadataOf),
    );
    this.metrics.batches.observe({ result: run.error ? 'failed' : 'ok' }, run.totalMs / 1000);
    for (const outcome of run.outcomes) this.metrics.events.inc({ outcome: outcome.kind });
    if (run.error) {
      this.options.onBatchError?.(transformation, run.error);
      const count = (streak?.count ?? 0) + 1;
      const pausedUntil =
        count >= PAUSE_AFTER_FAILED_BATCHES ? Date.now() + (this.options.pauseMs ?? 60_000) : 0;
      this.streaks.set(transformation.versionId, { count, pausedUntil, lastError: run.error });
    } else if (streak) {
      this.streaks.delete(transformation.versionId);
    }
    return run.outcomes;
  }

  async close(): Promise<void> {
    if (this.ownsTransformer) await this.transformer.close();
  }

  /** Whether the transformation's workspace turned fetch on; recomputed when the config changes. */
  private allowsFetch(transformationId: string): boolean {
    const config = this.options.config.current();
    if (config !== this.fetchAllowed.config) {
      const allowed = new Set(config?.workspaces.filter((w) => w.allowTransformFetch).map((w) => w.id));
      const byTransformation = new Map<string, boolean>();
      for (const source of config?.sources ?? []) {
        for (const destination of source.destinations) {
          for (const t of destination.transformations)
            byTransformation.set(t.id, allowed.has(source.workspaceId));
        }
      }
      this.fetchAllowed = { config, byTransformation };
    }
    return this.fetchAllowed.byTransformation.get(transformationId) ?? false;
  }
}
