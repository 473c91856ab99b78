import { z } from 'zod';
import { Role } from '../workspace-config';
import { Email, SignUpInput } from './auth';

export const CreateInvitationInput = z.object({
  /** When set, only an account with this email can accept. */
  email: Email.optional(),
  role: Role,
  expiresInHours: z
    .number()
    .int()
    .min(1, 'at least 1 hour')
    .max(24 * 30, 'at most 30 days')
    .default(72),
});
export type CreateInvitationInput = z.infer<typeof CreateInvitationInput>;
export const InvitationToken = z.object({ token: z.string().min(10, 'paste the whole invitation link') });
export const AcceptWithSignUpInput = SignUpInput.extend({ token: InvitationToken.shape.token });
export type AcceptWithSignUpInput = z.infer<typeof AcceptWithSignUpInput>;
