import { z } from 'zod';
import { IdInput } from './common';

export const TransformationName = z
  .string()
  .trim()
  .min(1, 'enter a name')
  .max(100, 'use at most 100 characters');
/** 256 KB of source is far beyond any sensible transformation, and keeps configs small. */
export const TransformationCode = z
  .string()
  .min(1, 'write the transformation code')
  .max(256 * 1024, 'keep the code under 256 KB');

export const TransformationDescription = z.string().max(1000, 'use at most 1,000 characters');

export const CreateTransformationInput = z.object({
  name: TransformationName,
  description: TransformationDescription.default(''),
  code: TransformationCode,
});
export type CreateTransformationInput = z.infer<typeof CreateTransformationInput>;
export const PublishVersionInput = z.object({
  transformationId: z.string().min(1),
  code: TransformationCode,
  /** The version number the draft was based on; publishing over a newer one is refused. */
  basedOnVersion: z.number().int().positive(),
});
export type PublishVersionInput = z.infer<typeof PublishVersionInput>;
export const TransformationIdInput = IdInput;
export const VersionIdInput = z.object({ versionId: z.string().min(1) });
export const DiffInput = z.object({
  transformationId: z.string().min(1),
  from: z.number().int().positive(),
  to: z.number().int().positive(),
});
export type DiffInput = z.infer<typeof DiffInput>;

const SampleEvent = z.record(z.string(), z.unknown());

export const TestRunInput = z
  .object({
    code: TransformationCode,
    /** Sample events to run; or leave out and name a source to use its newest live events. */
    events: z
      .array(SampleEvent)
      .min(1, 'add at least one sample event')
      .max(100, 'test with at most 100 events')
      .optional(),
    sourceId: z.string().min(1).optional(),
    /** Fills `metadata(event)`'s destination fields, as on that connection. */
    destinationId: z.string().min(1).optional(),
    /** How many of the source's newest live events to use. */
    sampleSize: z.number().int().min(1).max(100).default(10),
  })
  .refine((input) => input.events !== undefined || input.sourceId !== undefined, {
    message: 'paste sample events, or choose a source to use its live events',
    path: ['events'],
  });
export type TestRunInput = z.infer<typeof TestRunInput>;
