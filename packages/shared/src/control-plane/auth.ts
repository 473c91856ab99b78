import { z } from 'zod';

export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email('enter an email address such as ada@example.com'));
export const Password = z
  .string()
  .min(10, 'use at least 10 characters')
  .max(200, 'use at most 200 characters');

export const SignUpInput = z.object({
  email: Email,
  name: z.string().trim().min(1, 'enter your name').max(100),
  password: Password,
});
export type SignUpInput = z.infer<typeof SignUpInput>;

export const CreateOwnerInput = SignUpInput.extend({
  workspaceName: z.string().trim().min(1, 'name the first workspace').max(100).default('My workspace'),
});
export type CreateOwnerInput = z.input<typeof CreateOwnerInput>;

export const LoginInput = z.object({ email: Email, password: z.string().min(1, 'enter your password') });
export type LoginInput = z.infer<typeof LoginInput>;
