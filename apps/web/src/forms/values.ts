import type { z } from 'zod';
import type { FormField } from './describe';

export interface KeyValueRow {
  key: string;
  value: string;
}
export type FieldValue = string | boolean | KeyValueRow[];
export type FormValues = Record<string, FieldValue>;

export interface FormState {
  values: FormValues;
  /** Secret fields that already hold a stored value; blank input keeps it. */
  secretsSet: string[];
}

function keyValueRowsOf(stored: unknown): KeyValueRow[] {
  if (Array.isArray(stored)) {
    return stored.map((row) => {
      const r = row as { name?: unknown; value?: unknown };
      return { key: String(r.name ?? ''), value: String(r.value ?? '') };
    });
  }
  if (stored && typeof stored === 'object') {
    return Object.entries(stored as Record<string, unknown>).map(([key, value]) => ({
      key,
      value: String(value),
    }));
  }
  return [];
}

/** The form's starting values: the stored config when editing, else each field's default. */
export function initialState(fields: FormField[], stored: Record<string, unknown> = {}): FormState {
  const values: FormValues = {};
  const secretsSet: string[] = [];
  for (const field of fields) {
    const current = stored[field.name] ?? field.defaultValue;
    if (field.secret) {
      // A stored secret comes back masked; the form never holds it.
      if (typeof stored[field.name] === 'string' && stored[field.name] !== '') secretsSet.push(field.name);
      values[field.name] = '';
      continue;
    }
    switch (field.widget) {
      case 'toggle':
        values[field.name] = current === true;
        break;
      case 'key-value':
        values[field.name] = keyValueRowsOf(current);
        break;
      case 'select':
        values[field.name] =
          current === undefined ? (field.required ? (field.options?.[0] ?? '') : '') : String(current);
        break;
      default:
        values[field.name] = current === undefined || current === null ? '' : String(current);
    }
  }
  return { values, secretsSet };
}

export type ToConfigResult =
  | { ok: true; config: Record<string, unknown> }
  | { ok: false; errors: Record<string, string> };

export interface ToConfigOptions {
  /** What to send for a stored secret left blank: the mask the server gave, or nothing. */
  keptSecret: { kind: 'mask'; mask: string } | { kind: 'omit' };
}

function rowLabel(path: PropertyKey[]): string {
  const index = path[1];
  return typeof index === 'number' ? `Row ${index + 1}: ` : '';
}

/**
 * Turns the form's values into a config and validates it with the destination's own zod
 * schema, so the form shows exactly the messages the server would give.
 */
export function toConfig(
  schema: z.ZodObject,
  fields: FormField[],
  state: FormState,
  options: ToConfigOptions,
): ToConfigResult {
  const raw: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  const kept: string[] = [];
  for (const field of fields) {
    const value = state.values[field.name];
    if (field.secret) {
      if (value === '' || value === undefined) {
        if (state.secretsSet.includes(field.name)) kept.push(field.name);
        else if (field.required) errors[field.name] = `${field.label} is required`;
        continue;
      }
      raw[field.name] = value;
      continue;
    }
    if (field.widget === 'toggle') {
      raw[field.name] = value === true;
    } else if (field.widget === 'key-value') {
      const rows = (Array.isArray(value) ? value : []).filter((r) => r.key !== '' || r.value !== '');
      raw[field.name] =
        field.keyValueShape === 'record'
          ? Object.fromEntries(rows.map((r) => [r.key, r.value]))
          : rows.map((r) => ({ name: r.key, value: r.value }));
    } else if (typeof value === 'string') {
      const text = value.trim();
      if (text === '') {
        if (field.required) errors[field.name] = `${field.label} is required`;
        continue;
      }
      if (field.widget === 'number') {
        const number = Number(text);
        if (!Number.isFinite(number)) errors[field.name] = `${field.label} must be a number`;
        else raw[field.name] = number;
      } else {
        raw[field.name] = text;
      }
    }
  }

  // A kept secret is not in the input, so it is validated as absent rather than as blank.
  const keptMask = Object.fromEntries(kept.map((k) => [k, true])) as Record<string, true> &
    Record<number, never>;
  const checked = kept.length ? schema.omit(keptMask) : schema;
  const parsed = checked.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = issue.path[0];
      if (typeof name !== 'string' || errors[name]) continue;
      errors[name] = `${rowLabel(issue.path)}${issue.message}`;
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) {
    return {
      ok: false,
      errors: Object.keys(errors).length ? errors : { _form: 'The settings are not valid' },
    };
  }
  const config: Record<string, unknown> = { ...parsed.data };
  if (options.keptSecret.kind === 'mask') for (const name of kept) config[name] = options.keptSecret.mask;
  return { ok: true, config };
}
