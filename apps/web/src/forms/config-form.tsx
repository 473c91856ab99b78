'use client';

import { type FormEvent, type ReactNode, useMemo, useState } from 'react';
import type { z } from 'zod';
import { Button } from '../components/ui/button';
import {
  controlAttrs,
  controlClass,
  FieldFrame,
  SelectField,
  TextField,
  Toggle,
} from '../components/ui/field';
import { describeForm, type FormField } from './describe';
import {
  type FieldValue,
  type FormState,
  initialState,
  type KeyValueRow,
  type ToConfigOptions,
  toConfig,
} from './values';

export interface ConfigFormProps {
  schema: z.ZodObject;
  /** The stored config when editing; its secrets arrive masked. */
  stored?: Record<string, unknown>;
  keptSecret: ToConfigOptions['keptSecret'];
  submitLabel: string;
  busy?: boolean;
  /** Why the current user may not save; disables the form's submit button. */
  disabledReason?: string | null;
  /** Errors the server returned, keyed by config field. */
  serverErrors?: Record<string, string>;
  onSubmit: (config: Record<string, unknown>) => void;
  /** Fields rendered above the generated ones, such as the destination's name. */
  before?: ReactNode;
  /** Extra buttons beside submit, such as "Test connection". */
  actions?: (current: () => Record<string, unknown> | null) => ReactNode;
}

/** A destination's create/edit form, generated from its catalog schema. */
export function ConfigForm(props: ConfigFormProps) {
  const fields = useMemo(() => describeForm(props.schema), [props.schema]);
  const [state, setState] = useState<FormState>(() => initialState(fields, props.stored));
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [submitted, setSubmitted] = useState(false);

  const result = useMemo(
    () => toConfig(props.schema, fields, state, { keptSecret: props.keptSecret }),
    [props.schema, fields, state, props.keptSecret],
  );
  const errorOf = (name: string): string | undefined => {
    if (!submitted && !touched[name]) return props.serverErrors?.[name];
    return (result.ok ? undefined : result.errors[name]) ?? props.serverErrors?.[name];
  };
  const set = (name: string, value: FieldValue) =>
    setState((s) => ({ ...s, values: { ...s.values, [name]: value } }));
  const touch = (name: string) => setTouched((t) => ({ ...t, [name]: true }));

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (result.ok) props.onSubmit(result.config);
  };

  return (
    <form noValidate onSubmit={onSubmit} className="space-y-5">
      {props.before}
      {fields.map((field) => (
        <FieldInput
          key={field.name}
          field={field}
          value={state.values[field.name] ?? ''}
          secretSet={state.secretsSet.includes(field.name)}
          error={errorOf(field.name)}
          onChange={(v) => set(field.name, v)}
          onBlur={() => touch(field.name)}
        />
      ))}
      {submitted && !result.ok ? (
        <p role="alert" className="text-sm font-medium text-bad-700">
          Fix the {Object.keys(result.errors).length === 1 ? 'field' : 'fields'} marked above, then save
          again.
        </p>
      ) : null}
      <div className="flex flex-wrap items-start gap-2 border-t border-ink-100 pt-5">
        <Button type="submit" variant="primary" busy={props.busy} disabledReason={props.disabledReason}>
          {props.submitLabel}
        </Button>
        {props.actions?.(() => (result.ok ? result.config : null))}
      </div>
    </form>
  );
}

