import { z } from 'zod';

/** The Segment-spec message types that Keel accepts and routes. */
export const EventType = z.enum(['track', 'identify', 'page', 'screen', 'group', 'alias']);
export type EventType = z.infer<typeof EventType>;

const JsonObject = z.record(z.string(), z.unknown());

/** Postgres text cannot hold NUL, and ids are stored as text columns of their own. */
const withoutNul = (value: string) => !value.includes('\u0000');
const NUL_MESSAGE = 'must not contain NUL characters';

/** Ids arrive as strings, and now and then as numbers; Keel stores them as strings. */
const Id = z.union([z.string(), z.number()]).transform(String).refine(withoutNul, NUL_MESSAGE);

/** `integrations` switches destinations on or off: `{ All: false, Webhook: true }`. */
export const Integrations = z.record(z.string(), z.unknown());
export type Integrations = z.infer<typeof Integrations>;

/** The fields every message type shares. Unknown fields are kept as the client sent them. */
const commonFields = {
  messageId: z.string().min(1).max(256).refine(withoutNul, NUL_MESSAGE).optional(),
  userId: Id.nullish(),
  anonymousId: Id.nullish(),
  context: JsonObject.optional(),
  integrations: Integrations.optional(),
  timestamp: z.string().optional(),
  originalTimestamp: z.string().optional(),
  sentAt: z.string().optional(),
  receivedAt: z.string().optional(),
  channel: z.string().optional(),
};

export const TrackEvent = z.looseObject({
  ...commonFields,
  type: z.literal('track'),
  event: z.string().min(1, 'a track event needs an event name'),
  properties: JsonObject.optional(),
});
export type TrackEvent = z.infer<typeof TrackEvent>;

export const IdentifyEvent = z.looseObject({
  ...commonFields,
  type: z.literal('identify'),
  traits: JsonObject.optional(),
});
export type IdentifyEvent = z.infer<typeof IdentifyEvent>;

export const PageEvent = z.looseObject({
  ...commonFields,
  type: z.literal('page'),
  name: z.string().nullish(),
  category: z.string().nullish(),
  properties: JsonObject.optional(),
});
export type PageEvent = z.infer<typeof PageEvent>;

export const ScreenEvent = z.looseObject({
  ...commonFields,
  type: z.literal('screen'),
  name: z.string().nullish(),
  properties: JsonObject.optional(),
});
export type ScreenEvent = z.infer<typeof ScreenEvent>;

export const GroupEvent = z.looseObject({
  ...commonFields,
  type: z.literal('group'),
  groupId: Id,
  traits: JsonObject.optional(),
});
export type GroupEvent = z.infer<typeof GroupEvent>;

export const AliasEvent = z.looseObject({
  ...commonFields,
  type: z.literal('alias'),
  previousId: Id,
});
export type AliasEvent = z.infer<typeof AliasEvent>;

/**
 * One analytics message as a client sends it. It must name a user: `userId` or `anonymousId`
 * (an alias may name only `previousId`).
 */
export const Event = z
  .discriminatedUnion('type', [TrackEvent, IdentifyEvent, PageEvent, ScreenEvent, GroupEvent, AliasEvent])
  .refine((e) => hasId(e.userId) || hasId(e.anonymousId) || (e.type === 'alias' && hasId(e.previousId)), {
    message: 'an event needs a userId or an anonymousId',
    path: ['userId'],
  });
export type Event = z.infer<typeof Event>;

function hasId(value: string | null | undefined): boolean {
  return typeof value === 'string' && value.length > 0;
}

/**
 * An event as the gateway stored it: the client's event plus the fields the gateway fills
 * in. It is what the processor reads and what transformations receive.
 */
export const StoredEvent = z.looseObject({
  ...commonFields,
  type: EventType,
  messageId: z.string(),
  receivedAt: z.string(),
  request_ip: z.string().optional(),
});
export type StoredEvent = z.infer<typeof StoredEvent>;

/** The key that per-user ordering and deduplication use. */
export function userKeyOf(event: { userId?: string | null; anonymousId?: string | null }): string {
  return event.userId || event.anonymousId || '';
}

/** Longest event label kept; a longer event name is cut, so the label stays a short column. */
export const MAX_EVENT_LABEL_LENGTH = 200;

/**
 * What the failed-events list shows to tell events apart: `track · Order Completed`,
 * `page · Pricing` (page and screen when they have a name), else the type alone (`identify`).
 * Null for something that is not an event with a string type. Takes `unknown` because it may
 * read an event back from stored JSON.
 */
export function eventLabelOf(event: unknown): string | null {
  if (typeof event !== 'object' || event === null) return null;
  const { type } = event as { type?: unknown };
  if (typeof type !== 'string' || type.length === 0) return null;
  const name =
    type === 'track'
      ? (event as { event?: unknown }).event
      : type === 'page' || type === 'screen'
        ? (event as { name?: unknown }).name
        : undefined;
  const whole = typeof name === 'string' && name.length > 0 ? `${type} · ${name}` : type;
  const label =
    whole.length > MAX_EVENT_LABEL_LENGTH ? `${whole.slice(0, MAX_EVENT_LABEL_LENGTH - 1)}…` : whole;
  // Postgres text cannot hold NUL, which a JSON event name may carry; jsonb's stand-in replaces it.
  return label.includes('\u0000') ? label.replaceAll('\u0000', '\uFFFD') : label;
}
