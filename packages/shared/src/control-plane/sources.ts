import { z } from 'zod';
import { SourceType } from '../workspace-config';
import { IdInput } from './common';
import { NewWriteKey } from './write-keys';

export const SourceName = z.string().trim().min(1, 'enter a name').max(100, 'use at most 100 characters');
export const RateLimitPerSecond = z
  .number()
  .int('a whole number of events per second')
  .positive('at least 1 event per second, or null for no limit')
  .max(1_000_000, 'at most 1,000,000 events per second')
  .nullable();

export const CreateSourceInput = z.object({
  name: SourceName,
  type: SourceType,
  enabled: z.boolean().default(true),
  rateLimitPerSecond: RateLimitPerSecond.default(null),
  /** One generated key by default; a file may pin several. */
  writeKeys: z
    .array(NewWriteKey)
    .max(20)
    .default([{ name: 'Default' }]),
});
export type CreateSourceInput = z.infer<typeof CreateSourceInput>;
export const UpdateSourceInput = z.object({
  id: z.string().min(1),
  /** The version the change is based on; a stale one is refused. */
  version: z.number().int(),
  name: SourceName.optional(),
  enabled: z.boolean().optional(),
  rateLimitPerSecond: RateLimitPerSecond.optional(),
});
export type UpdateSourceInput = z.infer<typeof UpdateSourceInput>;
export const DeleteSourceInput = z.object({
  id: z.string().min(1),
  /** Also delete the source's connections; without it a connected source is not deleted. */
  cascade: z.boolean().default(false),
});
export type DeleteSourceInput = z.infer<typeof DeleteSourceInput>;
export const SourceIdInput = IdInput;
