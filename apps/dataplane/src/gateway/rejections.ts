import type { ConfigSource, ReportSample, WorkspaceConfig } from '@keel/shared';
import type { FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { ConfigStore } from '../config/config-store';
import { ReportCollector, writeReportDeltas } from '../reports/deltas';
import { basicAuthUser, findSource } from './auth';
import type { RejectedEvent } from './errors';

/** What a rejection is counted against: the source, known from its write key. */
export type RejectingSource = Pick<ConfigSource, 'id' | 'workspaceId'>;

export interface GatewayRejectionsOptions {
  pool: pg.Pool;
  /** How often the counts are written to rpt_deltas; 1 s by default. */
  flushIntervalMs?: number;
  log: { warn(object: object, message: string): void; info(object: object, message: string): void };
}

interface Count {
  workspaceId: string;
  sourceId: string;
  minuteMs: number;
  code: string;
  count: number;
  samples: ReportSample[];
}

/** A sample or two per source, reason and minute is enough to see what a client sends wrong. */
const MAX_SAMPLES = 2;

/**
 * Codes of requests refused as a whole once the source was known; each of their events counts
 * as rejected. Per-event codes (`invalid-event`, `event-too-large` and the batch-level
 * `invalid-events`) are counted event by event in the route instead. 5xx refusals (overloaded,
 * database unavailable) are not the client's fault and are retried by SDKs, so they are not
 * counted here; neither are unknown, missing or disabled write keys, which have no source to
 * count against (Prometheus counts those).
 */
const WHOLE_REQUEST_CODES = new Set([
  'rate-limited',
  'invalid-json',
  'invalid-body',
  'invalid-encoding',
  'request-too-large',
]);

/** Source id → source, rebuilt once per config version, for refusals that only know the id. */
const byId = new WeakMap<WorkspaceConfig, Map<string, ConfigSource>>();

function sourceById(config: WorkspaceConfig, id: string): ConfigSource | undefined {
  let index = byId.get(config);
  if (!index) {
    index = new Map(config.sources.map((s) => [s.id, s]));
    byId.set(config, index);
  }
  return index.get(id);
}

function messageIdOf(event: unknown): string {
  if (typeof event !== 'object' || event === null) return '';
  const id = (event as { messageId?: unknown }).messageId;
  return typeof id === 'string' ? id.slice(0, 200) : '';
}

/**
 * Counts the events the gateway refuses, per (workspace, source, minute, reason code), in
 * memory, and appends the counts to rpt_deltas as status `rejected` (destination '') once a
 * second in one transaction, so the report pusher carries them to the dashboard like the
 * processor's drops. The request path only bumps a Map entry: never a database write per
 * request, which a flood of bad or rate-limited requests would turn into a second load. Counts
 * a write could not store are kept and written with the next round.
 */
export class GatewayRejections {
  private counts = new Map<string, Count>();
  /**
   * A clock ticking with the flush timer: Date.now() costs 3–5× a Map set on the loaded box
   * (see key-usage.ts), and a rejection only needs its minute.
   */
  private now = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  private failing = false;

  constructor(private readonly options: GatewayRejectionsOptions) {}

  /** One event of a request refused on its own (the rest of its batch may have been accepted). */
  event(source: RejectingSource, rejection: RejectedEvent, event: unknown): void {
    this.add(source, rejection.code, 1, () => ({
      messageId: messageIdOf(event),
      request: { index: rejection.index },
      response: { code: rejection.code, reason: rejection.reason },
    }));
  }

  /** A request refused as a whole; `events` of them when they could be counted, else 1. */
  request(source: RejectingSource, code: string, events: number, message: string): void {
    this.add(source, code, Math.max(1, events), () => ({
      messageId: '',
      request: { events: Math.max(1, events) },
      response: { code, message },
    }));
  }

  /**
   * Counts a refused request from the gateway's error handler, if its code is one counted per
   * source and its source is known: from the route, or from the write key of a request whose
   * body could not even be read (too large, bad encoding).
   */
  refused(config: ConfigStore, request: FastifyRequest, code: string, events: number, message: string): void {
    if (!WHOLE_REQUEST_CODES.has(code)) return;
    const current = config.current();
    if (!current) return;
    let source: ConfigSource | undefined;
    if (request.gatewaySourceId) {
      source = sourceById(current, request.gatewaySourceId);
    } else {
      const query = request.query as Record<string, unknown> | undefined;
      const writeKey =
        basicAuthUser(request.headers.authorization) ??
        (typeof query?.writeKey === 'string' ? query.writeKey : undefined);
      source = findSource(config, writeKey);
      if (source && !source.enabled) source = undefined;
    }
    if (source) this.request(source, code, events, message);
  }

  private add(source: RejectingSource, code: string, count: number, sample: () => ReportSample): void {
    const minuteMs = this.now - (this.now % 60_000);
    const key = `${source.workspaceId}\u0000${source.id}\u0000${minuteMs}\u0000${code}`;
    let entry = this.counts.get(key);
    if (!entry) {
      entry = { workspaceId: source.workspaceId, sourceId: source.id, minuteMs, code, count: 0, samples: [] };
      this.counts.set(key, entry);
    }
    entry.count += count;
    if (entry.samples.length < MAX_SAMPLES) entry.samples.push(sample());
  }

  /** Events counted and not yet written. */
  get pending(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c.count;
    return n;
  }

  start(): void {
    this.timer = setInterval(() => {
      this.now = Date.now();
      void this.flush();
    }, this.options.flushIntervalMs ?? 1_000).unref();
  }

  /** Writes what was counted so far; a failure is logged and the counts are kept for the next round. */
  flush(): Promise<void> {
    this.inFlight = this.inFlight.then(() => this.writeOnce());
    return this.inFlight;
  }

  /** Stops the timer and writes what is left. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
    if (this.counts.size > 0) {
      this.options.log.warn(
        { events: this.pending },
        'gateway rejections could not be written before shutdown; their counts are lost',
      );
    }
  }

  private async writeOnce(): Promise<void> {
    if (this.counts.size === 0) return;
    const taken = this.counts;
    this.counts = new Map();
    const byMinute = new Map<number, ReportCollector>();
    for (const c of taken.values()) {
      let collector = byMinute.get(c.minuteMs);
      if (!collector) {
        collector = new ReportCollector();
        byMinute.set(c.minuteMs, collector);
      }
      const entry = (count: number, sample?: ReportSample) => ({
        workspaceId: c.workspaceId,
        sourceId: c.sourceId,
        destinationId: '',
        status: 'rejected' as const,
        errorCode: c.code,
        count,
        sample,
      });
      collector.add(entry(c.count));
      // The collector takes one sample per add; the rest come with a count of zero.
      for (const sample of c.samples) collector.add(entry(0, sample));
    }
    try {
      const client = await this.options.pool.connect();
      try {
        await client.query('BEGIN');
        for (const [minuteMs, collector] of byMinute) {
          await writeReportDeltas(client, collector, new Date(minuteMs));
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
      if (this.failing) {
        this.failing = false;
        this.options.log.info({}, 'gateway rejections are written again');
      }
    } catch (error) {
      this.restore(taken);
      if (!this.failing) {
        this.failing = true;
        this.options.log.warn(
          { error: (error as Error).message, events: this.pending },
          'could not write the gateway’s rejection counts; keeping them and retrying every second',
        );
      }
    }
  }

  /** Puts counts that could not be written back, merged with those counted meanwhile. */
  private restore(taken: Map<string, Count>): void {
    for (const [key, old] of taken) {
      const now = this.counts.get(key);
      if (!now) {
        this.counts.set(key, old);
        continue;
      }
      now.count += old.count;
      now.samples = [...old.samples, ...now.samples].slice(0, MAX_SAMPLES);
    }
  }
}
