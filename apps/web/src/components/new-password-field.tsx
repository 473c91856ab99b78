import type { ComponentProps } from 'react';
import { TextField } from './ui/field';

/** The password field of a new account (first-run setup, accepting an invitation). */
export function NewPasswordField(props: Omit<ComponentProps<typeof TextField>, 'label' | 'type'>) {
  // The server asks for at least 10 characters (config-backend domain/users.ts).
  return (
    <TextField
      label="Password"
      type="password"
      autoComplete="new-password"
      help="At least 10 characters."
      {...props}
    />
  );
}
