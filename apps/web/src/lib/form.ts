import type { ChangeEvent } from 'react';

type StringKeys<T> = { [K in keyof T]: T[K] extends string ? K : never }[keyof T];
type FieldChange = ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>;

/**
 * Binds text and select fields to one form's state and the server's field errors:
 * `const bind = fieldBinder(form, setForm, errors)`, then `<TextField label="Email" {...bind('email')} />`.
 * A select's value is taken as the key's type (for example a Role), since its options come from it.
 */
export function fieldBinder<T extends object>(
  form: T,
  setForm: (next: T) => void,
  errors: Record<string, string>,
) {
  return <K extends StringKeys<T> & string>(key: K) => ({
    value: form[key] as string,
    error: errors[key],
    onChange: (e: FieldChange) => setForm({ ...form, [key]: e.target.value as T[K] }),
  });
}
