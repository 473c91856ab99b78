import { z } from 'zod';
import { Role } from '../workspace-config';

/** The name of an API token or a data-plane token. */
export const TokenName = z.string().trim().min(1, 'give the token a name').max(100);

export const CreateApiTokenInput = z.object({
  name: TokenName,
  role: Role,
  /** Omit for a token that never expires. */
  expiresAt: z.coerce
    .date()
    .refine((d) => d.getTime() > Date.now(), 'the expiry must be in the future')
    .optional(),
});
export type CreateApiTokenInput = z.infer<typeof CreateApiTokenInput>;

export const CreateDataPlaneTokenInput = z.object({ name: TokenName });
