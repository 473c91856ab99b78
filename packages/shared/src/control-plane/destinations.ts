import { z } from 'zod';
import { IdInput } from './common';

export const DestinationName = z
  .string()
  .trim()
  .min(1, 'enter a name')
  .max(100, 'use at most 100 characters');
/**
 * A destination's config as a client sends it; the type's own schema validates it. A secret
 * field left out, or sent as the mask, keeps the stored secret; an empty string removes it.
 */
export const DestinationConfigInput = z.record(z.string(), z.unknown());

export const CreateDestinationInput = z.object({
  name: DestinationName,
  type: z.string().min(1, 'choose a destination type'),
  enabled: z.boolean().default(true),
  config: DestinationConfigInput,
});
export type CreateDestinationInput = z.infer<typeof CreateDestinationInput>;
export const UpdateDestinationInput = z.object({
  id: z.string().min(1),
  version: z.number().int(),
  name: DestinationName.optional(),
  enabled: z.boolean().optional(),
  config: DestinationConfigInput.optional(),
});
export type UpdateDestinationInput = z.infer<typeof UpdateDestinationInput>;
export const DeleteDestinationInput = z.object({
  id: z.string().min(1),
  cascade: z.boolean().default(false),
});
export type DeleteDestinationInput = z.infer<typeof DeleteDestinationInput>;
export const DestinationIdInput = IdInput;
