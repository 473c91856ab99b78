'use client';

import {
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
  useId,
} from 'react';
import { cx } from './cx';

const control =
  'block w-full rounded-md border bg-white px-3 text-sm text-ink-900 shadow-sm placeholder:text-ink-400 ' +
  'focus:border-brand-500 focus:outline-none focus:ring-2 focus:ring-brand-500/25 disabled:bg-ink-100 disabled:text-ink-500';

function controlClass(invalid: boolean, extra = ''): string {
  return cx(control, invalid ? 'border-bad-600' : 'border-ink-300', extra);
}

interface FieldFrameProps {
  label: string;
  help?: ReactNode;
  error?: string | null;
  /** Shown to the right of the label, e.g. "•••• set". */
  aside?: ReactNode;
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
}

/** A label, a control, its help and its validation message, wired for screen readers. */
export function FieldFrame({ label, help, error, aside, children }: FieldFrameProps) {
  const id = useId();
  const helpId = help ? `${id}-help` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, helpId].filter(Boolean).join(' ') || undefined;
  return (
    <div className="space-y-1.5">
      <div className="flex items-baseline justify-between gap-3">
        <label htmlFor={id} className="text-sm font-medium text-ink-800">
          {label}
        </label>
        {aside ? <span className="text-xs text-ink-500">{aside}</span> : null}
      </div>
      {children({ id, describedBy, invalid: Boolean(error) })}
      {error ? (
        <p id={errorId} className="text-xs font-medium text-bad-700">
          {error}
        </p>
      ) : null}
      {help ? (
        <p id={helpId} className="text-xs text-ink-500">
          {help}
        </p>
      ) : null}
    </div>
  );
}

type BaseProps = { label: string; help?: ReactNode; error?: string | null; aside?: ReactNode };

/** The attributes that tie a control to its frame's label, help and error. */
function controlAttrs({
  id,
  describedBy,
  invalid,
}: {
  id: string;
  describedBy: string | undefined;
  invalid: boolean;
}) {
  return { id, 'aria-describedby': describedBy, 'aria-invalid': invalid || undefined };
}

export function TextField({
  label,
  help,
  error,
  aside,
  className,
  ...input
}: BaseProps & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <FieldFrame label={label} help={help} error={error} aside={aside}>
      {(ids) => (
        <input
          {...controlAttrs(ids)}
          className={controlClass(ids.invalid, cx('h-9', className))}
          {...input}
        />
      )}
    </FieldFrame>
  );
}

export function TextAreaField({
  label,
  help,
  error,
  aside,
  className,
  ...input
}: BaseProps & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return (
    <FieldFrame label={label} help={help} error={error} aside={aside}>
      {(ids) => (
        <textarea
          {...controlAttrs(ids)}
          className={controlClass(ids.invalid, cx('py-2 font-mono text-[13px]', className))}
          {...input}
        />
      )}
    </FieldFrame>
  );
}

export function SelectField({
  label,
  help,
  error,
  aside,
  options,
  className,
  ...select
}: BaseProps &
  SelectHTMLAttributes<HTMLSelectElement> & { options: Array<{ value: string; label: string }> }) {
  return (
    <FieldFrame label={label} help={help} error={error} aside={aside}>
      {(ids) => (
        <select
          {...controlAttrs(ids)}
          className={controlClass(ids.invalid, cx('h-9 pr-8', className))}
          {...select}
        >
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </FieldFrame>
  );
}

export function Toggle({
  label,
  help,
  checked,
  onChange,
  disabled,
}: {
  label: string;
  help?: ReactNode;
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
}) {
  const id = useId();
  return (
    <div className="flex items-start gap-3">
      <button
        id={id}
        type="button"
        role="switch"
        aria-checked={checked}
        aria-describedby={help ? `${id}-help` : undefined}
        disabled={disabled}
        onClick={() => onChange(!checked)}
        className={cx(
          'relative mt-0.5 inline-flex h-5 w-9 shrink-0 items-center rounded-full border transition-colors disabled:opacity-55',
          checked ? 'border-brand-700 bg-brand-600' : 'border-ink-300 bg-ink-200',
        )}
      >
        <span
          aria-hidden
          className={cx(
            'inline-block h-4 w-4 rounded-full bg-white shadow transition-transform',
            checked ? 'translate-x-4' : 'translate-x-0.5',
          )}
        />
      </button>
      <div>
        <label htmlFor={id} className="text-sm font-medium text-ink-800">
          {label}
        </label>
        {help ? (
          <p id={`${id}-help`} className="text-xs text-ink-500">
            {help}
          </p>
        ) : null}
      </div>
    </div>
  );
}

export { controlAttrs, controlClass };
