import {
  type ConfigDestination,
  type DeliveryPayload,
  type DeliveryRequest,
  type DeliverySettings,
  type DestinationType,
  eventLabelOf,
  findDestinationType,
  secretFieldsOf,
} from '@keel/shared';
import type pg from 'pg';
import type { Agent } from 'undici';
import type { LiveSampler } from '../delivery/live';
import { loadPendingRouterJobs, type RouterJob } from '../jobsdb/router-jobs';
import { parsedConfigOf } from '../processor/process-batch';
import { LoopTurn } from '../yield-to-io';
import { CircuitBreaker } from './circuit-breaker';
import { type BackoffPolicy, backoffMs, classifyStatus, retryAfterMs } from './classify';
import { redactRequest } from './redact';
import { destinationAgent, type SendResult, send } from './sender';
import type { StatusWriter } from './status-writer';
import { DeliveryDecoder, wholePayloadJson } from './stored-delivery';

export interface RouterSettings {
  backoff: BackoffPolicy;
  maxAttempts: number;
  retryWindowMs: number;
  breakerThreshold: number;
  breakerMinMs: number;
  breakerMaxMs: number;
  /** Jobs of one destination held in memory at once; more wait in Postgres. */
  maxJobsInMemory: number;
  /** Jobs read per shard and poll. */
  pollBatch: number;
}

interface QueuedJob extends RouterJob {
  delivery: DeliveryPayload;
  nextAttemptAt: number;
  inFlight: boolean;
  key: string;
  /** Method and URL: jobs batch together only when they share them. */
  target: string;
}

interface ShardState {
  loadedUpTo: number;
  /** Jobs up to this id may have statuses from the shard's earlier lease holders. */
  othersUpTo: number;
  inFlight: number;
  draining: boolean;
}

const GONE = 'destination-removed';
const EVENT_MISSING = 'event-missing';

/**
 * Which event an aborted job came from. A job that sends its gateway event unchanged is named
 * from that event, parsed here and only here: aborts are rare, and naming every job as it was
 * read or written would cost the hot path. The processor, or a replay, named the others.
 */
function abortedEventLabel(job: QueuedJob): string | null {
  if (job.gatewayJobId === null || job.body === null) return job.eventLabel;
  try {
    // The delivery's body is the event; a destination that read it has parsed it already.
    return eventLabelOf(job.delivery.body);
  } catch {
    return null;
  }
}

/** A request sent for a batch of jobs, and its redacted form once something needed it. */
interface ShownRequest {
  request: DeliveryRequest;
  redacted: unknown;
}

/**
 * Delivers one destination's jobs for the shards this process leases: per-user queues (a
 * user's later jobs wait while the head is in flight or retrying; other users flow), at most
 * `concurrency` requests at once on the destination's own connection pool, batching where the
 * destination allows it, retries with backoff, and a circuit breaker.
 */
export class DestinationRuntime {
  private readonly queues = new Map<string, QueuedJob[]>();
  private ready: string[] = [];
  private readonly readySet = new Set<string>();
  private readonly waiting = new Map<string, NodeJS.Timeout>();
  private readonly shards = new Map<number, ShardState>();
  private inFlight = 0;
  private jobsInMemory = 0;
  private batchTimer: NodeJS.Timeout | undefined;
  private breakerTimer: NodeJS.Timeout | undefined;
  private agent: Agent | undefined;
  private agentKey = '';
  private destination: ConfigDestination | undefined;
  private type: DestinationType | undefined;
  private config: unknown;
  private delivery: DeliverySettings | undefined;
  private secrets: string[] = [];
  private readonly breaker: CircuitBreaker;
  private readonly decoder = new DeliveryDecoder();
  private closed = false;

  constructor(
    readonly destinationId: string,
    private readonly pool: pg.Pool,
    private readonly writer: StatusWriter,
    private readonly settings: RouterSettings,
    private readonly live?: LiveSampler,
  ) {
    this.breaker = new CircuitBreaker(
      settings.breakerThreshold,
      settings.breakerMinMs,
      settings.breakerMaxMs,
    );
  }

