import { z } from 'zod';

/**
 * The outcome of running a user transformation on one input event. The processor counts
 * `dropped` with reason "transformation" and `failed` with the error's message.
 */
export const TransformationOutcome = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('events'), events: z.array(z.record(z.string(), z.unknown())) }),
  z.object({ kind: z.literal('dropped') }),
  z.object({ kind: z.literal('failed'), error: z.string() }),
]);
export type TransformationOutcome = z.infer<typeof TransformationOutcome>;

/** What `metadata(event)` returns inside user code. */
export const TransformationMetadata = z.object({
  sourceId: z.string(),
  sourceName: z.string(),
  destinationId: z.string(),
  destinationType: z.string(),
  messageId: z.string(),
});
export type TransformationMetadata = z.infer<typeof TransformationMetadata>;
