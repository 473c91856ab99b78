import type { ChangeEvent } from 'react';
import { describe, expect, it } from 'vitest';
import { fieldBinder } from './form';

const change = (value: string) => ({ target: { value } }) as ChangeEvent<HTMLInputElement>;

describe('fieldBinder', () => {
  it('binds a field to its value and its server error, and changes only that key', () => {
    const form = { email: 'a@example.com', role: 'viewer', remember: true };
    let next: typeof form | undefined;
    const bind = fieldBinder(form, (f) => (next = f), { email: 'enter a valid email' });

    const email = bind('email');
    expect(email.value).toBe('a@example.com');
    expect(email.error).toBe('enter a valid email');
    expect(bind('role').error).toBeUndefined();

    email.onChange(change('b@example.com'));
    expect(next).toEqual({ email: 'b@example.com', role: 'viewer', remember: true });
    expect(form.email).toBe('a@example.com');
  });
});