function FieldInput({
  field,
  value,
  secretSet,
  error,
  onChange,
  onBlur,
}: {
  field: FormField;
  value: FieldValue;
  secretSet: boolean;
  error: string | undefined;
  onChange: (value: FieldValue) => void;
  onBlur: () => void;
}) {
  const label = field.required ? field.label : `${field.label} (optional)`;
  switch (field.widget) {
    case 'toggle':
      return <Toggle label={field.label} help={field.help} checked={value === true} onChange={onChange} />;
    case 'select':
      return (
        <SelectField
          label={label}
          help={field.help}
          error={error}
          value={String(value)}
          onChange={(e) => onChange(e.target.value)}
          onBlur={onBlur}
          options={[
            ...(field.required ? [] : [{ value: '', label: 'Default' }]),
            ...(field.options ?? []).map((o) => ({ value: o, label: o })),
          ]}
        />
      );
    case 'key-value':
      return (
        <KeyValueInput
          field={field}
          rows={Array.isArray(value) ? value : []}
          error={error}
          onChange={onChange}
          onBlur={onBlur}
        />
      );
    case 'textarea':
      return (
        <FieldFrame label={label} help={field.help} error={error}>
          {(ids) => (
            <textarea
              {...controlAttrs(ids)}
              rows={4}
              className={controlClass(ids.invalid, 'py-2')}
              value={String(value)}
              placeholder={field.placeholder}
              onChange={(e) => onChange(e.target.value)}
              onBlur={onBlur}
            />
          )}
        </FieldFrame>
      );
    default: {
      const type =
        field.widget === 'password' || field.secret
          ? 'password'
          : field.widget === 'number'
            ? 'number'
            : field.widget;
      return (
        <TextField
          label={label}
          help={
            field.secret
              ? `${field.help ?? ''} ${secretSet ? 'Leave blank to keep the stored value.' : ''}`.trim()
              : field.help
          }
          error={error}
          aside={field.secret ? (secretSet ? '•••• set' : 'not set') : undefined}
          type={type}
          inputMode={field.widget === 'number' ? (field.integer ? 'numeric' : 'decimal') : undefined}
          min={field.min}
          max={field.max}
          autoComplete={field.secret ? 'new-password' : 'off'}
          placeholder={field.secret && secretSet ? '•••••••• (unchanged)' : field.placeholder}
          value={String(value)}
          onChange={(e) => onChange(e.target.value)}
          onBlur={onBlur}
        />
      );
    }
  }
}

function KeyValueInput({
  field,
  rows,
  error,
  onChange,
  onBlur,
}: {
  field: FormField;
  rows: KeyValueRow[];
  error: string | undefined;
  onChange: (rows: KeyValueRow[]) => void;
  onBlur: () => void;
}) {
  const update = (index: number, patch: Partial<KeyValueRow>) =>
    onChange(rows.map((r, i) => (i === index ? { ...r, ...patch } : r)));
  return (
    <fieldset className="space-y-2" aria-describedby={error ? `${field.name}-kv-error` : undefined}>
      <legend className="text-sm font-medium text-ink-800">{field.label}</legend>
      {field.help ? <p className="text-xs text-ink-500">{field.help}</p> : null}
      {rows.length === 0 ? <p className="text-sm text-ink-500">None yet.</p> : null}
      {rows.map((row, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place and have no identity
        <div key={index} className="flex flex-wrap items-center gap-2 sm:flex-nowrap">
          <input
            aria-label={`${field.label} ${index + 1} name`}
            className={controlClass(false, 'h-9 sm:w-2/5')}
            placeholder="Name"
            value={row.key}
            onChange={(e) => update(index, { key: e.target.value })}
            onBlur={onBlur}
          />
          <input
            aria-label={`${field.label} ${index + 1} value`}
            className={controlClass(false, 'h-9 flex-1')}
            placeholder="Value"
            value={row.value}
            onChange={(e) => update(index, { value: e.target.value })}
            onBlur={onBlur}
          />
          <Button
            size="sm"
            variant="ghost"
            aria-label={`Remove ${field.label.toLowerCase()} ${index + 1}`}
            onClick={() => onChange(rows.filter((_, i) => i !== index))}
          >
            Remove
          </Button>
        </div>
      ))}
      <Button size="sm" onClick={() => onChange([...rows, { key: '', value: '' }])}>
        Add {field.label.toLowerCase().replace(/s$/, '')}
      </Button>
      {error ? (
        <p id={`${field.name}-kv-error`} className="text-xs font-medium text-bad-700">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
