import { Password } from '@keel/shared';
import type { ComponentProps } from 'react';
import { TextField } from './ui/field';

/** The password field of a new account (first-run setup, accepting an invitation). */
export function NewPasswordField(props: Omit<ComponentProps<typeof TextField>, 'label' | 'type'>) {
  // The same rule the server checks (Password in @keel/shared).
  return (
    <TextField
      label="Password"
      type="password"
      autoComplete="new-password"
      help={`At least ${Password.minLength} characters.`}
      {...props}
    />
  );
}
