import { type ConfigSource, userKeyOf } from '@keel/shared';
import { gatewayRow, gatewayRowPrefix } from '../jobsdb/gateway-jobs';
import { Enricher } from './enrich';
import { GatewayError, type RejectedEvent } from './errors';
import { checkEvent } from './validate';

export interface PreparedEvents {
  /** How many events were accepted. */
  accepted: number;
  /** The accepted events as gw_jobs rows in COPY's text format, encoded while the request is at hand. */
  rows: Buffer;
  rejected: RejectedEvent[];
}

export interface PrepareContext {
  source: ConfigSource;
  receivedAt: Date;
  requestIp: string;
  batchSentAt?: unknown;
  maxEventBytes: number;
}

const EMPTY = Buffer.alloc(0);

/**
 * Validates, enriches and serialises each event of a request. Invalid events are listed by
 * index and reason; the valid ones become rows, so a batch is accepted partially.
 */
export function prepareEvents(events: readonly unknown[], ctx: PrepareContext): PreparedEvents {
  const rejected: RejectedEvent[] = [];
  const prefix = gatewayRowPrefix(ctx.source.workspaceId, ctx.source.id);
  let rows = '';
  let accepted = 0;
  const enricher = new Enricher({
    receivedAt: ctx.receivedAt,
    requestIp: ctx.requestIp,
    batchSentAt: ctx.batchSentAt,
  });
  for (let index = 0; index < events.length; index++) {
    const check = checkEvent(events[index]);
    if (!check.ok) {
      rejected.push({ index, code: 'invalid-event', reason: check.reason });
      continue;
    }
    const event = enricher.enrich(check.event);
    let payload: string;
    try {
      payload = JSON.stringify(event);
    } catch {
      rejected.push({ index, code: 'invalid-event', reason: 'the event is nested too deeply to store' });
      continue;
    }
    // UTF-8 takes at most 3 bytes per UTF-16 unit, so most events skip the exact count.
    const size = payload.length * 3 <= ctx.maxEventBytes ? payload.length : Buffer.byteLength(payload);
    if (size > ctx.maxEventBytes) {
      rejected.push({
        index,
        code: 'event-too-large',
        reason: `the event is ${size} bytes; the limit is ${ctx.maxEventBytes}`,
      });
      continue;
    }
    const userKey = userKeyOf(event as { userId?: string | null; anonymousId?: string | null });
    rows += gatewayRow(prefix, userKey, event.messageId as string, enricher.receivedAtIso, payload);
    accepted++;
  }
  return { accepted, rows: accepted === 0 ? EMPTY : Buffer.from(rows), rejected };
}

/** The error for a request none of whose events could be accepted. */
export function nothingAccepted(rejected: RejectedEvent[], single: boolean): GatewayError {
  const first = rejected[0];
  if (single && first) {
    return new GatewayError(first.code, `The event was rejected: ${first.reason}.`);
  }
  return new GatewayError(
    'invalid-events',
    'No event in the batch was valid; see `rejected` for each event’s index and reason.',
    { rejected },
  );
}
