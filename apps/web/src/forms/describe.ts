import { type FieldHints, hintsOf } from '@keel/shared';
import { z } from 'zod';

export type Widget = NonNullable<FieldHints['widget']>;

/** One generated form field, read from a config schema's shape and its `field()` hints. */
export interface FormField {
  name: string;
  label: string;
  help?: string;
  placeholder?: string;
  widget: Widget;
  /** Must be given: neither optional nor defaulted. */
  required: boolean;
  secret: boolean;
  /** Choices of a select, from the z.enum. */
  options?: string[];
  min?: number;
  max?: number;
  integer?: boolean;
  /** How a key-value list is stored: an array of {name, value} or a record. */
  keyValueShape?: 'array' | 'record';
  defaultValue?: unknown;
}

interface Unwrapped {
  inner: z.ZodType;
  optional: boolean;
  defaultValue: unknown;
  hasDefault: boolean;
}

/** Peels optional, nullable and default wrappers off a field schema. */
function unwrap(schema: z.ZodType): Unwrapped {
  let inner = schema;
  let optional = false;
  let hasDefault = false;
  let defaultValue: unknown;
  for (;;) {
    if (inner instanceof z.ZodOptional || inner instanceof z.ZodNullable) {
      optional = true;
      inner = inner.unwrap() as z.ZodType;
    } else if (inner instanceof z.ZodDefault) {
      hasDefault = true;
      defaultValue = (inner._zod.def as { defaultValue: unknown }).defaultValue;
      inner = inner.unwrap() as z.ZodType;
    } else {
      return { inner, optional, defaultValue, hasDefault };
    }
  }
}

function humanize(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1).toLowerCase();
}

function isKeyValueArray(schema: z.ZodType): boolean {
  if (!(schema instanceof z.ZodArray)) return false;
  const element = schema.element as z.ZodType;
  return element instanceof z.ZodObject && 'name' in element.shape && 'value' in element.shape;
}

function inferWidget(inner: z.ZodType, hints: FieldHints | undefined): Widget {
  if (hints?.widget) return hints.widget;
  if (hints?.secret) return 'password';
  if (inner instanceof z.ZodEnum) return 'select';
  if (inner instanceof z.ZodBoolean) return 'toggle';
  if (inner instanceof z.ZodNumber) return 'number';
  if (inner instanceof z.ZodRecord || isKeyValueArray(inner)) return 'key-value';
  if (inner instanceof z.ZodString && inner.format === 'url') return 'url';
  return 'text';
}

/** The fields of a destination's config form, in the order the schema declares them. */
export function describeForm(schema: z.ZodObject): FormField[] {
  return Object.entries(schema.shape).map(([name, fieldSchema]) => {
    const hints = hintsOf(fieldSchema as z.ZodType);
    const { inner, optional, defaultValue, hasDefault } = unwrap(fieldSchema as z.ZodType);
    const field: FormField = {
      name,
      label: hints?.label ?? humanize(name),
      widget: inferWidget(inner, hints),
      required: !optional && !hasDefault,
      secret: hints?.secret === true,
    };
    if (hints?.help) field.help = hints.help;
    if (hints?.placeholder) field.placeholder = hints.placeholder;
    if (hasDefault) field.defaultValue = defaultValue;
    if (inner instanceof z.ZodEnum) field.options = inner.options.map(String);
    if (inner instanceof z.ZodNumber) {
      if (Number.isFinite(inner.minValue)) field.min = inner.minValue ?? undefined;
      if (Number.isFinite(inner.maxValue)) field.max = inner.maxValue ?? undefined;
      if (inner.isInt) field.integer = true;
    }
    if (field.widget === 'key-value') field.keyValueShape = inner instanceof z.ZodRecord ? 'record' : 'array';
    return field;
  });
}
