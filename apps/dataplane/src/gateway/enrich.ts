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
 * Fills in what the gateway owns and leaves the client's fields (context above all) as sent.
 * Without a client `timestamp`, RudderStack's clock-skew correction applies:
 * timestamp = receivedAt − (sentAt − originalTimestamp), so a device clock that is off by
 * an hour still yields the real time of the event.
 */
export function enrichEvent(event: Record<string, unknown>, ctx: EnrichContext): Record<string, unknown> {
  if (event.messageId === undefined) event.messageId = randomUUID();
  // A write key inside the body (analytics-next, analytics-node) is a credential, not event data.
  if ('writeKey' in event) delete event.writeKey;
  const receivedMs = ctx.receivedAt.getTime();
  const receivedAt = ctx.receivedAt.toISOString();
  if (event.sentAt === undefined && typeof ctx.batchSentAt === 'string') event.sentAt = ctx.batchSentAt;
  if (event.timestamp === undefined) {
    const original = parseTime(event.originalTimestamp);
    const sent = parseTime(event.sentAt);
    const corrected =
      original !== undefined && sent !== undefined ? receivedMs - (sent - original) : Number.NaN;
    if (Math.abs(corrected) <= MAX_DATE_MS) {
      event.timestamp = new Date(corrected).toISOString();
    } else if (original !== undefined) {
      event.timestamp = event.originalTimestamp;
    } else {
      event.timestamp = receivedAt;
    }
  }
  event.receivedAt = receivedAt;
  event.request_ip = ctx.requestIp;
  return event;
}