  /** Applies the destination's current config; undefined means it was removed or disabled. */
  configure(destination: ConfigDestination | undefined): void {
    this.destination = destination;
    const type = destination ? findDestinationType(destination.destinationDefinition.name) : undefined;
    const parsed = destination && type ? parsedConfigOf(destination, type) : undefined;
    if (!destination || !type || !parsed?.ok) {
      this.type = undefined;
      this.delivery = undefined;
      return;
    }
    this.type = type;
    this.config = parsed.value;
    this.delivery = type.delivery(parsed.value as never);
    this.secrets = secretFieldsOf(type.configSchema)
      .map((f) => destination.config[f])
      .filter((v): v is string => typeof v === 'string' && v.length > 0);
    const key = `${this.delivery.concurrency}:${this.delivery.timeoutMs}`;
    if (key !== this.agentKey) {
      void this.agent?.close();
      this.agent = destinationAgent(this.delivery.concurrency, this.delivery.timeoutMs);
      this.agentKey = key;
    }
    this.dispatch();
  }

  get shardIds(): number[] {
    return [...this.shards.keys()];
  }

  /**
   * Starts on a shard whose lease was just taken. `othersUpTo` is the router sequence's position
   * after the lease was: only jobs up to it can have been read, and so have statuses, before.
   */
  addShard(shard: number, othersUpTo: number): void {
    if (!this.shards.has(shard))
      this.shards.set(shard, { loadedUpTo: 0, othersUpTo, inFlight: 0, draining: false });
  }

  /**
   * Stops sending the shard's jobs, waits for its requests in flight, and forgets its jobs;
   * the caller flushes statuses and releases the lease.
   */
  async drainShard(shard: number): Promise<void> {
    const state = this.shards.get(shard);
    if (!state) return;
    state.draining = true;
    while (state.inFlight > 0) await new Promise((r) => setTimeout(r, 5));
    for (const [key, queue] of this.queues) {
      if (queue[0]?.shard !== shard) continue;
      this.jobsInMemory -= queue.length;
      this.queues.delete(key);
      this.readySet.delete(key);
      const t = this.waiting.get(key);
      if (t) clearTimeout(t);
      this.waiting.delete(key);
    }
    this.ready = this.ready.filter((k) => this.readySet.has(k));
    this.shards.delete(shard);
  }

  /**
   * Reads new jobs of every leased shard, in one read, while there is room in memory. Resolves
   * true when a shard filled its page, so that another poll would find jobs at once.
   */
  async poll(): Promise<boolean> {
    const room = this.settings.maxJobsInMemory - this.jobsInMemory;
    const active = [...this.shards].filter(([, state]) => !state.draining);
    // With memory nearly full, every few delivered jobs would start a poll of every shard for
    // a handful of jobs: that poll storm took a fifth of the CPU with one request per event.
    const worthReading = Math.min(this.settings.pollBatch, this.settings.maxJobsInMemory / 4);
    if (room < worthReading || this.closed || active.length === 0) return false;
    const perShard = Math.max(1, Math.min(this.settings.pollBatch, Math.floor(room / active.length)));
    const pages = await loadPendingRouterJobs(
      this.pool,
      this.destinationId,
      active.map(([shard, state]) => ({
        shard,
        afterJobId: state.loadedUpTo,
        limit: perShard,
        statusesUpTo: state.othersUpTo,
      })),
    );
    let loaded = 0;
    let more = false;
    const turn = new LoopTurn();
    for (const [shard, state] of active) {
      const page = pages.get(shard);
      // A shard drained (and perhaps leased again) while the page was read starts over.
      if (!page || state.draining || this.shards.get(shard) !== state) continue;
      for (const job of page.jobs) {
        if (turn.over()) {
          this.dispatch();
          await turn.yield();
          if (state.draining || this.closed) break;
        }
        this.enqueue(job);
      }
      if (state.draining || this.closed) continue;
      state.loadedUpTo = page.readUpTo;
      loaded += page.jobs.length;
      more ||= page.full;
    }
    if (loaded > 0) this.dispatch();
    return more;
  }

