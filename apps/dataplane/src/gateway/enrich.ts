import { randomUUID } from 'node:crypto';

export interface EnrichContext {
  receivedAt: Date;
  requestIp: string;
  /** The batch's own `sentAt`, for events that carry none (analytics-node sends it only there). */
  batchSentAt?: unknown;
}

/** The largest time a JavaScript Date can hold. */
const MAX_DATE_MS = 8.64e15;

function parseTime(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Enriches the events of one request. Date parsing and formatting cost about a microsecond
 * each on this hardware, so what is the same for the whole request (receivedAt, a shared
 * sentAt) is computed once.
 */
export class Enricher {
  private readonly receivedMs: number;
  /** receivedAt as ISO 8601, formatted once per request. */
  readonly receivedAtIso: string;
  private lastSentAt: unknown;
  private lastSentMs: number | undefined;

  constructor(private readonly ctx: EnrichContext) {
    this.receivedMs = ctx.receivedAt.getTime();
    this.receivedAtIso = ctx.receivedAt.toISOString();
  }

  /**
   * Fills in what the gateway owns and leaves the client's fields (context above all) as sent.
   * Without a client `timestamp`, RudderStack's clock-skew correction applies:
   * timestamp = receivedAt − (sentAt − originalTimestamp), so a device clock that is off by
   * an hour still yields the real time of the event.
   */
  enrich(event: Record<string, unknown>): Record<string, unknown> {
    if (event.messageId === undefined) event.messageId = randomUUID();
    // A write key inside the body (analytics-next, analytics-node) is a credential, not event data.
    if (event.writeKey !== undefined) delete event.writeKey;
    if (event.sentAt === undefined && typeof this.ctx.batchSentAt === 'string')
      event.sentAt = this.ctx.batchSentAt;
    if (event.timestamp === undefined) {
      const original = parseTime(event.originalTimestamp);
      const sent = original === undefined ? undefined : this.sentMs(event.sentAt);
      const corrected =
        original !== undefined && sent !== undefined ? this.receivedMs - (sent - original) : Number.NaN;
      if (Math.abs(corrected) <= MAX_DATE_MS) {
        event.timestamp = new Date(corrected).toISOString();
      } else if (original !== undefined) {
        event.timestamp = event.originalTimestamp;
      } else {
        event.timestamp = this.receivedAtIso;
      }
    }
    event.receivedAt = this.receivedAtIso;
    event.request_ip = this.ctx.requestIp;
    return event;
  }

  private sentMs(sentAt: unknown): number | undefined {
    if (sentAt !== this.lastSentAt) {
      this.lastSentAt = sentAt;
      this.lastSentMs = parseTime(sentAt);
    }
    return this.lastSentMs;
  }
}
