import { z } from 'zod';

/**
 * The HTTP contract between a data plane and the config-backend, besides the config itself
 * (`WorkspaceConfig`) and delivery reports (`DeliveryReportBatch`). The data plane only calls
 * out, with `Authorization: Bearer <data-plane token>`:
 *
 * - GET  /data-plane/v1/config            → WorkspaceConfig (ETag / If-None-Match → 304; ?wait=30 long-polls)
 * - POST /data-plane/v1/reports           ← DeliveryReportBatch (idempotent per data plane, minute and key)
 * - POST /data-plane/v1/failed-events     ← FailedEventBatch (idempotent per failed-event id)
 * - GET  /data-plane/v1/commands          → DataPlaneCommands (claims pending replays for this data plane)
 * - POST /data-plane/v1/commands/:id/done ← ReplayDone
 * - GET  /data-plane/v1/live              → LiveWatches (what someone is watching right now)
 * - POST /data-plane/v1/live-events       ← LiveEventBatch (a resent sample with an id is ignored)
 * - POST /data-plane/v1/write-key-usage   ← WriteKeyUsageBatch (moves each key's last-used time forward)
 */
export const DATA_PLANE_API_PREFIX = '/data-plane/v1';

/** An event that ended in the data plane's failed-events store, as the control plane lists it. */
export const FailedEvent = z.object({
  /** The data plane's id for it; a replay names these. */
  id: z.string(),
  workspaceId: z.string(),
  sourceId: z.string(),
  destinationId: z.string(),
  messageId: z.string(),
  /**
   * The user the event was for: its userId, else its anonymousId. Null when unknown, as from a
   * data plane older than this field, which does not send it.
   */
  userKey: z.string().nullable().default(null),
  /**
   * Which event failed, as `eventLabelOf` names it (`track · Order Completed`, `identify`).
   * Null when unknown, as from a data plane older than this field.
   */
  eventLabel: z.string().nullable().default(null),
  errorCode: z.string(),
  attempts: z.number().int().nonnegative(),
  /** What the router had to deliver: the destination's request payload, not the event. */
  payload: z.unknown(),
  request: z.unknown(),
  response: z.unknown(),
  failedAt: z.iso.datetime(),
});
export type FailedEvent = z.infer<typeof FailedEvent>;

export const FailedEventBatch = z.object({
  dataPlaneId: z.string().min(1),
  events: z.array(FailedEvent).max(5000),
});
export type FailedEventBatch = z.infer<typeof FailedEventBatch>;

/** "Deliver these failed events again": by ids, or by destination, time window and error code. */
export const ReplayCommand = z.object({
  id: z.string(),
  workspaceId: z.string(),
  destinationId: z.string().nullable(),
  fromTime: z.iso.datetime().nullable(),
  toTime: z.iso.datetime().nullable(),
  errorCode: z.string().nullable(),
  failedEventIds: z.array(z.string()),
});
export type ReplayCommand = z.infer<typeof ReplayCommand>;

export const DataPlaneCommands = z.object({ replays: z.array(ReplayCommand) });
export type DataPlaneCommands = z.infer<typeof DataPlaneCommands>;

export const ReplayDone = z.object({
  dataPlaneId: z.string().min(1),
  replayedCount: z.number().int().nonnegative(),
});
export type ReplayDone = z.infer<typeof ReplayDone>;

/** Someone has the live-events view open on a source or a destination until `until`. */
export const LiveWatch = z.object({
  workspaceId: z.string(),
  sourceId: z.string().nullable(),
  destinationId: z.string().nullable(),
  until: z.iso.datetime(),
});
export type LiveWatch = z.infer<typeof LiveWatch>;

export const LiveWatches = z.object({ watches: z.array(LiveWatch) });
export type LiveWatches = z.infer<typeof LiveWatches>;

export const LiveEventStage = z.enum(['received', 'delivered', 'failed', 'dropped']);
export type LiveEventStage = z.infer<typeof LiveEventStage>;

/** One sampled event: what arrived, and for a destination what was sent and what came back. */
export const LiveEvent = z.object({
  /** The data plane's id for this sample; a resent sample with the same id is stored once. */
  id: z.string().min(1).max(100).optional(),
  workspaceId: z.string(),
  sourceId: z.string(),
  destinationId: z.string().nullable(),
  messageId: z.string(),
  stage: LiveEventStage,
  at: z.iso.datetime(),
  payload: z.unknown(),
  request: z.unknown().optional(),
  response: z.unknown().optional(),
  /** Why an event was dropped or failed. */
  reason: z.string().optional(),
});
export type LiveEvent = z.infer<typeof LiveEvent>;

export const LiveEventBatch = z.object({
  dataPlaneId: z.string().min(1),
  events: z.array(LiveEvent).max(1000),
});
export type LiveEventBatch = z.infer<typeof LiveEventBatch>;

/** When a write key last authenticated a request at a data plane's gateway. */
export const WriteKeyUsage = z.object({
  writeKeyId: z.string().min(1),
  lastUsedAt: z.iso.datetime(),
});
export type WriteKeyUsage = z.infer<typeof WriteKeyUsage>;

/**
 * The latest use of each write key since the previous push. The config-backend only moves a
 * key's last-used time forward, so pushes from several gateways may arrive in any order.
 */
export const WriteKeyUsageBatch = z.object({
  dataPlaneId: z.string().min(1),
  usage: z.array(WriteKeyUsage).max(10_000),
});
export type WriteKeyUsageBatch = z.infer<typeof WriteKeyUsageBatch>;
