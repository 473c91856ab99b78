import { z } from 'zod';
import { IdInput } from './common';

/** A pinned write key: long enough not to be guessed, and safe in a URL and a Basic-auth header. */
export const WriteKeyValue = z
  .string()
  .regex(/^[A-Za-z0-9_-]{32,128}$/, 'a write key is 32 to 128 characters: letters, digits, "-" or "_"');
export const WriteKeyName = z.string().trim().min(1, 'name the key').max(100).default('Default');

export const NewWriteKey = z.object({
  name: WriteKeyName,
  /** Pins the key's value (config as code); omit to have a random one generated. */
  key: WriteKeyValue.optional(),
});
export type NewWriteKey = z.infer<typeof NewWriteKey>;
export const CreateWriteKeyInput = NewWriteKey.extend({ sourceId: z.string().min(1) });
export type CreateWriteKeyInput = z.infer<typeof CreateWriteKeyInput>;
export const RenameWriteKeyInput = z.object({ id: z.string().min(1), name: WriteKeyName });
export type RenameWriteKeyInput = z.infer<typeof RenameWriteKeyInput>;
export const WriteKeyIdInput = IdInput;
