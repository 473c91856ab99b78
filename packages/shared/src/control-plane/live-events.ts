import { z } from 'zod';

/** A source, a destination, or (neither given) the whole workspace. */
export const LiveTarget = z.object({
  sourceId: z.string().min(1).optional(),
  destinationId: z.string().min(1).optional(),
});
export type LiveTarget = z.infer<typeof LiveTarget>;

/** The samples of a target after a cursor. */
export const ListLiveEventsInput = LiveTarget.extend({
  after: z.string().regex(/^\d+$/, 'pass back the cursor of the last answer').optional(),
  limit: z.number().int().min(1).max(500).default(100),
});