  get pending(): number {
    return this.jobsInMemory;
  }

  private enqueue(job: RouterJob): void {
    const delivery = this.decoder.decode(job.payload, job.body);
    const key = job.ordered ? `u:${job.userKey}` : `j:${job.jobId}`;
    // Written out: `{ ...job, … }` cost 7.6 µs a job in V8 against 0.24 µs for this literal.
    const queued: QueuedJob = {
      jobId: job.jobId,
      workspaceId: job.workspaceId,
      sourceId: job.sourceId,
      destinationId: job.destinationId,
      shard: job.shard,
      userKey: job.userKey,
      ordered: job.ordered,
      messageId: job.messageId,
      receivedAt: job.receivedAt,
      replayOf: job.replayOf,
      payload: job.payload,
      body: job.body,
      gatewayJobId: job.gatewayJobId,
      eventLabel: job.eventLabel,
      eventMissing: job.eventMissing,
      attempts: job.attempts,
      firstAttemptAt: job.firstAttemptAt,
      delivery,
      nextAttemptAt: 0,
      inFlight: false,
      key,
      target: `${delivery.method} ${delivery.url}`,
    };
    if (job.eventMissing) {
      const error = `the job's gateway event ${job.gatewayJobId} is no longer stored`;
      this.finish(queued, 'aborted', EVENT_MISSING, job.attempts, Date.now(), { error }, undefined);
      return;
    }
    let queue = this.queues.get(key);
    if (!queue) {
      queue = [];
      this.queues.set(key, queue);
    }
    queue.push(queued);
    this.jobsInMemory += 1;
    if (queue.length === 1) this.markReady(key);
  }

  private markReady(key: string): void {
    if (this.readySet.has(key)) return;
    this.readySet.add(key);
    this.ready.push(key);
  }

  /** Starts as many requests as concurrency, breaker and batching allow. */
  dispatch(force = false): void {
    if (this.closed) return;
    if (!this.destination || !this.type || !this.delivery) {
      if (this.ready.length > 0) this.abortAll(GONE);
      return;
    }
    const { concurrency, batching } = this.delivery;
    const maxEvents = batching?.maxEvents ?? 1;
    while (this.inFlight < concurrency && this.ready.length > 0) {
      const allowance = this.breaker.allowance(this.inFlight);
      if (allowance <= 0) {
        this.wakeAtBreaker();
        return;
      }
      if (batching && !force && this.readyJobs(maxEvents) < maxEvents) {
        if (!this.batchTimer) {
          this.batchTimer = setTimeout(() => {
            this.batchTimer = undefined;
            this.dispatch(true);
          }, batching.maxWaitMs);
        }
        return;
      }
      const batch = this.takeBatch(maxEvents);
      if (batch.length === 0) return;
      this.breaker.onStart();
      void this.deliver(batch);
    }
  }

  private wakeAtBreaker(): void {
    if (this.breakerTimer) return;
    const delay = Math.max(5, this.breaker.reopensAt - Date.now());
    this.breakerTimer = setTimeout(() => {
      this.breakerTimer = undefined;
      this.dispatch(true);
    }, delay);
  }

  private readyJobs(limit: number): number {
    let n = 0;
    for (const key of this.ready) {
      n += this.queues.get(key)?.length ?? 0;
      if (n >= limit) break;
    }
    return n;
  }

