import { EventType } from '@keel/shared';

/**
 * The rules of `Event` from @keel/shared, checked by hand: zod's parse costs several
 * microseconds per event, which at 100,000 events/s is a whole core. validate.test.ts proves
 * this check accepts and rejects exactly what `Event` does. On success the event is
 * normalised the way `Event` would (numeric ids become strings) and keeps unknown fields.
 */
export type EventCheck = { ok: true; event: Record<string, unknown> } | { ok: false; reason: string };

const TYPES: ReadonlySet<string> = new Set<EventType>(EventType.options);
const OPTIONAL_STRINGS = ['timestamp', 'originalTimestamp', 'sentAt', 'receivedAt', 'channel'] as const;
const OPTIONAL_OBJECTS = ['context', 'integrations'] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const NUL = '\u0000';

/** `Id` in events.ts: a string or a number, stored as a string, without NUL (text refuses it). */
function normaliseId(event: Record<string, unknown>, field: string, nullable: boolean): string | undefined {
  const value = event[field];
  if (typeof value === 'string') {
    return value.includes(NUL) ? `${field} must not contain NUL characters` : undefined;
  }
  if (typeof value === 'number') {
    event[field] = String(value);
    return undefined;
  }
  if (nullable && (value === undefined || value === null)) return undefined;
  return `${field} must be a string or a number`;
}

function hasId(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0;
}

export function checkEvent(value: unknown): EventCheck {
  if (!isObject(value)) return { ok: false, reason: 'an event must be a JSON object' };
  const event = value;
  const type = event.type;
  if (typeof type !== 'string' || !TYPES.has(type)) {
    return {
      ok: false,
      reason: 'type must be one of track, identify, page, screen, group, alias',
    };
  }
  const messageId = event.messageId;
  if (
    messageId !== undefined &&
    (typeof messageId !== 'string' || messageId.length === 0 || messageId.length > 256)
  ) {
    return { ok: false, reason: 'messageId must be a string of 1 to 256 characters' };
  }
  if (typeof messageId === 'string' && messageId.includes(NUL)) {
    return { ok: false, reason: 'messageId must not contain NUL characters' };
  }
  const idProblem = normaliseId(event, 'userId', true) ?? normaliseId(event, 'anonymousId', true);
  if (idProblem) return { ok: false, reason: idProblem };
  for (const field of OPTIONAL_OBJECTS) {
    if (event[field] !== undefined && !isObject(event[field])) {
      return { ok: false, reason: `${field} must be a JSON object` };
    }
  }
  for (const field of OPTIONAL_STRINGS) {
    if (event[field] !== undefined && typeof event[field] !== 'string') {
      return { ok: false, reason: `${field} must be a string` };
    }
  }
  const typeProblem = checkTypeFields(type as EventType, event);
  if (typeProblem) return { ok: false, reason: typeProblem };
  if (!hasId(event.userId) && !hasId(event.anonymousId) && !(type === 'alias' && hasId(event.previousId))) {
    return { ok: false, reason: 'an event needs a userId or an anonymousId' };
  }
  return { ok: true, event };
}

function optionalObject(event: Record<string, unknown>, field: string): string | undefined {
  return event[field] === undefined || isObject(event[field]) ? undefined : `${field} must be a JSON object`;
}

function nullishString(event: Record<string, unknown>, field: string): string | undefined {
  const value = event[field];
  return value === undefined || value === null || typeof value === 'string'
    ? undefined
    : `${field} must be a string`;
}

function checkTypeFields(type: EventType, event: Record<string, unknown>): string | undefined {
  switch (type) {
    case 'track':
      if (typeof event.event !== 'string') return 'a track event needs an event name (event)';
      if (event.event.length === 0) return 'a track event needs an event name';
      return optionalObject(event, 'properties');
    case 'identify':
      return optionalObject(event, 'traits');
    case 'page':
      return (
        nullishString(event, 'name') ??
        nullishString(event, 'category') ??
        optionalObject(event, 'properties')
      );
    case 'screen':
      return nullishString(event, 'name') ?? optionalObject(event, 'properties');
    case 'group':
      return normaliseId(event, 'groupId', false) ?? optionalObject(event, 'traits');
    case 'alias':
      return normaliseId(event, 'previousId', false);
  }
}
