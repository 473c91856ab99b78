import { z } from 'zod';

/** Which failed events a replay covers, in the terms of the data plane's `ReplayCommand`. */
export const ReplayFilter = z.object({
  destinationId: z.string().min(1).optional(),
  sourceId: z.string().min(1).optional(),
  from: z.iso.datetime().optional(),
  to: z.iso.datetime().optional(),
  errorCode: z.string().min(1).optional(),
});
export type ReplayFilter = z.infer<typeof ReplayFilter>;

export const FailedEventFilter = ReplayFilter.extend({
  /** Also list events already replayed. */
  includeReplayed: z.boolean().default(false),
});
export type FailedEventFilter = z.infer<typeof FailedEventFilter>;

/** A page of failed events that match a filter. */
export const ListFailedEventsInput = FailedEventFilter.extend({
  cursor: z.string().min(1).optional(),
  limit: z.number().int().min(1).max(200).default(50),
});

/** Replay these ids, or everything not yet replayed that matches a filter. */
export const ReplaySelection = z.union([
  z.object({ ids: z.array(z.string().min(1)).min(1, 'choose at least one failed event').max(5000) }),
  z.object({ filter: ReplayFilter }),
]);
export type ReplaySelection = z.infer<typeof ReplaySelection>;