  /** Heads of ready queues (and, when batching, the jobs behind them) with one method and URL. */
  private takeBatch(max: number): QueuedJob[] {
    const batch: QueuedJob[] = [];
    const skipped: string[] = [];
    let target: string | undefined;
    const now = Date.now();
    while (batch.length < max && this.ready.length > 0) {
      const key = this.ready.shift() as string;
      this.readySet.delete(key);
      const queue = this.queues.get(key);
      const head = queue?.[0];
      if (!queue || !head || head.inFlight) continue;
      const shard = this.shards.get(head.shard);
      if (!shard || shard.draining) continue;
      if (head.nextAttemptAt > now) {
        // A retry timer can fire a few ms before Date.now() reaches the attempt time (Node
        // times it from the start of the loop turn); dropping the key here stranded the queue.
        this.wakeAt(key, head.nextAttemptAt - now);
        continue;
      }
      const t = head.target;
      if (target !== undefined && t !== target) {
        skipped.push(key);
        continue;
      }
      target = t;
      for (const job of queue) {
        if (batch.length >= max || job.inFlight || job.nextAttemptAt > now) break;
        if (job.target !== target) break;
        job.inFlight = true;
        shard.inFlight += 1;
        batch.push(job);
      }
    }
    for (const key of skipped.reverse()) {
      this.readySet.add(key);
      this.ready.unshift(key);
    }
    return batch;
  }

  private async deliver(batch: QueuedJob[]): Promise<void> {
    this.inFlight += 1;
    const type = this.type as DestinationType;
    const timeoutMs = this.delivery?.timeoutMs ?? 10_000;
    let request: DeliveryRequest;
    let result: SendResult;
    try {
      request = type.toRequest(
        batch.map((j) => j.delivery),
        this.config as never,
      );
      result = this.agent
        ? await send(this.agent, request, timeoutMs)
        : { kind: 'error', code: 'NO_AGENT', message: 'destination not configured', ms: 0 };
    } catch (error) {
      request = { method: 'POST', url: '', headers: {}, body: undefined };
      result = { kind: 'error', code: 'REQUEST_BUILD', message: String(error), ms: 0 };
    }
    this.inFlight -= 1;
    this.settle(batch, request, result);
    this.dispatch();
  }

  private settle(batch: QueuedJob[], request: DeliveryRequest, result: SendResult): void {
    const now = Date.now();
    const verdict =
      result.kind === 'response'
        ? classifyStatus(result.status)
        : result.code === 'REQUEST_BUILD'
          ? 'abort'
          : 'retry';
    const errorCode =
      result.kind === 'response' ? (verdict === 'delivered' ? '' : String(result.status)) : result.code;
    const response =
      result.kind === 'response'
        ? { status: result.status, body: result.body, ms: result.ms }
        : { error: result.code, message: result.message, ms: result.ms };
    if (verdict === 'delivered') this.breaker.onSuccess();
    else if (verdict === 'retry') this.breaker.onFailure(now);
    // Only failures and live samples show the request; a delivered one skips the copy.
    const shown: ShownRequest = { request, redacted: undefined };
    const retryAfter = result.kind === 'response' ? retryAfterMs(result.retryAfter, now) : undefined;
    for (const job of batch) {
      job.inFlight = false;
      const shard = this.shards.get(job.shard);
      if (shard) shard.inFlight -= 1;
      const attempt = job.attempts + 1;
      if (verdict === 'delivered') {
        this.finish(job, 'delivered', job.replayOf ? 'replayed' : '', attempt, now, response, shown);
        continue;
      }
      job.firstAttemptAt ??= new Date(now);
      const expired =
        attempt >= this.settings.maxAttempts ||
        now - job.firstAttemptAt.getTime() >= this.settings.retryWindowMs;
      if (verdict === 'abort' || expired) {
        this.finish(job, 'aborted', errorCode, attempt, now, response, shown);
        continue;
      }
      job.attempts = attempt;
      job.nextAttemptAt = now + backoffMs(attempt, this.settings.backoff, retryAfter);
      this.writer.record({
        status: {
          jobId: job.jobId,
          status: 'retrying',
          attempt,
          errorCode,
          at: new Date(now),
          detail: response,
        },
        report: {
          workspaceId: job.workspaceId,
          sourceId: job.sourceId,
          destinationId: this.destinationId,
          status: 'retrying',
          errorCode,
        },
      });
    }
    // Each queue touched: release its head (or keep it waiting for the retry).
    const keys = new Set(batch.map((j) => j.key));
    for (const key of keys) this.requeue(key);
  }

  private requeue(key: string): void {
    const queue = this.queues.get(key);
    if (!queue || queue.length === 0) {
      this.queues.delete(key);
      return;
    }
    const head = queue[0] as QueuedJob;
    const wait = head.nextAttemptAt - Date.now();
    if (wait <= 0) {
      this.markReady(key);
      return;
    }
    this.wakeAt(key, wait);
  }

  /** Marks the queue ready again in `wait` ms, and dispatches. */
  private wakeAt(key: string, wait: number): void {
    const existing = this.waiting.get(key);
    if (existing) clearTimeout(existing);
    this.waiting.set(
      key,
      setTimeout(() => {
        this.waiting.delete(key);
        this.markReady(key);
        this.dispatch();
      }, wait),
    );
  }

  private finish(
    job: QueuedJob,
    status: 'delivered' | 'aborted',
    errorCode: string,
    attempt: number,
    now: number,
    response: unknown,
    shown: ShownRequest | undefined,
  ): void {
    const queue = this.queues.get(job.key);
    const index = queue?.indexOf(job) ?? -1;
    if (queue && index >= 0) {
      queue.splice(index, 1);
      this.jobsInMemory -= 1;
    }
    const latencyMs = now - job.receivedAt.getTime();
    const request = status === 'aborted' ? this.shownRequest(shown) : undefined;
    const sample = status === 'aborted' ? { messageId: job.messageId, request, response } : undefined;
    this.writer.record({
      status: {
        jobId: job.jobId,
        status,
        attempt,
        errorCode,
        at: new Date(now),
        detail: status === 'aborted' ? response : null,
      },
      report: {
        workspaceId: job.workspaceId,
        sourceId: job.sourceId,
        destinationId: this.destinationId,
        status,
        errorCode,
        latencyMs: status === 'delivered' ? latencyMs : undefined,
        sample,
      },
      failed:
        status === 'aborted'
          ? {
              rtJobId: job.jobId,
              workspaceId: job.workspaceId,
              sourceId: job.sourceId,
              destinationId: this.destinationId,
              userKey: job.userKey,
              eventLabel: abortedEventLabel(job),
              messageId: job.messageId,
              receivedAt: job.receivedAt,
              errorCode,
              attempts: attempt,
              payload: wholePayloadJson(job.payload, job.body),
              request,
              response,
            }
          : undefined,
    });
    if (this.live?.wants(job.workspaceId, job.sourceId, this.destinationId)) {
      this.live.add({
        workspaceId: job.workspaceId,
        sourceId: job.sourceId,
        destinationId: this.destinationId,
        messageId: job.messageId,
        stage: status === 'delivered' ? 'delivered' : 'failed',
        at: new Date(now).toISOString(),
        payload: job.delivery.body,
        request: this.shownRequest(shown),
        response,
        reason: status === 'aborted' ? errorCode : job.replayOf ? 'replayed' : undefined,
      });
    }
  }

  /** Jobs of a destination that was removed, disabled or misconfigured end in the failed-events store. */
  private abortAll(errorCode: string): void {
    const now = Date.now();
    for (const [key, queue] of this.queues) {
      for (const job of [...queue]) {
        if (job.inFlight) continue;
        this.finish(job, 'aborted', errorCode, job.attempts, now, { error: errorCode }, undefined);
      }
      this.readySet.delete(key);
    }
    this.ready = [];
  }

  /**
   * The request as failed events and samples show it, secret values masked everywhere; null
   * for jobs that were never sent. Redacted once per request, however many jobs it carried.
   */
  private shownRequest(shown: ShownRequest | undefined): unknown {
    if (!shown) return null;
    shown.redacted ??= redactRequest(shown.request, this.secrets);
    return shown.redacted;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.waiting.values()) clearTimeout(t);
    this.waiting.clear();
    if (this.batchTimer) clearTimeout(this.batchTimer);
    if (this.breakerTimer) clearTimeout(this.breakerTimer);
    while (this.inFlight > 0) await new Promise((r) => setTimeout(r, 5));
    await this.agent?.close();
  }
}
